import socketWorkerCode from './socket.worker.ts?worklet';
import { CLOSE_WAIT_MS, SocketCore, type CoreCommand, type CoreEvent, type CoreStats } from './socket-core.js';

/** Where the audio worklets send microphone frames (`capture`) and take agent audio from (`playback`). */
export interface AudioPorts {
  capture: MessagePort;
  playback: MessagePort;
}

/** Where the socket runs: in its own Worker, or on the main thread where no Worker can start. */
export type TransportKind = 'worker' | 'main';

/**
 * The session's side of the socket core (socket-core.ts), for one session and all its connections.
 * Audio never passes through it: the worklets hold the other ends of `ports`. Events of a connection
 * the session has already left behind (hung up, or replaced by a newer `open()`) are not passed on.
 */
export interface Transport {
  readonly kind: TransportKind;
  /** For the audio engine, once. */
  readonly ports: AudioPorts;
  /** Open, the token sent. */
  onopen: (() => void) | null;
  /** A server text frame (binary frames go to the playback port). */
  onmessage: ((data: string) => void) | null;
  /** Closed by the other side or the network, or `refused` (the URL was not accepted); never after hangUp(). */
  onclose: ((code: number, reason: string, opened: boolean, refused?: string) => void) | null;
  /** Opens a new connection to `url` that sends `token` first, hanging up the current one. */
  open(url: string, token: string): void;
  /** The server said `connected`: the frames kept meanwhile go first, then live audio. */
  connected(): void;
  /** Closes the current connection with 1000; microphone frames are kept for the next. */
  hangUp(): void;
  /** Counters over every connection; in a Worker, as last reported (at most 250 ms old, final once closed). */
  readonly stats: CoreStats;
  /** The end: closes the connection with 1000, both ports and the Worker. Idempotent. */
  close(): void;
}

/** Makes the transport of one session. */
export type TransportFactory = () => Transport;

/** Runs the core on the main thread or in a Worker; everything but the command channel is shared. */
abstract class BaseTransport implements Transport {
  abstract readonly kind: TransportKind;
  onopen: (() => void) | null = null;
  onmessage: ((data: string) => void) | null = null;
  onclose: Transport['onclose'] = null;
  stats: CoreStats = { framesSent: 0, framesDropped: 0, framesReceived: 0 };
  readonly ports: AudioPorts;
  /** The ends the core holds. */
  protected readonly coreEnds: [MessagePort, MessagePort];
  #id = 0;
  /** close() was called. */
  closed = false;

  constructor() {
    const capture = new MessageChannel();
    const playback = new MessageChannel();
    this.ports = { capture: capture.port1, playback: playback.port1 };
    this.coreEnds = [capture.port2, playback.port2];
  }

  protected abstract send(command: CoreCommand): void;

  open(url: string, token: string): void {
    this.send({ type: 'open', id: ++this.#id, url, token });
  }

  connected(): void {
    this.send({ type: 'connected' });
  }

  hangUp(): void {
    this.#id++;
    this.send({ type: 'hangup' });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#id++;
    this.onopen = this.onmessage = this.onclose = null;
    this.send({ type: 'close' });
  }

  /** The core is gone (its Worker crashed): the current connection is lost, as a network drop would be. */
  protected lost(): void {
    this.event({ type: 'close', id: this.#id, code: 1006, reason: '', opened: true });
  }

  protected event(event: CoreEvent): void {
    if (event.type === 'stats') {
      const { type: _, ...stats } = event;
      this.stats = stats;
    } else if (event.id === this.#id) {
      if (event.type === 'open') this.onopen?.();
      else if (event.type === 'message') this.onmessage?.(event.data);
      else this.onclose?.(event.code, event.reason, event.opened, event.refused);
    }
  }
}

/** The fallback: the same core on the main thread, its counters read directly. */
export class MainTransport extends BaseTransport {
  readonly kind = 'main';
  readonly #core: SocketCore;

  constructor() {
    super();
    this.#core = new SocketCore((event) => this.event(event), ...this.coreEnds);
    this.stats = this.#core.stats;
  }

  protected send(command: CoreCommand): void {
    this.#core.command(command);
  }
}

/**
 * The core in a dedicated Worker started from a Blob URL. Commands wait until the Worker says `ready`
 * (only then are the ports handed over); if it fails to start (a Content-Security-Policy without
 * `blob:` for workers may fail it late), the core runs on the main thread instead, with the same ports.
 */
class WorkerTransport extends BaseTransport {
  kind: TransportKind = 'worker';
  #worker: Worker | null;
  #waiting: CoreCommand[] | null = [];
  #main: SocketCore | null = null;
  #url: string;

  constructor() {
    super();
    // Throws where Worker is missing or a CSP refuses the URL at once; openTransport falls back then.
    this.#url = URL.createObjectURL(new Blob([socketWorkerCode], { type: 'text/javascript' }));
    try {
      this.#worker = new Worker(this.#url);
    } catch (err) {
      URL.revokeObjectURL(this.#url);
      throw err;
    }
    this.#worker.onerror = () => this.#fallBack();
    this.#worker.onmessage = ({ data }: MessageEvent<CoreEvent | { type: 'ready' }>) => {
      if (data.type !== 'ready') return this.#received(data);
      URL.revokeObjectURL(this.#url);
      this.#worker!.postMessage(null, this.coreEnds);
      for (const command of this.#waiting!) this.#worker!.postMessage(command);
      this.#waiting = null;
    };
  }

  protected send(command: CoreCommand): void {
    if (this.#main) this.#main.command(command);
    else if (this.#waiting) this.#waiting.push(command);
    else this.#worker?.postMessage(command);
    if (command.type !== 'close') return;
    // It ends itself once the socket has closed; this is the backstop should it never answer.
    if (!this.#main && !this.#waiting) return void setTimeout(() => this.#terminate(), 2 * CLOSE_WAIT_MS);
    if (this.#waiting) for (const port of this.coreEnds) port.close(); // never handed over
    this.#terminate();
  }

  #received(event: CoreEvent): void {
    this.event(event);
    if (this.closed && event.type === 'stats') this.#terminate(); // the final counters
  }

  #fallBack(): void {
    if (!this.#waiting) return this.lost(); // the ports went with it: no fallback now
    const waiting = this.#waiting;
    this.#terminate();
    this.kind = 'main';
    const core = (this.#main = new SocketCore((event) => this.event(event), ...this.coreEnds));
    this.stats = core.stats;
    for (const command of waiting) core.command(command);
  }

  #terminate(): void {
    URL.revokeObjectURL(this.#url);
    this.#worker?.terminate();
    this.#worker = null;
    this.#waiting = null;
  }
}

/**
 * The default {@link TransportFactory}: the Worker where one can start, else the main thread. Both run
 * the same core with the same ports, so they behave the same; `getStats().transport` says which.
 */
export const openTransport: TransportFactory = () => {
  try {
    return new WorkerTransport();
  } catch {
    return new MainTransport();
  }
};
