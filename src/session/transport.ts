import { meterPainter } from '../meter-painter.js';
import {
  CORE_CONFIG,
  runSocketCore,
  type CoreCommand,
  type CoreEvent,
  type CoreScope,
  type CoreStats,
} from './socket-core.js';

/** Where the audio worklets send microphone frames (`capture`) and take agent audio from (`playback`). */
export interface AudioPorts {
  capture: MessagePort;
  playback: MessagePort;
}

/** Where the socket runs: in its own Worker, or on the main thread where no Worker can start. */
export type TransportKind = 'worker' | 'main';

/** What the core says about a connection, tagged with the id of the `open` command that made it. */
export type LinkEvent = Exclude<CoreEvent, { type: 'ready' | 'stats' }>;

/**
 * The session's side of the socket core (socket-core.ts), for one session and all its connections.
 * Audio never passes through it: the worklets hold the other ends of `ports`.
 */
export interface Transport {
  readonly kind: TransportKind;
  /** For the audio engine, once. */
  readonly ports: AudioPorts;
  /**
   * Counters over every connection: on the main thread the core's own, from a Worker as last reported
   * (at most 250 ms old, final once closed).
   */
  readonly stats: CoreStats;
  /** A connection opened (the token sent), a server text frame (binary goes to the playback port), a close. */
  onevent: ((event: LinkEvent) => void) | null;
  /**
   * Tells the core to open, pass `connected` on, hang up, or draw the meter (an OffscreenCanvas is
   * transferred); queued until it runs.
   */
  send(command: Exclude<CoreCommand, { type: 'close' }>): void;
  /** The end: closes the connection with 1000, both ports and the Worker. Idempotent. */
  close(): void;
}

/** Makes the transport of one session; `workerUrl` as for {@link CoreTransport}. */
export type TransportFactory = (workerUrl?: string) => Transport;

/** Either side of the core's channel: a Worker, its global scope, or the main thread's stand-ins for them. */
interface Peer {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

/** The Worker's script: the core's own source and the meter painter's, run on the Worker's global scope. */
const WORKER_SOURCE = `(${runSocketCore})(self,${JSON.stringify(CORE_CONFIG)},${meterPainter})`;

/**
 * The core in a dedicated Worker, started from a Blob URL of its source or from `workerUrl` (the site's
 * copy of dist/voice-agent.worklet.js, which holds it too), or on the main thread (`workerUrl` null, no
 * Worker, or one that cannot start): the same code, the same messages, the same
 * ports either way. Commands wait until the core says `ready`, and only then are the audio ports handed
 * over, so a Worker that fails to start (a Content-Security-Policy without `blob:` for workers may fail
 * it late) leaves them for the main thread.
 */
export class CoreTransport implements Transport {
  kind: TransportKind = 'main';
  onevent: Transport['onevent'] = null;
  stats: CoreStats = { framesSent: 0, framesDropped: 0, framesReceived: 0 };
  readonly ports: AudioPorts;
  /** close() was called. */
  closed = false;
  /** The ends the core holds. */
  readonly #coreEnds: MessagePort[];
  /** The last connection opened: the one a failing Worker takes with it. */
  #id = 0;
  /** Where the core runs: the Worker, or its stand-in on the main thread. */
  #core!: Peer;
  #waiting: CoreCommand[] | null = [];

  constructor(workerUrl?: string | null) {
    const capture = new MessageChannel();
    const playback = new MessageChannel();
    this.ports = { capture: capture.port1, playback: playback.port1 };
    this.#coreEnds = [capture.port2, playback.port2];
    if (workerUrl !== null) {
      const url = workerUrl ?? URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
      try {
        // Throws where Worker is missing, the URL is of another origin, or a CSP refuses it at once.
        const core = new Worker(url);
        core.onerror = () => this.#fallBack();
        // A Worker that never says `ready` (refused without an error event) counts as failed too.
        setTimeout(() => this.#waiting && this.#fallBack(), CORE_CONFIG.readyWait);
        this.#listen(core);
        this.kind = 'worker';
      } catch {
        // The main thread, below.
      }
      // The Worker resolved its URL as it was constructed (revoking a URL that is not a blob: does nothing).
      URL.revokeObjectURL(url);
    }
    if (this.kind === 'main') this.#runHere();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onevent = null;
    // Queued like any command if the core is not running yet: it then starts, closes the ports and ends.
    this.send({ type: 'close' });
    // The core ends itself once the socket has closed (its final counters say so); this is the backstop.
    setTimeout(() => this.#release(), 2 * CORE_CONFIG.closeWait);
  }

  send(command: CoreCommand): void {
    if (command.type === 'open') this.#id = command.id;
    if (this.#waiting) this.#waiting.push(command);
    else this.#post(command);
  }

  #post(command: CoreCommand): void {
    const { canvas } = command as { canvas?: Transferable };
    this.#core.postMessage(command, canvas ? [canvas] : []);
  }

  #listen(core: Peer): void {
    this.#core = core;
    core.onmessage = ({ data }: MessageEvent<CoreEvent>) => {
      if (data.type === 'ready') {
        core.postMessage(null, this.#coreEnds);
        for (const command of this.#waiting!) this.#post(command);
        this.#waiting = null;
      } else if (data.type === 'stats') {
        const { type: _, final, ...stats } = data;
        Object.assign(this.stats, stats);
        if (final) this.#release();
      } else this.onevent?.(data);
    };
  }

  /**
   * The core on this thread, with the same messages as from a Worker, passed on synchronously both ways
   * (as the socket's own events are), so the main thread spends no task on each.
   */
  #runHere(): void {
    this.kind = 'main';
    const scope: CoreScope = {
      onmessage: null,
      postMessage: (data) => here.onmessage!({ data } as MessageEvent),
      close() {},
    };
    const here: Peer = {
      onmessage: null,
      postMessage: (data, ports = []) => scope.onmessage!({ data, ports } as unknown as MessageEvent),
    };
    this.#listen(here);
    this.stats = runSocketCore(scope, CORE_CONFIG, meterPainter);
  }

  /**
   * The Worker failed. Before it had the ports, the core moves to the main thread with what was asked
   * meanwhile; after, the ports went with it, so the current connection is lost, as a network drop.
   */
  #fallBack(): void {
    this.#release();
    if (this.#waiting) return this.#runHere();
    this.onevent?.({ type: 'close', id: this.#id, code: 1006, reason: '', opened: true });
  }

  /** Ends the Worker (on the main thread, the core has ended by itself). */
  #release(): void {
    (this.#core as Partial<Worker>).terminate?.();
  }
}

/**
 * The default {@link TransportFactory}: the Worker where one can start, else the main thread. Both run
 * the same core with the same ports, so they behave the same; `getStats().transport` says which.
 */
export const openTransport: TransportFactory = (workerUrl) => new CoreTransport(workerUrl);
