import { tokenMessage } from './protocol.js';

/**
 * Microphone audio allowed to wait in the socket's send buffer (1 s at 16 kHz Int16). Beyond it, frames
 * wait in the transport's own small queue instead, whose oldest frame is dropped (and counted) when it
 * is full: a socket cannot unsend what it has queued, and after a stall the service should hear the
 * latest speech, not a growing backlog.
 */
export const MAX_BUFFERED_BYTES = 32_000;

/** Frames held back while the send buffer is over its bound: 200 ms. */
export const MAX_QUEUED_FRAMES = 10;

/**
 * One connection to the voice service, as the session sees it: the seam where the socket could move
 * off the main thread (into a Worker) without the session changing. Sends the token first, on open.
 */
export interface Transport {
  /** Open, the token sent. */
  onopen: (() => void) | null;
  /** A server frame: text, or binary as an ArrayBuffer. */
  onmessage: ((data: string | ArrayBuffer) => void) | null;
  /** Closed by the other side or the network, never after close(); `opened` says whether it had opened. */
  onclose: ((code: number, reason: string, opened: boolean) => void) | null;
  /**
   * Queues one 640-byte microphone frame (dropped unless open). `early` frames (the audio kept while
   * connecting, at most EARLY_AUDIO_MS, sent once right after `connected`) go straight to the socket and
   * do not count against the stall bound, so live audio behind them is not dropped for their sake.
   */
  sendFrame(frame: ArrayBuffer, early?: boolean): void;
  /** Frames handed to the socket, and frames dropped because its send buffer stayed full. */
  readonly framesSent: number;
  readonly framesDropped: number;
  /** Closes with 1000 and detaches every handler. Idempotent. */
  close(): void;
}

/** Opens a transport to `url` that sends `token` first. Throws (synchronously) when the URL is refused. */
export type TransportFactory = (url: string, token: string) => Transport;

/** The main-thread WebSocket transport, with the bounded outbox described at MAX_BUFFERED_BYTES. */
export class SocketTransport implements Transport {
  onopen: (() => void) | null = null;
  onmessage: ((data: string | ArrayBuffer) => void) | null = null;
  onclose: ((code: number, reason: string, opened: boolean) => void) | null = null;
  framesSent = 0;
  framesDropped = 0;
  readonly #socket: WebSocket;
  readonly #outbox: ArrayBuffer[] = [];
  /** Bytes handed to the socket in all, and of them the early burst's. */
  #sentBytes = 0;
  #earlyBytes = 0;

  constructor(url: string, token: string) {
    const socket = (this.#socket = new WebSocket(url));
    socket.binaryType = 'arraybuffer';
    let opened = false;
    socket.onopen = () => {
      opened = true;
      socket.send(tokenMessage(token));
      this.onopen?.();
    };
    socket.onmessage = (event) => this.onmessage?.(event.data);
    // No onerror: a close event always follows an error, and carries the code.
    socket.onclose = (event) => this.onclose?.(event.code, event.reason, opened);
  }

  sendFrame(frame: ArrayBuffer, early = false): void {
    const socket = this.#socket;
    const outbox = this.#outbox;
    if (socket.readyState !== WebSocket.OPEN) return;
    if (early) {
      this.#earlyBytes += frame.byteLength;
      return this.#send(frame);
    }
    outbox.push(frame);
    while (outbox.length > 0 && this.#liveBacklog() <= MAX_BUFFERED_BYTES) this.#send(outbox.shift()!);
    if (outbox.length > MAX_QUEUED_FRAMES) {
      outbox.shift();
      this.framesDropped++;
    }
  }

  /** Live audio waiting in the send buffer: what is buffered, less what is left of the early burst (sent first). */
  #liveBacklog(): number {
    // `?? 0`: socket doubles such as mock-socket have no bufferedAmount.
    const buffered = this.#socket.bufferedAmount ?? 0;
    const drained = this.#sentBytes - buffered;
    return buffered - Math.min(this.#earlyBytes, Math.max(0, this.#earlyBytes - drained));
  }

  #send(frame: ArrayBuffer): void {
    this.#sentBytes += frame.byteLength;
    this.#socket.send(frame);
    this.framesSent++;
  }

  close(): void {
    const socket = this.#socket;
    socket.onopen = socket.onmessage = socket.onclose = null;
    this.#outbox.length = 0;
    if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close(1000);
  }
}

/** The default {@link TransportFactory}. */
export const openSocket: TransportFactory = (url, token) => new SocketTransport(url, token);
