// The socket side of a session, ONE implementation that runs either in the socket Worker
// (socket.worker.ts) or on the main thread (the fallback, transport.ts): the WebSocket, the token sent
// first, the first-words buffer, the bounded outbox and the counters. Microphone frames come straight
// from the capture worklet on one MessagePort, agent audio goes straight to the playback worklet on
// another; only control messages reach the session. No DOM: WebSocket and MessagePort exist in Workers.
import { FRAME_MS } from '../wire.js';
import { tokenMessage } from './protocol.js';

/**
 * Microphone audio allowed to wait in the socket's send buffer (1 s at 16 kHz Int16). Beyond it, frames
 * wait in the core's own small queue instead, whose oldest frame is dropped (and counted) when it is
 * full: a socket cannot unsend what it has queued, and after a stall the service should hear the
 * latest speech, not a growing backlog.
 */
export const MAX_BUFFERED_BYTES = 32_000;

/** Frames held back while the send buffer is over its bound: 200 ms. */
export const MAX_QUEUED_FRAMES = 10;

/** Microphone audio kept while no connection is `connected` (before the first, during a reconnect), ms. */
export const EARLY_AUDIO_MS = 2000;
const EARLY_FRAMES = EARLY_AUDIO_MS / FRAME_MS;

/** How long a Worker's end waits for the socket's closing handshake before it goes anyway. */
export const CLOSE_WAIT_MS = 2000;

/** Session → core. Each `open` starts connection `id` (closing the previous one with 1000). */
export type CoreCommand =
  | { type: 'open'; id: number; url: string; token: string }
  /** The server said `connected`: the kept frames go first, in order, then live audio. */
  | { type: 'connected' }
  /** Closes the connection with 1000; frames are kept again for the next one. */
  | { type: 'hangup' }
  /** The end: closes the connection with 1000 and both ports. */
  | { type: 'close' };

/** Microphone frames sent and dropped, agent frames received, over every connection of the session. */
export interface CoreStats {
  framesSent: number;
  framesDropped: number;
  framesReceived: number;
}

/** Core → session, about connection `id` (events of an older connection are ignored by the session). */
export type CoreEvent =
  | { type: 'open'; id: number }
  | { type: 'message'; id: number; data: string }
  /** `refused`: the URL was not accepted (nothing was opened). */
  | { type: 'close'; id: number; code: number; reason: string; opened: boolean; refused?: string }
  | ({ type: 'stats' } & CoreStats);

export class SocketCore {
  readonly stats: CoreStats = { framesSent: 0, framesDropped: 0, framesReceived: 0 };
  #socket: WebSocket | null = null;
  #live = false;
  /** Frames captured while no connection is `connected`: the last EARLY_AUDIO_MS. */
  #early: ArrayBuffer[] = [];
  #outbox: ArrayBuffer[] = [];
  /** Bytes handed to the current socket in all, and of them the early burst's. */
  #sentBytes = 0;
  #earlyBytes = 0;
  /** Sockets closed by us whose closing handshake is still under way. */
  readonly #closing = new Set<Promise<void>>();

  constructor(
    readonly post: (event: CoreEvent) => void,
    readonly capture: MessagePort,
    readonly playback: MessagePort,
  ) {
    capture.onmessage = (event: MessageEvent<ArrayBuffer>) => this.#frame(event.data);
  }

  /** Resolves once every socket closed so far has finished closing (its close frame is out). */
  get closed(): Promise<void> {
    return Promise.all(this.#closing).then(() => {});
  }

  command(command: CoreCommand): void {
    switch (command.type) {
      case 'open':
        return this.#open(command);
      case 'connected':
        if (!this.#socket) return; // closed meanwhile: its close event is on the way
        this.#live = true;
        for (const frame of this.#early.splice(0)) {
          this.#earlyBytes += frame.byteLength;
          this.#send(frame);
        }
        return;
      case 'hangup':
        return this.#hangUp();
      case 'close':
        this.#hangUp();
        this.#early = [];
        this.capture.onmessage = null;
        this.capture.close();
        this.playback.close();
    }
  }

  #open({ id, url, token }: { id: number; url: string; token: string }): void {
    this.#hangUp();
    let socket: WebSocket;
    try {
      socket = this.#socket = new WebSocket(url);
    } catch (err) {
      return this.post({ type: 'close', id, code: 0, reason: '', opened: false, refused: String(err) });
    }
    socket.binaryType = 'arraybuffer';
    this.#sentBytes = this.#earlyBytes = 0;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      socket.send(tokenMessage(token));
      this.post({ type: 'open', id });
    };
    socket.onmessage = ({ data }: MessageEvent<string | ArrayBuffer>) => {
      if (typeof data === 'string') return this.post({ type: 'message', id, data });
      // Agent audio is played even before `connected`: dropping an early greeting would be worse.
      this.stats.framesReceived++;
      this.playback.postMessage(data, [data]);
    };
    // No onerror: a close event always follows an error, and carries the code.
    socket.onclose = ({ code, reason }) => {
      this.#hangUp();
      this.post({ type: 'close', id, code, reason, opened });
    };
  }

  #hangUp(): void {
    const socket = this.#socket;
    this.#live = false;
    this.#outbox = [];
    if (!socket) return;
    this.#socket = null;
    socket.onopen = socket.onmessage = socket.onclose = null;
    if (socket.readyState !== WebSocket.CONNECTING && socket.readyState !== WebSocket.OPEN) return;
    const closing = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve(), { once: true }));
    this.#closing.add(closing);
    void closing.then(() => this.#closing.delete(closing));
    socket.close(1000);
  }

  /** A microphone frame: live once connected, else kept for the next `connected`. */
  #frame(frame: ArrayBuffer): void {
    const outbox = this.#outbox;
    if (!this.#live) {
      if (this.#early.push(frame) > EARLY_FRAMES) {
        this.#early.shift();
        this.stats.framesDropped++;
      }
      return;
    }
    outbox.push(frame);
    while (outbox.length > 0 && this.#liveBacklog() <= MAX_BUFFERED_BYTES) this.#send(outbox.shift()!);
    if (outbox.length > MAX_QUEUED_FRAMES) {
      outbox.shift();
      this.stats.framesDropped++;
    }
  }

  /** Live audio waiting in the send buffer: what is buffered, less what is left of the early burst (sent first). */
  #liveBacklog(): number {
    // `?? 0`: socket doubles such as mock-socket have no bufferedAmount.
    const buffered = this.#socket!.bufferedAmount ?? 0;
    const drained = this.#sentBytes - buffered;
    return buffered - Math.min(this.#earlyBytes, Math.max(0, this.#earlyBytes - drained));
  }

  #send(frame: ArrayBuffer): void {
    this.#sentBytes += frame.byteLength;
    this.#socket!.send(frame);
    this.stats.framesSent++;
  }
}
