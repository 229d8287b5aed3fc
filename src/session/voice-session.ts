import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { VoiceAgentError, toVoiceAgentError } from '../errors.js';
import {
  voiceAgentEvent,
  type VoiceAgentEndReason,
  type VoiceAgentErrorDetail,
  type VoiceAgentEventDetails,
  type VoiceAgentEventName,
  type VoiceAgentStatus,
} from '../events.js';
import type { ErrorMessageKey } from '../labels.js';
import { parseServerMessage, tokenMessage } from './protocol.js';
import type { SessionAudio } from './session-audio.js';
import { DEFAULT_TOKEN_TIMEOUT_MS, obtainToken, type TokenResponse } from './token.js';

/** What the element passes to a session; read once per `start()`. */
export interface VoiceSessionOptions {
  /** The site's endpoint that answers `POST {}` with `{ token, ws_url }`. */
  tokenUrl?: string;
  /** Replaces the built-in token request. */
  fetchToken?: () => Promise<TokenResponse>;
  /** Merged by the audio engine over its defaults (mono, echo cancellation, noise suppression, AGC). */
  audioConstraints?: MediaTrackConstraints;
  /** How long the token request may take; default 10 000 ms. */
  tokenTimeoutMs?: number;
  /** How long from opening the socket until the server's `connected`; default 15 000 ms. */
  connectTimeoutMs?: number;
}

/** How long the socket may take to open and the service to say `connected`, in milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/**
 * Microphone audio allowed to wait in the socket's send buffer (1 s at 16 kHz Int16). Beyond it, frames
 * wait in the session's own small queue instead, whose oldest frame is dropped (and counted) when it
 * is full: a socket cannot unsend what it has queued, and after a stall the service should hear the
 * latest speech, not a growing backlog.
 */
export const MAX_BUFFERED_BYTES = 32_000;

/** Frames held back while the send buffer is over its bound: 200 ms. */
export const MAX_QUEUED_FRAMES = 10;

/** How the element plugs into a session: its current options, and a new audio engine per session. */
export interface VoiceSessionConfig {
  options: () => VoiceSessionOptions;
  createAudio: () => SessionAudio;
}

/** One session, from `start()` to its end. `this.#run === run` is the call-id check for stale async results. */
interface Run {
  readonly abort: AbortController;
  audio: SessionAudio | null;
  /** `audio.open()`; once settled, a single `close()` releases the engine. */
  opening: Promise<void> | null;
  openSettled: boolean;
  socket: WebSocket | null;
  /** Microphone frames waiting for the socket's send buffer to drain (see MAX_BUFFERED_BYTES). */
  outbox: ArrayBuffer[];
  /** Pending until the server's `connected`. */
  connectTimer?: ReturnType<typeof setTimeout>;
}

/**
 * Runs a voice session for its host: token, microphone, socket and protocol, with every end path
 * releasing everything and firing `voice-agent-ended` exactly once. Fires the element's events on
 * the host. On a failure the order is `voice-agent-error`, then `voice-agent-status`, then
 * `voice-agent-ended`; state (`status`, `error`) is already final when the first of them fires.
 */
export class VoiceSession implements ReactiveController {
  #run: Run | null = null;
  #status: VoiceAgentStatus = 'idle';
  #error: VoiceAgentErrorDetail | null = null;
  #errorKey: ErrorMessageKey = 'audio_failed';
  #audio: SessionAudio | null = null;
  #muted = false;
  #droppedFrames = 0;

  readonly #host: ReactiveControllerHost & EventTarget;
  readonly #config: VoiceSessionConfig;

  constructor(host: ReactiveControllerHost & EventTarget, config: VoiceSessionConfig) {
    this.#host = host;
    this.#config = config;
    host.addController(this);
  }

  /** The session's status; `idle` until the first `start()`. */
  get status(): VoiceAgentStatus {
    return this.#status;
  }

  /** The last error, for display; cleared by `start()`. */
  get error(): VoiceAgentErrorDetail | null {
    return this.#error;
  }

  /** Which message of `ERROR_MESSAGES` the last error carries, so the element can show a site's translation. */
  get errorKey(): ErrorMessageKey {
    return this.#errorKey;
  }

  /** The live audio engine (levels, mute), or null between sessions. */
  get audio(): SessionAudio | null {
    return this.#audio;
  }

  /** Microphone frames dropped in this session because the socket's send buffer was full. */
  get droppedFrames(): number {
    return this.#droppedFrames;
  }

  /** Sends silence instead of the microphone; kept across sessions. */
  get muted(): boolean {
    return this.#muted;
  }

  set muted(muted: boolean) {
    this.#muted = muted;
    if (this.#audio) this.#audio.muted = muted;
  }

  /** Begins a session (a no-op while one is connecting or live); resolves once the token is sent or it failed. */
  async start(): Promise<void> {
    if (this.#run) return;
    const run: Run = {
      abort: new AbortController(),
      audio: null,
      opening: null,
      openSettled: false,
      socket: null,
      outbox: [],
    };
    this.#run = run;
    this.#error = null;
    this.#droppedFrames = 0;
    const options = this.#config.options();
    // Everything up to audio.open() is synchronous: it runs in the click handler, and iOS only lets
    // an AudioContext start during the user gesture.
    this.#setStatus('connecting');
    if (this.#run !== run) return; // a status listener stopped it
    try {
      const audio = this.#config.createAudio();
      audio.muted = this.#muted;
      audio.onError = (error) => void this.#end(run, 'error', 'error', error);
      run.audio = this.#audio = audio;
      // An async wrapper so a synchronous throw from open() becomes a rejection like any other.
      run.opening = (async () => audio.open(options.audioConstraints ?? {}))();
      const settle = () => (run.openSettled = true);
      run.opening.then(settle, settle);
      const token = obtainToken(options, options.tokenTimeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS, run.abort.signal);
      // stop() resolves this start() at once, even with a permission prompt or a fetch still pending.
      const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      await Promise.race([this.#connect(run, audio, token, connectTimeoutMs), untilAborted(run.abort.signal)]);
    } catch (err) {
      // Token and socket failures are VoiceAgentErrors already; anything else came from the engine.
      void this.#end(run, 'error', 'error', toVoiceAgentError(err, 'audio_failed/engine'));
    }
  }

  /** Ends the session: closes the socket with 1000, releases everything, status `idle`, ended `user`. */
  stop(): Promise<void> {
    return this.#run ? this.#end(this.#run, 'idle', 'user') : Promise.resolve();
  }

  /** Drops the agent audio queued for playback (barge-in). */
  interrupt(): void {
    this.#audio?.interrupt();
  }

  /** The element left the page: release everything, as `stop()` does. */
  hostDisconnected(): void {
    void this.stop();
  }

  /**
   * Waits for both the token and the microphone, then opens the socket and sends the token. The
   * socket waits for the mic so a denied or missing microphone costs no service session, and so
   * frames can flow the moment `connected` arrives.
   */
  async #connect(run: Run, audio: SessionAudio, token: Promise<TokenResponse>, timeoutMs: number): Promise<void> {
    const [{ token: secret, ws_url }] = await Promise.all([token, run.opening]);
    if (this.#run !== run) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(ws_url);
    } catch (err) {
      throw toVoiceAgentError(err, 'socket_failed');
    }
    socket.binaryType = 'arraybuffer';
    run.socket = socket;
    // A socket to an unreachable host can sit in CONNECTING for minutes, and a service that never says
    // `connected` would leave the visitor looking at "Connecting…": give up instead.
    run.connectTimer = setTimeout(() => {
      const timeout = new VoiceAgentError('socket_failed/timeout', { seconds: timeoutMs / 1000 });
      void this.#end(run, 'error', 'error', timeout);
    }, timeoutMs);
    await new Promise<void>((resolve, reject) => {
      let opened = false;
      socket.onopen = () => {
        opened = true;
        socket.send(tokenMessage(secret));
        resolve();
      };
      socket.onmessage = (event) => this.#receive(run, audio, socket, event.data);
      // No onerror: a close event always follows an error, and carries the code.
      socket.onclose = (event) => {
        if (!opened) {
          reject(new VoiceAgentError('socket_failed/closed', { closeCode: event.code }));
          return;
        }
        const lost = new VoiceAgentError('connection_lost', { closeCode: event.code, closeReason: event.reason });
        void this.#end(run, 'ended', 'connection_lost', lost);
      };
    });
  }

  #receive(run: Run, audio: SessionAudio, socket: WebSocket, data: unknown): void {
    // Agent audio is played even before `connected`: the engine is open by then (the socket waits
    // for it), and dropping an early greeting would be worse than playing it.
    if (data instanceof ArrayBuffer) {
      audio.play(data);
      return;
    }
    if (typeof data !== 'string') return; // binaryType is 'arraybuffer': no Blobs expected
    const message = parseServerMessage(data);
    if (!message) {
      // The frame itself is not echoed: it may be large, or hold something that must not be logged.
      console.warn(`<voice-agent>: ignored a server text frame, not JSON with a string "type" (${data.length} chars)`);
      return;
    }
    switch (message.type) {
      case 'connected':
        clearTimeout(run.connectTimer);
        if (audio.onFrame) return; // a repeated `connected` changes nothing
        audio.onFrame = (frame) => this.#sendFrame(run, socket, frame);
        // `agent_ready` may have come first; the status never goes back from ready.
        if (this.#status === 'connecting') this.#setStatus('connected');
        if (this.#run === run) this.#emit('voice-agent-connected');
        return;
      case 'agent_ready':
        clearTimeout(run.connectTimer);
        if (this.#status === 'ready') return;
        this.#setStatus('ready');
        if (this.#run === run) this.#emit('voice-agent-ready');
        return;
      case 'session_ended':
        void this.#end(run, 'ended', message.reason);
        return;
      case 'error': {
        // The session goes on; the message is passed as text, for the element to render as text.
        const detail: VoiceAgentErrorDetail = {
          code: 'server_error',
          message: message.message,
          serverCode: message.code,
        };
        this.#error = detail;
        this.#errorKey = 'server_error';
        this.#host.requestUpdate();
        this.#emit('voice-agent-error', detail);
        return;
      }
      case 'unknown':
        this.#emit('voice-agent-message', { message: message.message });
        return;
    }
  }

  #sendFrame(run: Run, socket: WebSocket, frame: ArrayBuffer): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    const { outbox } = run;
    outbox.push(frame);
    // `?? 0`: socket doubles such as mock-socket have no bufferedAmount.
    while (outbox.length > 0 && (socket.bufferedAmount ?? 0) <= MAX_BUFFERED_BYTES) socket.send(outbox.shift()!);
    if (outbox.length > MAX_QUEUED_FRAMES) {
      outbox.shift();
      this.#droppedFrames++;
    }
  }

  /**
   * The one end path: a no-op unless `run` is current, so `voice-agent-ended` fires exactly once.
   * Resolves when the audio engine has closed.
   */
  #end(
    run: Run,
    status: 'idle' | 'ended' | 'error',
    reason: VoiceAgentEndReason,
    error?: VoiceAgentError,
  ): Promise<void> {
    if (this.#run !== run) return Promise.resolve();
    this.#run = null;
    run.abort.abort(); // cancels the token request and its timer, and resolves a pending start()
    clearTimeout(run.connectTimer);
    const { socket, audio } = run;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close(1000);
    }
    let closed = Promise.resolve();
    if (audio) {
      audio.onFrame = audio.onError = null;
      closed = audio.close();
      // open() still pending (e.g. the permission prompt): close again once it settles, so what it
      // acquires late is released too. close() is idempotent.
      const release = () => void audio.close();
      if (!run.openSettled) run.opening?.then(release, release);
    }
    this.#audio = null;
    const detail = error && errorDetail(error);
    if (error) {
      this.#error = detail!;
      this.#errorKey = error.key;
    }
    this.#status = status;
    this.#host.requestUpdate();
    if (detail) this.#emit('voice-agent-error', detail);
    this.#emit('voice-agent-status', { status });
    this.#emit('voice-agent-ended', { reason });
    return closed;
  }

  #setStatus(status: VoiceAgentStatus): void {
    this.#status = status;
    this.#host.requestUpdate();
    this.#emit('voice-agent-status', { status });
  }

  #emit<K extends VoiceAgentEventName>(
    name: K,
    ...detail: VoiceAgentEventDetails[K] extends undefined ? [] : [VoiceAgentEventDetails[K]]
  ): void {
    this.#host.dispatchEvent(voiceAgentEvent(name, ...detail));
  }
}

function errorDetail(error: VoiceAgentError): VoiceAgentErrorDetail {
  return { ...error.fields, code: error.code, message: error.message };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
