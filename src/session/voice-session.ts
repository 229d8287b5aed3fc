import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { VoiceAgentError, toVoiceAgentError } from '../errors.js';
import {
  voiceAgentEvent,
  type VoiceAgentEndReason,
  type VoiceAgentErrorDetail,
  type VoiceAgentEventDetails,
  type VoiceAgentEventName,
  type VoiceAgentStats,
  type VoiceAgentStatus,
} from '../events.js';
import type { ErrorMessageKey } from '../labels.js';
import { holdPage } from './page-life.js';
import { parseServerMessage, tokenMessage } from './protocol.js';
import type { SessionAudio } from './session-audio.js';
import { DEFAULT_TOKEN_TIMEOUT_MS, obtainToken, type TokenResponse } from './token.js';
import { openTransport, type Transport, type TransportFactory } from './transport.js';
import type { MeterCommand } from '../meter-painter.js';

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
  /** After an unexpected drop of a connected session, reconnect with a fresh token (see {@link RECONNECT}). */
  reconnect?: boolean;
  /** Overrides parts of {@link RECONNECT} (tests shorten it). */
  backoff?: Partial<BackoffPolicy>;
  /** The site's copy of dist/voice-agent.worklet.js: the socket Worker starts from it too (see transport.ts). */
  workletUrl?: string;
}

/** How long the socket may take to open and the service to say `connected`, in milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/** How reconnecting backs off and when it gives up. */
export interface BackoffPolicy {
  /** Attempts after one drop before giving up. */
  attempts: number;
  /** Nominal wait before the first attempt, ms; it doubles per attempt up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** No attempt starts later than this after the drop, whatever the attempt count (offline time included), ms. */
  windowMs: number;
}

/**
 * The reconnect policy: up to 6 attempts, waiting nominally 1, 2, 4, 8, 8, 8 s (each jittered down to
 * half, see {@link backoffDelay}: the first within 0.5–1 s), and no attempt later than 60 s after the drop.
 */
export const RECONNECT: Readonly<BackoffPolicy> = {
  attempts: 6,
  firstDelayMs: 1000,
  maxDelayMs: 8000,
  windowMs: 60_000,
};

/**
 * The wait before reconnect attempt `attempt` (1-based): the nominal delay scaled by a random factor
 * in [0.5, 1], so many clients dropped by one outage do not all come back in the same instant.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random = Math.random): number {
  const nominal = Math.min(policy.firstDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(nominal * (0.5 + random() / 2));
}

/** How the element plugs into a session: its current options, a new audio engine per session, the transport. */
export interface VoiceSessionConfig {
  options: () => VoiceSessionOptions;
  createAudio: () => SessionAudio;
  /** Makes the session's transport; default {@link openTransport} (a Worker where one can start). */
  transport?: TransportFactory;
}

/** One connection to the service within a run. */
interface Link {
  /** The transport's events about this connection carry it. */
  readonly id: number;
  connected?: boolean;
  /** Pending until the server's `connected`. */
  timer?: ReturnType<typeof setTimeout>;
  /** Settles on `connected` (resolves) or on a failure before it (rejects). */
  readonly ready: Promise<void>;
  settle: (error?: VoiceAgentError) => void;
  /** Resolves once open, the token sent. */
  readonly opened: Promise<void>;
  open: () => void;
}

/** One session, from `start()` to its end. `this.#run === run` is the call-id check for stale async results. */
interface Run {
  readonly abort: AbortController;
  readonly options: VoiceSessionOptions;
  // The rest starts unset (a record literal with fewer keys is fewer bytes).
  audio?: SessionAudio;
  /** The socket side, for all the run's connections; it holds the first-words buffer and the counters. */
  transport?: Transport;
  /** `audio.open()`; once settled, a single `close()` releases the engine. */
  opening?: Promise<void>;
  openSettled?: boolean;
  link?: Link;
  /** A link reached `connected`: from then on an unexpected drop may reconnect. */
  wasConnected?: boolean;
  reconnects: number;
  releasePage?: () => void;
}

/**
 * Runs a voice session for its host: token, microphone, socket and protocol, reconnects, page life,
 * with every end path releasing everything and firing `voice-agent-ended` exactly once. Fires the
 * element's events on the host. On a failure the order is `voice-agent-error`, then
 * `voice-agent-status`, then `voice-agent-ended`; state (`status`, `error`) is already final when the
 * first of them fires.
 */
export class VoiceSession implements ReactiveController {
  #run: Run | null = null;
  /** Links dialled so far: the next one's id. */
  #links = 0;
  /** The current run, or the last one once it ended (for getStats()). */
  #last: Run | null = null;
  #status: VoiceAgentStatus = 'idle';
  #error: VoiceAgentErrorDetail | null = null;
  #errorKey: ErrorMessageKey = 'audio_failed';
  #audio: SessionAudio | null = null;
  #muted = false;
  #volume = 1;
  #microphoneId: string | undefined;
  #speakerId: string | undefined;
  #needsGesture = false;

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

  /** The browser suspended the audio and only a tap or key press can resume it (the status line says so). */
  get needsGesture(): boolean {
    return this.#needsGesture;
  }

  /** Sends silence instead of the microphone; kept across sessions. */
  get muted(): boolean {
    return this.#muted;
  }

  set muted(muted: boolean) {
    this.#muted = muted;
    if (this.#audio) this.#audio.muted = muted;
  }

  /** Gain of the agent's voice, 0..1; kept across sessions. */
  get volume(): number {
    return this.#volume;
  }

  set volume(volume: number) {
    this.#volume = volume;
    if (this.#audio) this.#audio.volume = volume;
  }

  /** The input device; a change mid-session switches it without touching the socket. */
  get microphoneId(): string | undefined {
    return this.#microphoneId;
  }

  set microphoneId(id: string | undefined) {
    if (id === this.#microphoneId) return;
    this.#microphoneId = id;
    this.#device(this.#audio?.setMicrophone(id));
  }

  /** The output device, where the browser can route a context; ignored elsewhere. */
  get speakerId(): string | undefined {
    return this.#speakerId;
  }

  set speakerId(id: string | undefined) {
    if (id === this.#speakerId) return;
    this.#speakerId = id;
    this.#device(this.#audio?.setSpeaker(id));
  }

  /** Counters of the current session, or of the last one once it is over (zeros before any). */
  getStats(): VoiceAgentStats {
    const run = this.#last;
    const transport = run?.transport;
    const audio = run?.audio?.stats;
    return {
      framesSent: transport?.stats.framesSent ?? 0,
      framesDropped: transport?.stats.framesDropped ?? 0,
      framesReceived: transport?.stats.framesReceived ?? 0,
      reconnects: run?.reconnects ?? 0,
      transport: transport?.kind ?? null,
      underruns: audio?.underruns ?? 0,
      bufferedMs: audio?.bufferedMs ?? 0,
      sampleRate: audio?.sampleRate ?? 0,
      outputLatencyMs: audio?.outputLatencyMs ?? 0,
      turnLatencyMs: audio?.turnLatencyMs ?? null,
      echoCancellation: audio?.echoCancellation ?? null,
    };
  }

  /** Begins a session (a no-op while one is connecting or live); resolves once the token is sent or it failed. */
  async start(): Promise<void> {
    if (this.#run) return;
    const options = this.#config.options();
    const run: Run = { abort: new AbortController(), options, reconnects: 0 };
    this.#run = this.#last = run;
    this.#error = null;
    // Everything up to audio.open() is synchronous: it runs in the click handler, and iOS only lets
    // an AudioContext start during the user gesture.
    this.#setStatus('connecting');
    if (this.#run !== run) return; // a status listener stopped it
    try {
      run.releasePage = holdPage(() => void this.stop());
      const transport = (run.transport = (this.#config.transport ?? openTransport)(options.workletUrl));
      transport.onevent = (event) => {
        const link = run.link;
        if (event.id !== link?.id) return; // a connection already left behind
        if (event.type === 'open') return link.open();
        if (event.type === 'message') return this.#receive(run, event.data);
        const { code, refused } = event;
        const error = refused
          ? new VoiceAgentError('socket_failed', {}, refused)
          : event.opened
            ? new VoiceAgentError('connection_lost', { closeCode: code, closeReason: event.reason })
            : new VoiceAgentError('socket_failed/closed', { closeCode: code });
        this.#linkFailed(run, link, error);
      };
      const audio = this.#config.createAudio();
      audio.muted = this.#muted;
      audio.volume = this.#volume;
      audio.onError = (error) => void this.#end(run, 'error', 'error', error);
      audio.attach(transport.ports);
      audio.onSuspended = (needed) => {
        this.#needsGesture = needed;
        this.#host.requestUpdate();
      };
      run.audio = this.#audio = audio;
      const constraints = { ...options.audioConstraints };
      if (this.#microphoneId) constraints.deviceId = { exact: this.#microphoneId };
      // An async wrapper so a synchronous throw from open() becomes a rejection like any other.
      run.opening = (async () => {
        await audio.open(constraints);
        if (this.#speakerId) this.#device(audio.setSpeaker(this.#speakerId));
      })();
      const settle = () => (run.openSettled = true);
      run.opening.then(settle, settle);
      const link = this.#dial(run);
      // The first connection's failures end the session (reconnecting starts only once it was connected).
      void link.then(
        (l) => l.ready.catch((error) => this.#fail(run, error)),
        (error) => this.#fail(run, error),
      );
      // stop() resolves this start() at once, even with a permission prompt or a fetch still pending.
      await Promise.race([link.then((l) => Promise.race([l.opened, l.ready])), untilAborted(run.abort.signal)]);
    } catch (err) {
      void this.#fail(run, err);
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

  /** Hands the socket core the meter's canvas (the first command of a session) or a new style. */
  drawMeter(command: MeterCommand): void {
    this.#run?.transport?.send(command);
  }

  /** The element left the page: release everything, as `stop()` does. */
  hostDisconnected(): void {
    void this.stop();
  }

  /**
   * Gets a token (and waits for the microphone: a denied or missing microphone costs no service
   * session, and frames can flow the moment `connected` arrives), then opens a connection that sends
   * the token first. Resolves with the link once it exists; its `ready` settles on `connected`.
   */
  async #dial(run: Run): Promise<Link> {
    const { options } = run;
    const token = obtainToken(options, options.tokenTimeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS, run.abort.signal);
    const [{ token: secret, ws_url }] = await Promise.all([token, run.opening]);
    if (this.#run !== run) throw new VoiceAgentError('token_request_failed/cancelled');
    let settle!: (error?: VoiceAgentError) => void;
    let open!: () => void;
    const ready = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    const opened = new Promise<void>((resolve) => (open = resolve));
    const link: Link = { id: ++this.#links, ready, settle, opened, open };
    ready.catch(() => {}); // a failed reconnect attempt is handled by its loop, not as an unhandled rejection
    run.link = link;
    // A socket to an unreachable host can sit in CONNECTING for minutes, and a service that never says
    // `connected` would leave the visitor looking at "Connecting…": give up instead.
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    link.timer = setTimeout(
      () => this.#linkFailed(run, link, new VoiceAgentError('socket_failed/timeout', { seconds: timeoutMs / 1000 })),
      timeoutMs,
    );
    run.transport!.send({ type: 'open', id: link.id, url: ws_url, first: tokenMessage(secret) });
    return link;
  }

  /** A link closed or timed out: before `connected` its dialer decides; after, it is a drop. */
  #linkFailed(run: Run, link: Link, error: VoiceAgentError): void {
    if (run.link !== link || this.#run !== run) return;
    this.#hangUp(run);
    if (!link.connected) link.settle(error);
    else if (run.options.reconnect) void this.#reconnect(run, error);
    else void this.#end(run, 'ended', 'connection_lost', error);
  }

  /**
   * After a drop: status `reconnecting`, then attempts with backoff (each with a fresh token, each
   * announced by `voice-agent-reconnecting`), waiting for `online` while the browser is offline. The
   * microphone and the context stay open throughout; giving up ends the session as the drop would have.
   */
  async #reconnect(run: Run, lost: VoiceAgentError): Promise<void> {
    const policy = { ...RECONNECT, ...run.options.backoff };
    const signal = run.abort.signal;
    const deadline = performance.now() + policy.windowMs;
    this.#setStatus('reconnecting');
    for (let attempt = 1; attempt <= policy.attempts && this.#run === run; attempt++) {
      const delayMs = backoffDelay(attempt, policy);
      this.#emit('voice-agent-reconnecting', { attempt, delayMs });
      await sleep(delayMs, signal);
      await untilOnline(signal, deadline);
      if (this.#run !== run || performance.now() >= deadline) break;
      try {
        await (
          await this.#dial(run)
        ).ready;
        return;
      } catch {
        // This attempt failed (token, socket, timeout): back off and try again.
      }
    }
    void this.#end(run, 'ended', 'connection_lost', lost);
  }

  /** A server text frame (agent audio goes from the transport to the playback worklet directly). */
  #receive(run: Run, data: string): void {
    const link = run.link;
    if (!link) return;
    const message = parseServerMessage(data);
    if (!message) {
      // The frame itself is not echoed: it may be large, or hold something that must not be logged.
      console.warn(`<voice-agent>: ignored a server text frame, not JSON with a string "type" (${data.length} chars)`);
      return;
    }
    switch (message.type) {
      case 'connected':
        if (link.connected) return; // a repeated `connected` changes nothing
        clearTimeout(link.timer);
        link.connected = true;
        if (run.wasConnected) run.reconnects++;
        run.wasConnected = true;
        // First words: what the microphone caught while connecting goes first, in order, then live audio.
        run.transport!.send({ type: 'connected' });
        // `agent_ready` may have come first; the status never goes back from ready.
        if (this.#status !== 'ready') this.#setStatus('connected');
        if (this.#run === run) this.#emit('voice-agent-connected');
        link.settle();
        return;
      case 'agent_ready':
        clearTimeout(link.timer);
        if (this.#status === 'ready') return;
        this.#setStatus('ready');
        if (this.#run === run) this.#emit('voice-agent-ready');
        return;
      case 'session_ended':
        void this.#end(run, 'ended', message.reason);
        return;
      case 'error':
        // The session goes on; the message is passed as text, for the element to render as text.
        this.#report('server_error', { code: 'server_error', message: message.message, serverCode: message.code });
        return;
      case 'unknown':
        this.#emit('voice-agent-message', { message: message.message });
        return;
    }
  }

  /** A device change that failed keeps the current device and is reported; the session goes on. */
  #device(change: Promise<void> | undefined): void {
    change?.catch((err) => {
      const error = toVoiceAgentError(err, 'microphone_unavailable');
      if (this.#audio) this.#report(error.key, errorDetail(error));
    });
  }

  /** A non-fatal error: shown and fired, the session goes on. */
  #report(key: ErrorMessageKey, detail: VoiceAgentErrorDetail): void {
    this.#error = detail;
    this.#errorKey = key;
    this.#host.requestUpdate();
    this.#emit('voice-agent-error', detail);
  }

  /** Closes the current link (if any); the transport keeps the counters and buffers frames again. */
  #hangUp(run: Run): void {
    const link = run.link;
    if (!link) return;
    run.link = undefined;
    clearTimeout(link.timer);
    run.transport!.send({ type: 'hangup' });
  }

  /** Ends the run with a failure: a lost connection is `ended`, anything else `error`. */
  #fail(run: Run, err: unknown): Promise<void> {
    // Token and socket failures are VoiceAgentErrors already; anything else came from the engine.
    const error = toVoiceAgentError(err, 'audio_failed/engine');
    return error.code === 'connection_lost'
      ? this.#end(run, 'ended', 'connection_lost', error)
      : this.#end(run, 'error', 'error', error);
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
    run.abort.abort(); // cancels the token request, its timer and a backoff wait; resolves a pending start()
    this.#hangUp(run);
    run.transport?.close();
    run.releasePage?.();
    const { audio } = run;
    let closed = Promise.resolve();
    if (audio) {
      audio.onError = audio.onSuspended = null;
      closed = audio.close();
      // open() still pending (e.g. the permission prompt): close again once it settles, so what it
      // acquires late is released too. close() is idempotent.
      const release = () => void audio.close();
      if (!run.openSettled) run.opening?.then(release, release);
    }
    this.#audio = null;
    this.#needsGesture = false;
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

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** Resolves at once while the browser is online, else on `online`, on abort, or at `deadline`. */
function untilOnline(signal: AbortSignal, deadline: number): Promise<void> {
  if (navigator.onLine !== false || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, deadline - performance.now());
    addEventListener('online', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
