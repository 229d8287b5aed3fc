// The socket core (socket-core.ts) driven directly against mock-socket, and the transport choice:
// a Worker by default, the main thread where none can start, each released on close.
import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import { Server, type Client } from 'mock-socket';
import { EARLY_AUDIO_MS, SocketCore, type CoreEvent } from '../../src/session/socket-core.js';
import { openTransport, type Transport } from '../../src/session/transport.js';
import { FRAME_BYTES, FRAME_MS } from '../../src/wire.js';

const WS_URL = 'wss://voice.test/core';
const WAIT = { timeout: 5000 };
const frame = (fill: number) => new Uint8Array(FRAME_BYTES).fill(fill).buffer;
const fills = (messages: unknown[]) =>
  messages.filter((m): m is ArrayBuffer => m instanceof ArrayBuffer).map((f) => new Uint8Array(f)[0]);

describe('SocketCore (mock-socket)', () => {
  let server: Server;
  let clients: Client[];
  let received: unknown[];
  let closeCodes: number[];
  let events: CoreEvent[];
  let core: SocketCore;
  let mic: MessagePort;
  let speaker: MessagePort;
  let played: ArrayBuffer[];

  beforeEach(() => {
    server = new Server(WS_URL);
    [clients, received, closeCodes, events, played] = [[], [], [], [], []];
    server.on('connection', (socket) => {
      clients.push(socket);
      socket.on('message', (data) => received.push(data));
      socket.target.addEventListener('close', (event) => closeCodes.push((event as CloseEvent).code));
    });
    const capture = new MessageChannel();
    const playback = new MessageChannel();
    [mic, speaker] = [capture.port1, playback.port1];
    speaker.onmessage = ({ data }: MessageEvent<ArrayBuffer>) => played.push(data);
    core = new SocketCore((event) => events.push(event), capture.port2, playback.port2);
  });

  afterEach(() => {
    core.command({ type: 'close' });
    server.stop();
  });

  const send = (fill: number) => {
    const f = frame(fill);
    mic.postMessage(f, [f]);
  };

  it('sends the token first, keeps frames until connected, then the kept ones in order, then live', async () => {
    for (let i = 1; i <= 3; i++) send(i);
    core.command({ type: 'open', id: 1, url: WS_URL, token: 'tok' });
    await waitUntil(() => events.some((e) => e.type === 'open'), 'open', WAIT);
    await aTimeout(20);
    expect(received).to.deep.equal(['{"token":"tok"}']); // nothing before connected
    clients[0].send('{"type":"connected"}');
    await waitUntil(() => events.some((e) => e.type === 'message'), 'connected passed on', WAIT);
    expect(events.at(-1)).to.deep.equal({ type: 'message', id: 1, data: '{"type":"connected"}' });
    core.command({ type: 'connected' });
    send(4);
    await waitUntil(() => received.length === 5, 'frames', WAIT);
    expect(fills(received)).to.deep.equal([1, 2, 3, 4]);
    expect(core.stats).to.deep.equal({ framesSent: 4, framesDropped: 0, framesReceived: 0 });
  });

  it('keeps only the last EARLY_AUDIO_MS while not connected, counting the rest as dropped', async () => {
    const early = EARLY_AUDIO_MS / FRAME_MS;
    for (let i = 0; i < early + 5; i++) send(i);
    await waitUntil(() => core.stats.framesDropped === 5, 'overflow dropped', WAIT);
  });

  it('passes agent audio to the playback port (counted), text to the session, and closes with 1000', async () => {
    core.command({ type: 'open', id: 7, url: WS_URL, token: 'tok' });
    await waitUntil(() => clients.length === 1, 'connection', WAIT);
    clients[0].send(new Int16Array([1, -2]).buffer);
    await waitUntil(() => played.length === 1, 'played', WAIT);
    expect(Array.from(new Int16Array(played[0]))).to.deep.equal([1, -2]);
    expect(core.stats.framesReceived).to.equal(1);
    core.command({ type: 'close' });
    await core.closed; // what the Worker waits for before it ends, so the close frame goes out
    await waitUntil(() => closeCodes.length === 1, 'closed', WAIT);
    expect(closeCodes).to.deep.equal([1000]);
    // Both ports are closed: a frame posted now reaches nothing.
    send(9);
    await aTimeout(20);
    expect(core.stats.framesDropped).to.equal(0);
  });

  it('hangup closes with 1000 and keeps frames for the next connection; a server close is reported once', async () => {
    core.command({ type: 'open', id: 1, url: WS_URL, token: 'tok' });
    await waitUntil(() => clients.length === 1, 'first', WAIT);
    core.command({ type: 'connected' });
    core.command({ type: 'hangup' });
    await waitUntil(() => closeCodes.length === 1, 'hung up', WAIT);
    expect(closeCodes).to.deep.equal([1000]);
    send(5);
    core.command({ type: 'open', id: 2, url: WS_URL, token: 'tok' });
    await waitUntil(() => clients.length === 2 && received.length === 2, 'second token', WAIT);
    core.command({ type: 'connected' });
    await waitUntil(() => received.length === 3, 'kept frame', WAIT);
    expect(fills(received)).to.deep.equal([5]);
    clients[1].close({ code: 1011, reason: 'crash', wasClean: false });
    await waitUntil(() => events.some((e) => e.type === 'close'), 'close', WAIT);
    expect(events.filter((e) => e.type === 'close')).to.deep.equal([
      { type: 'close', id: 2, code: 1011, reason: 'crash', opened: true },
    ]);
  });

  it('reports a refused URL as a close with the reason, opening nothing', () => {
    core.command({ type: 'open', id: 3, url: 'not a url', token: 'tok' });
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ type: 'close', id: 3, opened: false });
    expect((events[0] as { refused?: string }).refused).to.be.a('string').and.not.be.empty;
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
    t.onmessage = (data) => messages.push(data);
    t.open(ws_url, secret);
    await waitUntil(() => messages.includes('{"type":"connected"}'), 'connected', WAIT);
  }

  it('runs the socket in a Worker by default, and terminates it on close', async () => {
    const terminated: Worker[] = [];
    const terminate = Worker.prototype.terminate;
    Worker.prototype.terminate = function (this: Worker) {
      terminated.push(this);
      terminate.call(this);
    };
    try {
      transport = openTransport();
      expect(transport.kind).to.equal('worker');
      await connected(transport);
      transport.close();
      await waitUntil(() => terminated.length === 1, 'worker terminated', WAIT);
    } finally {
      Worker.prototype.terminate = terminate;
    }
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
    const closes: unknown[][] = [];
    transport.onclose = (...args) => void closes.push(args);
    worker!.onmessage({ data: { type: 'ready' } });
    transport.open('wss://voice.test/never', 'tok');
    worker!.onerror();
    expect(closes).to.deep.equal([[1006, '', true, undefined]]);
    expect(transport.kind).to.equal('worker');
  });
});
