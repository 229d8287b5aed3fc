// The socket core (socket-core.ts) driven directly against mock-socket, and the transport choice:
// a Worker by default, the main thread where none can start, each released on close.
import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import { Server, type Client } from 'mock-socket';
import {
  CORE_CONFIG,
  EARLY_AUDIO_MS,
  runSocketCore,
  type CoreCommand,
  type CoreEvent,
  type CoreStats,
} from '../../src/session/socket-core.js';
import { tokenMessage } from '../../src/session/protocol.js';
import { CoreTransport, openTransport, type Transport } from '../../src/session/transport.js';
import { FRAME_BYTES, FRAME_MS } from '../../src/wire.js';
import { meterPainter, type MeterStyle } from '../../src/meter-painter.js';
import { haloRadius, meterPixel } from '../helpers/meter.js';

const WS_URL = 'wss://voice.test/core';
const WAIT = { timeout: 5000 };
const frame = (fill: number) => new Uint8Array(FRAME_BYTES).fill(fill).buffer;
const METER: MeterStyle = { size: 100, colors: ['rgb(0, 128, 0)', 'rgb(0, 0, 255)'], swell: 0.8, still: false };
/** A canvas in the page, for a core to draw on (a placeholder shows only while in a document). */
function meterCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  document.body.append(canvas);
  return canvas;
}
const fills = (messages: unknown[]) =>
  messages.filter((m): m is ArrayBuffer => m instanceof ArrayBuffer).map((f) => new Uint8Array(f)[0]);

describe('runSocketCore (mock-socket)', () => {
  let server: Server;
  let clients: Client[];
  let received: unknown[];
  let closeCodes: number[];
  let events: CoreEvent[];
  let scopeClosed: boolean;
  let command: (command: CoreCommand) => void;
  let mic: MessagePort;
  let speaker: MessagePort;
  let played: ArrayBuffer[];
  /** The last counters the core reported. */
  const stats = () => events.filter((e): e is { type: 'stats' } & CoreStats => e.type === 'stats').at(-1);
  const counted = (expected: Partial<CoreStats>) =>
    waitUntil(() => Object.entries(expected).every(([k, v]) => stats()?.[k as keyof CoreStats] === v), 'counted', WAIT);

  beforeEach(() => {
    server = new Server(WS_URL);
    [clients, received, closeCodes, events, played] = [[], [], [], [], []];
    scopeClosed = false;
    server.on('connection', (socket) => {
      clients.push(socket);
      socket.on('message', (data) => received.push(data));
      socket.target.addEventListener('close', (event) => closeCodes.push((event as CloseEvent).code));
    });
    const capture = new MessageChannel();
    const playback = new MessageChannel();
    [mic, speaker] = [capture.port1, playback.port1];
    speaker.onmessage = ({ data }: MessageEvent<ArrayBuffer>) => played.push(data);
    // The scope a Worker's global would be, synchronous here; this test's own log (a core's last words
    // come after its test ended).
    const log = events;
    const scope = {
      onmessage: null as ((event: MessageEvent) => void) | null,
      postMessage: (event: CoreEvent) => void log.push(event),
      close: () => void (scopeClosed = true),
    };
    runSocketCore(scope, CORE_CONFIG, meterPainter);
    expect(events).to.deep.equal([{ type: 'ready' }]);
    scope.onmessage!({ data: null, ports: [capture.port2, playback.port2] } as unknown as MessageEvent);
    command = (data) => scope.onmessage!({ data, ports: [] } as unknown as MessageEvent);
  });

  afterEach(() => {
    if (!scopeClosed) command({ type: 'close' });
    server.stop();
  });

  const send = (fill: number) => {
    const f = frame(fill);
    mic.postMessage(f, [f]);
  };

  it('sends the token first, keeps frames until connected, then the kept ones in order, then live', async () => {
    for (let i = 1; i <= 3; i++) send(i);
    command({ type: 'open', id: 1, url: WS_URL, first: '{"token":"tok"}' });
    await waitUntil(() => events.some((e) => e.type === 'open'), 'open', WAIT);
    await aTimeout(20);
    expect(received).to.deep.equal(['{"token":"tok"}']); // nothing before connected
    clients[0].send('{"type":"connected"}');
    await waitUntil(() => events.some((e) => e.type === 'message'), 'connected passed on', WAIT);
    expect(events.at(-1)).to.deep.equal({ type: 'message', id: 1, data: '{"type":"connected"}' });
    command({ type: 'connected' });
    send(4);
    await waitUntil(() => received.length === 5, 'frames', WAIT);
    expect(fills(received)).to.deep.equal([1, 2, 3, 4]);
    await counted({ framesSent: 4, framesDropped: 0, framesReceived: 0 });
  });

  it('keeps only the last EARLY_AUDIO_MS while not connected, counting the rest as dropped', async () => {
    const early = EARLY_AUDIO_MS / FRAME_MS;
    for (let i = 0; i < early + 5; i++) send(i);
    await counted({ framesDropped: 5 });
  });

  it('passes agent audio to the playback port (counted), text to the session, closes with 1000, then ends', async () => {
    command({ type: 'open', id: 7, url: WS_URL, first: 'hello' });
    await waitUntil(() => clients.length === 1, 'connection', WAIT);
    clients[0].send(new Int16Array([1, -2]).buffer);
    await waitUntil(() => played.length === 1, 'played', WAIT);
    expect(Array.from(new Int16Array(played[0]))).to.deep.equal([1, -2]);
    await counted({ framesReceived: 1 });
    command({ type: 'close' });
    // It ends only after the socket's closing handshake, so the close frame goes out, with final counters.
    await waitUntil(() => scopeClosed, 'scope closed', WAIT);
    expect(closeCodes).to.deep.equal([1000]);
    expect(events.at(-1)).to.deep.equal({
      type: 'stats',
      final: true,
      framesSent: 0,
      framesDropped: 0,
      framesReceived: 1,
    });
    // Both ports are closed: a frame posted now reaches nothing, and no counters follow.
    const reports = events.length;
    send(9);
    await aTimeout(CORE_CONFIG.statsEvery + 50);
    expect(events).to.have.length(reports);
  });

  it('hangup closes with 1000 and keeps frames for the next connection; a server close is reported once', async () => {
    command({ type: 'open', id: 1, url: WS_URL, first: 'tok' });
    await waitUntil(() => clients.length === 1, 'first', WAIT);
    command({ type: 'connected' });
    command({ type: 'hangup' });
    await waitUntil(() => closeCodes.length === 1, 'hung up', WAIT);
    expect(closeCodes).to.deep.equal([1000]);
    send(5);
    command({ type: 'open', id: 2, url: WS_URL, first: 'tok' });
    await waitUntil(() => clients.length === 2 && received.length === 2, 'second token', WAIT);
    command({ type: 'connected' });
    await waitUntil(() => received.length === 3, 'kept frame', WAIT);
    expect(fills(received)).to.deep.equal([5]);
    clients[1].close({ code: 1011, reason: 'crash', wasClean: false });
    await waitUntil(() => events.some((e) => e.type === 'close'), 'close', WAIT);
    expect(events.filter((e) => e.type === 'close')).to.deep.equal([
      { type: 'close', id: 2, code: 1011, reason: 'crash', opened: true },
    ]);
  });

  it('draws the levels the playback worklet posts back on its port, on the canvas it was handed', async () => {
    const canvas = meterCanvas();
    speaker.postMessage([1, 0]); // no canvas yet: nothing to draw on
    command({ type: 'meter', canvas, ...METER });
    speaker.postMessage([1, 0]);
    await waitUntil(() => meterPixel(canvas, 1.7)[3] > 0, 'the microphone halo at full size', WAIT);
    command({ type: 'meter', ...METER, swell: 0.45 }); // a new style, the same canvas
    expect(haloRadius(canvas)).to.be.closeTo(1.45, 0.05);
    speaker.postMessage([0, 0]);
    await waitUntil(() => meterPixel(canvas, 1.2)[3] === 0, 'back to rest', WAIT);
    canvas.remove();
  });

  it('reports a refused URL as a close with the reason, opening nothing', () => {
    command({ type: 'open', id: 3, url: 'not a url', first: 'tok' });
    const close = events.at(-1);
    expect(close).to.include({ type: 'close', id: 3, opened: false });
    expect((close as { refused?: string }).refused).to.be.a('string').and.not.be.empty;
  });
});

describe('openTransport', () => {
  const PageWorker = window.Worker;
  let transport: Transport | null = null;
  afterEach(() => {
    transport?.close();
    window.Worker = PageWorker;
  });

  /** A token and ws_url from the local server (mounted on the runner's origin). */
  async function token(): Promise<{ token: string; ws_url: string }> {
    const res = await fetch('/api/voice-token', { method: 'POST', body: '{}' });
    return res.json();
  }

  /** Opens `t` against the local server and resolves once it passes on `connected`. */
  async function connected(t: Transport): Promise<void> {
    const { token: secret, ws_url } = await token();
    const messages: string[] = [];
    t.onevent = (event) => void (event.type === 'message' && messages.push(event.data));
    t.send({ type: 'open', id: 1, url: ws_url, first: tokenMessage(secret) });
    await waitUntil(() => messages.includes('{"type":"connected"}'), 'connected', WAIT);
  }

  /** Records each object `proto[method]` (terminate, close) is called on while `body` runs. */
  async function watching<T extends object>(
    proto: T,
    method: keyof T & string,
    body: (calledOn: T[]) => Promise<void>,
  ): Promise<void> {
    const calledOn: T[] = [];
    const real = proto[method] as (this: T) => void;
    (proto as Record<string, unknown>)[method] = function (this: T) {
      calledOn.push(this);
      real.call(this);
    };
    try {
      await body(calledOn);
    } finally {
      (proto as Record<string, unknown>)[method] = real;
    }
  }
  const watchingTerminate = (body: (terminated: Worker[]) => Promise<void>) =>
    watching(Worker.prototype, 'terminate', body);

  /** Streams microphone frames into `t`'s capture port until the core has counted `count` sent. */
  async function sendFrames(t: Transport, count: number): Promise<void> {
    t.send({ type: 'connected' });
    for (let i = 0; i < count; i++) {
      const f = frame(i);
      t.ports.capture.postMessage(f, [f]);
    }
    await waitUntil(() => t.stats.framesSent === count, `${count} frames counted`, WAIT);
  }

  /** The core draws the levels posted on the playback port on an OffscreenCanvas it was handed. */
  async function drawsMeter(t: Transport): Promise<void> {
    const canvas = meterCanvas();
    t.send({ type: 'meter', canvas: canvas.transferControlToOffscreen(), ...METER });
    t.ports.playback.postMessage([0, 1]);
    await waitUntil(() => meterPixel(canvas, 1.7)[2] > 0, 'the agent halo drawn by the core', WAIT);
    canvas.remove();
  }

  it('runs the socket in a Worker by default: frames both ways on the ports, the meter, counters, released on close', async () => {
    await watchingTerminate(async (terminated) => {
      transport = openTransport();
      expect(transport.kind).to.equal('worker');
      const played: ArrayBuffer[] = [];
      transport.ports.playback.onmessage = ({ data }: MessageEvent<ArrayBuffer>) => played.push(data);
      await connected(transport);
      await sendFrames(transport, 5);
      await drawsMeter(transport);
      // The local server greets: agent audio goes from the Worker straight to the playback port.
      await waitUntil(() => played.length > 0 && transport!.stats.framesReceived > 0, 'agent audio', WAIT);
      expect(played.every((f) => f instanceof ArrayBuffer && f.byteLength > 0)).to.equal(true);
      transport.close();
      // Once the socket's closing handshake is done (not the 4 s backstop), with its final counters.
      const closedAt = performance.now();
      await waitUntil(() => terminated.length === 1, 'worker terminated', WAIT);
      expect(performance.now() - closedAt).to.be.below(2 * CORE_CONFIG.closeWait);
      expect(transport.stats.framesSent).to.equal(5);
    });
  });

  it('releases a Worker closed before it ran, and one whose start failed', async () => {
    await watchingTerminate(async (terminated) => {
      openTransport().close(); // the core gets the close with the ports, and ends at once
      await waitUntil(() => terminated.length === 1, 'unstarted worker terminated', WAIT);
      // A URL that does not load: an error event, then the main thread.
      transport = openTransport('/dist/no-such-worker.js');
      expect(transport.kind).to.equal('worker');
      await waitUntil(() => transport!.kind === 'main', 'fallen back', WAIT);
      expect(terminated).to.have.length(2);
      await connected(transport);
    });
  });

  it('on the main thread, close() closes both of the ports the core holds', async () => {
    await watching(MessagePort.prototype, 'close', async (closed) => {
      transport = new CoreTransport(null);
      expect(transport.kind).to.equal('main');
      await connected(transport);
      transport.close();
      await waitUntil(() => closed.length === 2, 'both ports closed', WAIT);
      // The core's ends: the audio engine closes the other two (test/audio).
      expect(closed).not.to.include(transport.ports.capture);
      expect(closed).not.to.include(transport.ports.playback);
    });
  });

  it('starts the Worker from the emitted dist/voice-agent.worklet.js (worklet-url), which holds the core too', async () => {
    await watchingTerminate(async (terminated) => {
      transport = openTransport('/dist/voice-agent.worklet.js');
      expect(transport.kind).to.equal('worker');
      await connected(transport);
      await sendFrames(transport, 3);
      await drawsMeter(transport);
      expect(transport.kind).to.equal('worker');
      transport.close();
      await waitUntil(() => terminated.length === 1, 'worker terminated', WAIT);
    });
  });

  it('runs on the main thread when the Worker URL is of another origin (a Worker must be same-origin)', async () => {
    transport = openTransport('https://voice.invalid/voice-agent.worklet.js');
    // Refused at once (a SecurityError) or by an error event, depending on the engine.
    await waitUntil(() => transport!.kind === 'main', 'on the main thread', WAIT);
    await connected(transport);
  });

  it('falls back to the main thread where Worker is missing or refused (a CSP without blob:)', async () => {
    (window as { Worker?: unknown }).Worker = undefined;
    expect(openTransport().kind).to.equal('main');
    window.Worker = function () {
      throw new DOMException('Refused by the Content Security Policy', 'SecurityError');
    } as unknown as typeof Worker;
    transport = openTransport();
    expect(transport.kind).to.equal('main');
    await connected(transport);
  });

  it('falls back to the main thread when the Worker fails to start later, keeping what was asked meanwhile', async () => {
    // Some engines report a refused worker script only as an error event.
    window.Worker = class extends EventTarget {
      onerror: (() => void) | null = null;
      onmessage = null;
      constructor() {
        super();
        setTimeout(() => this.onerror?.(), 50);
      }
      postMessage() {}
      terminate() {}
    } as unknown as typeof Worker;
    transport = openTransport();
    expect(transport.kind).to.equal('worker');
    await connected(transport); // open() was asked before the error: it runs on the main thread
    expect(transport.kind).to.equal('main');
  });

  it('reports the connection as lost when its Worker fails after it started', async () => {
    let worker: { onerror(): void; onmessage(event: { data: unknown }): void } | undefined;
    window.Worker = class {
      onerror = null;
      onmessage = null;
      constructor() {
        worker = this as never;
      }
      postMessage() {}
      terminate() {}
    } as unknown as typeof Worker;
    transport = openTransport();
    const events: unknown[] = [];
    transport.onevent = (event) => void events.push(event);
    worker!.onmessage({ data: { type: 'ready' } });
    transport.send({ type: 'open', id: 4, url: 'wss://voice.test/never', first: 'tok' });
    worker!.onerror();
    expect(events).to.deep.equal([{ type: 'close', id: 4, code: 1006, reason: '', opened: true }]);
    expect(transport.kind).to.equal('worker');
  });
});
