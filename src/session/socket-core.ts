// The socket side of a session, ONE function that runs either as the socket Worker's script or on the
// main thread (the fallback): the WebSocket, the token sent first, the first-words buffer, the bounded
// outbox and the counters. Microphone frames come straight from the capture worklet on one MessagePort,
// agent audio goes straight to the playback worklet on another; only control messages reach the session.
import type { MeterCommand, meterPainter } from '../meter-painter.js';
import { FRAME_MS } from '../wire.js';

/** How the core is tuned: passed in, since its source must not refer to anything outside itself. */
export interface CoreConfig {
  /** Frames kept while no connection is `connected` (before the first, during a reconnect). */
  early: number;
  /**
   * Microphone audio allowed to wait in the socket's send buffer, bytes. Beyond it, frames wait in the
   * core's own small queue instead, whose oldest frame is dropped (and counted) when it is full: a socket
   * cannot unsend what it has queued, and after a stall the service should hear the latest speech.
   */
  maxBuffered: number;
  /** Frames held back while the send buffer is over its bound. */
  maxQueued: number;
  /** How long the end waits for the sockets' closing handshakes before it goes anyway, ms. */
  closeWait: number;
  /** How often the counters are reported: often enough for getStats(), cheap for the page. */
  statsEvery: number;
  /** How long a Worker may take to say `ready` before the core runs on the main thread instead, ms. */
  readyWait: number;
}

/** Microphone audio kept while no connection is `connected`, ms (the first words). */
export const EARLY_AUDIO_MS = 2000;

export const CORE_CONFIG: CoreConfig = {
  early: EARLY_AUDIO_MS / FRAME_MS,
  maxBuffered: 32_000, // 1 s at 16 kHz Int16
  maxQueued: 10, // 200 ms
  closeWait: 2000,
  statsEvery: 250,
  // WebKit starts no Worker from a srcdoc frame under a CSP without worker-src, and reports no error.
  readyWait: 1500,
};

/** Session → core. Each `open` starts connection `id` (closing the previous one with 1000). */
export type CoreCommand =
  /** `first`: the text sent first, on open (the token message). */
  | { type: 'open'; id: number; url: string; first: string }
  /** The server said `connected`: the kept frames go first, in order, then live audio. */
  | { type: 'connected' }
  /** Closes the connection with 1000; frames are kept again for the next one. */
  | { type: 'hangup' }
  /** The meter's canvas (the first time) and its style: the core draws the levels the playback worklet posts it. */
  | MeterCommand
  /** The end: closes the connection with 1000, both ports, and then the core's own scope. */
  | { type: 'close' };

/** Microphone frames sent and dropped, agent frames received, over every connection of the session. */
export interface CoreStats {
  framesSent: number;
  framesDropped: number;
  framesReceived: number;
}

/** Core → session, about connection `id` (events of an older connection are ignored by the session). */
export type CoreEvent =
  /** The core runs; the session sends the two audio ports next (the first message), then commands. */
  | { type: 'ready' }
  | { type: 'open'; id: number }
  | { type: 'message'; id: number; data: string }
  /** `refused`: the URL was not accepted (nothing was opened). */
  | { type: 'close'; id: number; code: number; reason: string; opened: boolean; refused?: string }
  /** The counters, every `statsEvery` ms and once more, final, when the core ends. */
  | ({ type: 'stats'; final?: boolean } & CoreStats);

/** Where the core runs: a Worker's global scope, or on the main thread one end of a MessageChannel. */
export interface CoreScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: CoreEvent): void;
  close(): void;
}

/**
 * Runs the core on `scope`. Self-contained (it names nothing but its parameters and the globals a
 * Worker has), because its source text, `Function.prototype.toString()`, is the socket Worker's script;
 * so is `paint`'s (meter-painter.ts), which draws the meter where the core runs.
 * Returns its live counters, for the main thread (a Worker's are reported every `statsEvery` ms).
 */
export function runSocketCore(scope: CoreScope, config: CoreConfig, paint: typeof meterPainter): CoreStats {
  const stats: CoreStats = { framesSent: 0, framesDropped: 0, framesReceived: 0 };
  let socket: WebSocket | null = null;
  let live = false;
  /** Frames captured while no connection is `connected`. */
  let early: ArrayBuffer[] = [];
  let outbox: ArrayBuffer[] = [];
  /** Bytes handed to the current socket in all, and of them the early burst's. */
  let sentBytes = 0;
  let earlyBytes = 0;
  /** Settles once every socket closed by us has finished its closing handshake. */
  let closing: Promise<unknown> = Promise.resolve();
  let ports: readonly MessagePort[] = [];
  let timer: ReturnType<typeof setInterval>;
  let draw: ReturnType<typeof paint> | undefined;
  const post = (event: CoreEvent) => scope.postMessage(event);
  const report = (final?: boolean) => post({ type: 'stats', final, ...stats });

  const send = (frame: ArrayBuffer) => {
    sentBytes += frame.byteLength;
    socket!.send(frame);
    stats.framesSent++;
  };

  const hangUp = () => {
    const old = socket;
    live = false;
    outbox = [];
    if (!old) return;
    socket = null;
    old.onopen = old.onmessage = old.onclose = null;
    if (old.readyState > 1) return; // closing or closed already
    closing = Promise.all([closing, new Promise((resolve) => old.addEventListener('close', resolve))]);
    old.close(1000);
  };

  /** A microphone frame: live once connected, else kept for the next `connected`. */
  const frame = ({ data }: MessageEvent<ArrayBuffer>) => {
    if (!live) {
      if (early.push(data) > config.early) {
        early.shift();
        stats.framesDropped++;
      }
      return;
    }
    outbox.push(data);
    // Live audio waiting in the send buffer: what is buffered, less what is left of the early burst
    // (sent first). `?? 0`: socket doubles such as mock-socket have no bufferedAmount.
    const backlog = () => {
      const buffered = socket!.bufferedAmount ?? 0;
      return buffered - Math.min(earlyBytes, Math.max(0, earlyBytes - sentBytes + buffered));
    };
    while (outbox.length > 0 && backlog() <= config.maxBuffered) send(outbox.shift()!);
    if (outbox.length > config.maxQueued) {
      outbox.shift();
      stats.framesDropped++;
    }
  };

  const open = (id: number, url: string, first: string) => {
    hangUp();
    let ws: WebSocket;
    try {
      ws = socket = new WebSocket(url);
    } catch (err) {
      return post({ type: 'close', id, code: 0, reason: '', opened: false, refused: String(err) });
    }
    ws.binaryType = 'arraybuffer';
    sentBytes = earlyBytes = 0;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      ws.send(first);
      post({ type: 'open', id });
    };
    ws.onmessage = ({ data }: MessageEvent<string | ArrayBuffer>) => {
      if (typeof data === 'string') return post({ type: 'message', id, data });
      // Agent audio is played even before `connected`: dropping an early greeting would be worse.
      stats.framesReceived++;
      ports[1].postMessage(data, [data]);
    };
    // No onerror: a close event always follows an error, and carries the code.
    ws.onclose = ({ code, reason }) => {
      hangUp();
      post({ type: 'close', id, code, reason, opened });
    };
  };

  scope.onmessage = ({ data, ports: given }: MessageEvent<CoreCommand | null>) => {
    if (!data) {
      ports = given; // [capture, playback]
      ports[0].onmessage = frame;
      // The playback worklet posts both levels back on its port, ~20 times a second while they change.
      ports[1].onmessage = (event) => draw?.(event.data);
      timer = setInterval(report, config.statsEvery);
      return;
    }
    if (data.type === 'open') return open(data.id, data.url, data.first);
    if (data.type === 'meter') {
      if (data.canvas) draw = paint(data.canvas);
      return draw?.(data);
    }
    if (data.type === 'connected') {
      if (!socket) return; // closed meanwhile: its close event is on the way
      live = true;
      for (const kept of early.splice(0)) {
        earlyBytes += kept.byteLength;
        send(kept);
      }
      return;
    }
    hangUp();
    if (data.type === 'hangup') return;
    early = [];
    clearInterval(timer);
    for (const port of ports) port.close();
    // Ending mid-handshake would drop the connection (the server sees 1006, not 1000): wait for it.
    const wait = new Promise((resolve) => setTimeout(resolve, config.closeWait));
    void Promise.race([closing, wait]).then(() => {
      report(true);
      scope.close();
    });
  };
  post({ type: 'ready' });
  return stats;
}
