import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Server, type Client } from 'mock-socket';
import { VoiceAgentError, type VoiceAgentErrorCode } from '../../src/errors.js';
import { ERROR_MESSAGES } from '../../src/labels.js';
import { VOICE_AGENT_EVENTS, type VoiceAgentErrorDetail, type VoiceAgentEventName } from '../../src/events.js';
import { CORE_CONFIG, EARLY_AUDIO_MS } from '../../src/session/socket-core.js';
import { CoreTransport } from '../../src/session/transport.js';
import { backoffDelay, RECONNECT, VoiceSession, type VoiceSessionOptions } from '../../src/session/voice-session.js';
import { FakeAudio } from '../helpers/fake-audio.js';

const WS_URL = 'wss://voice.test/session';
const TOKEN = 'tok-SECRET-7f3a9c';
const TOKEN_FRAME = `{"token":"${TOKEN}"}`;
const WAIT = { timeout: 3000 };

/** A throwaway controller host that records every event the session fires on it. */
class TestHost extends EventTarget implements ReactiveControllerHost {
  readonly events: { type: string; detail: unknown }[] = [];
  readonly controllers: ReactiveController[] = [];
  updates = 0;

  constructor() {
    super();
    for (const name of VOICE_AGENT_EVENTS) {
      this.addEventListener(name, (event) => this.events.push({ type: name, detail: (event as CustomEvent).detail }));
    }
  }
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates++;
  }
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }
  /** The events in order, compactly: `status:connecting`, `connected`, `error:server_error`, `ended:user`. */
  get trace(): string[] {
    return this.events.map(({ type, detail }) => {
      const name = type.replace('voice-agent-', '');
      const d = detail as Record<string, unknown> | undefined;
      if (name === 'status') return `status:${d!.status}`;
      if (name === 'ended') return `ended:${d!.reason}`;
      if (name === 'error') return `error:${d!.code}`;
      return name;
    });
  }
  detailsOf(type: VoiceAgentEventName): unknown[] {
    return this.events.filter((e) => e.type === type).map((e) => e.detail);
  }
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The trace of a session from start to ready. */
const UNTIL_READY = ['status:connecting', 'status:connected', 'connected', 'status:ready', 'ready'];

const goodToken = async () => ({ token: TOKEN, ws_url: WS_URL });

let server: Server;
let clients: Client[];
/** Everything the server received, in order, over all connections. */
let received: (string | ArrayBuffer)[];
/** Close codes seen by server-side sockets. */
let closeCodes: number[];
let sessions: VoiceSession[];
let restore: (() => void)[];

beforeEach(() => {
  server = new Server(WS_URL);
  clients = [];
  received = [];
  closeCodes = [];
  sessions = [];
  restore = [];
  server.on('connection', (socket) => {
    clients.push(socket);
    socket.on('message', (data) => received.push(data as string | ArrayBuffer));
    socket.target.addEventListener('close', (event) => closeCodes.push((event as CloseEvent).code));
  });
});

afterEach(async () => {
  await Promise.all(sessions.map((s) => s.stop()));
  server.stop();
  for (const undo of restore.reverse()) undo();
});

function setup(options: VoiceSessionOptions = { fetchToken: goodToken }, makeAudio = () => new FakeAudio()) {
  const host = new TestHost();
  const audios: FakeAudio[] = [];
  // mock-socket replaces the page's WebSocket, not a Worker's: the session runs the main-thread transport.
  const transports: CoreTransport[] = [];
  const session = new VoiceSession(host, {
    transport: () => transports[transports.push(new CoreTransport(null)) - 1],
    options: () => options,
    createAudio: () => {
      const audio = makeAudio();
      audios.push(audio);
      return audio;
    },
  });
  sessions.push(session);
  return { host, session, audios, transports };
}

/** Replaces `fetch` for one test, recording each call. */
function stubFetch(impl: (init: RequestInit) => Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init! });
    return impl(init!);
  };
  restore.push(() => (globalThis.fetch = original));
  return calls;
}

/** A fetch that only ends when its signal aborts, as a real one does. */
const hangingFetch = (init: RequestInit) =>
  new Promise<Response>((_, reject) =>
    init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
  );

/** Captures (and silences) console output for one test. */
function spyConsole(): unknown[][] {
  const lines: unknown[][] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => void lines.push([method, ...args]);
    restore.push(() => (console[method] = original));
  }
  return lines;
}

/** Once the newest connection has its token, the server answers `connected` on it. */
async function serverSaysConnected(): Promise<Client> {
  await waitUntil(
    () => clients.length > 0 && received.filter((m) => m === TOKEN_FRAME).length === clients.length,
    'token sent',
    WAIT,
  );
  const socket = clients.at(-1)!;
  socket.send('{"type":"connected"}');
  return socket;
}

/** Starts a session and brings it to `connected`, as the server would. */
async function connect(rig: ReturnType<typeof setup>): Promise<Client> {
  await rig.session.start();
  const socket = await serverSaysConnected();
  expect(rig.session.status).to.equal('connected');
  return socket;
}

describe('VoiceSession', () => {
  describe('happy path and protocol', () => {
    it('goes connecting synchronously, opens the mic at once, and sends the token first', async () => {
      const rig = setup();
      const started = rig.session.start();
      // Synchronous part: still in the click handler.
      expect(rig.session.status).to.equal('connecting');
      expect(rig.host.trace).to.deep.equal(['status:connecting']);
      expect(rig.audios).to.have.length(1);
      expect(rig.audios[0].calls).to.deep.equal(['open']);
      expect(rig.audios[0].constraints).to.deep.equal({});
      expect(rig.session.audio).to.equal(rig.audios[0]);
      await started;
      await waitUntil(() => received.length === 1, 'token received', WAIT);
      expect(received[0]).to.equal(TOKEN_FRAME);
      expect(clients[0].binaryType).to.equal('arraybuffer');
      expect(rig.session.status).to.equal('connecting');
    });

    it('passes audioConstraints to the engine, which merges them over its defaults', async () => {
      const rig = setup({ fetchToken: goodToken, audioConstraints: { echoCancellation: false, deviceId: 'usb-mic' } });
      await rig.session.start();
      expect(rig.audios[0].constraints).to.deep.equal({ echoCancellation: false, deviceId: 'usb-mic' });
    });

    it('fires status changes in order connecting → connected → ready → idle, each with a requestUpdate', async () => {
      const rig = setup();
      const socket = await connect(rig);
      socket.send('{"type":"agent_ready"}');
      expect(rig.session.status).to.equal('ready');
      await rig.session.stop();
      expect(rig.host.trace).to.deep.equal([...UNTIL_READY, 'status:idle', 'ended:user']);
      expect(rig.host.updates).to.be.at.least(4);
    });

    it('sends mic frames only after connected, as binary, and none once stopped', async () => {
      const rig = setup();
      await rig.session.start();
      const audio = rig.audios[0];
      const socket = await serverSaysConnected();
      expect(audio.capture(2)).to.equal(true);
      expect(audio.capture(3)).to.equal(true);
      await waitUntil(() => received.length === 3, 'two frames', WAIT);
      expect(received[0]).to.equal(TOKEN_FRAME);
      for (const [i, fill] of [
        [1, 2],
        [2, 3],
      ]) {
        expect(received[i]).to.be.instanceOf(ArrayBuffer);
        expect(new Uint8Array(received[i] as ArrayBuffer)).to.deep.equal(new Uint8Array(640).fill(fill));
      }
      audio.capture(4); // a frame already on its way when the socket closes
      await rig.session.stop();
      expect(rig.transports[0].closed).to.equal(true);
      await aTimeout(50);
      expect(received).to.have.length(3);
      expect(socket.readyState).to.equal(WebSocket.CLOSED);
      expect(closeCodes).to.deep.equal([1000]);
      expect(audio.calls).to.include('close');
    });

    it('holds frames while the send buffer is over its bound, dropping (and counting) the oldest', async () => {
      const rig = setup();
      const socket = await connect(rig);
      const audio = rig.audios[0];
      // mock-socket has no send buffer; pretend the network stalled.
      (socket.target as { bufferedAmount: number }).bufferedAmount = CORE_CONFIG.maxBuffered + 1;
      const stalled = CORE_CONFIG.maxQueued + 3;
      for (let i = 1; i <= stalled; i++) audio.capture(i);
      await waitUntil(() => rig.session.getStats().framesDropped === 3, 'three dropped', WAIT);
      await aTimeout(20);
      expect(received).to.have.length(1); // only the token
      (socket.target as { bufferedAmount: number }).bufferedAmount = 0;
      audio.capture(stalled + 1);
      // The newest CORE_CONFIG.maxQueued of the stall, in order, then the live frame.
      await waitUntil(() => received.length === 1 + CORE_CONFIG.maxQueued + 1, 'frames after the stall', WAIT);
      const firsts = received.slice(1).map((f) => new Uint8Array(f as ArrayBuffer)[0]);
      expect(firsts).to.deep.equal(
        Array.from({ length: CORE_CONFIG.maxQueued + 1 }, (_, i) => stalled - CORE_CONFIG.maxQueued + 1 + i),
      );
      expect(rig.session.getStats().framesDropped).to.equal(3);
    });

    it('plays binary frames in order, including one that arrives before connected', async () => {
      const rig = setup();
      await rig.session.start();
      await waitUntil(() => clients.length === 1, 'connection', WAIT);
      clients[0].send(new Int16Array([1, 2, 3]).buffer);
      clients[0].send('{"type":"connected"}');
      clients[0].send(new Int16Array([4, -5]).buffer);
      await waitUntil(() => rig.audios[0].played.length === 2, 'played', WAIT);
      const played = rig.audios[0].played.map((b) => Array.from(new Int16Array(b)));
      expect(played).to.deep.equal([
        [1, 2, 3],
        [4, -5],
      ]);
    });

    it('session_ended: releases everything, status ended, ended with the server reason, no error', async () => {
      const rig = setup();
      const socket = await connect(rig);
      socket.send('{"type":"agent_ready"}');
      socket.send('{"type":"session_ended","reason":"agent_disconnected"}');
      expect(rig.session.status).to.equal('ended');
      expect(rig.session.audio).to.equal(null);
      expect(rig.transports[0].closed).to.equal(true);
      expect(rig.audios[0].calls.filter((c) => c === 'close')).to.have.length(1);
      expect(rig.host.trace.slice(-2)).to.deep.equal(['status:ended', 'ended:agent_disconnected']);
      expect(rig.host.detailsOf('voice-agent-error')).to.deep.equal([]);
      // Frames still in flight after the end reach nothing.
      const events = rig.host.events.length;
      socket.send(new Int16Array([1, 2]).buffer);
      socket.send('{"type":"agent_ready"}');
      await aTimeout(20);
      expect(rig.audios[0].played).to.deep.equal([]);
      expect(rig.host.events.length).to.equal(events);
      // The server then closes its side: not a drop, and no second end.
      await waitUntil(() => closeCodes.length === 1, 'socket closed', WAIT);
      expect(closeCodes).to.deep.equal([1000]);
      await aTimeout(50);
      expect(rig.host.detailsOf('voice-agent-ended')).to.have.length(1);
    });

    it('error message: voice-agent-error server_error, shown, and the session goes on', async () => {
      const rig = setup();
      const socket = await connect(rig);
      const xss = '<img src=x onerror="window.__pwned=1">';
      socket.send(JSON.stringify({ type: 'error', code: 'rate_limited', message: xss }));
      const expected: VoiceAgentErrorDetail = { code: 'server_error', message: xss, serverCode: 'rate_limited' };
      expect(rig.host.detailsOf('voice-agent-error')).to.deep.equal([expected]);
      expect(rig.session.error).to.deep.equal(expected);
      expect(rig.session.status).to.equal('connected');
      expect(rig.audios[0].capture(9)).to.equal(true);
      await waitUntil(() => received.length === 2, 'frame still sent', WAIT);
      expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
    });

    it('re-emits an unknown type as voice-agent-message with the whole message', async () => {
      const rig = setup();
      const socket = await connect(rig);
      socket.send('{"type":"transcript","role":"agent","text":"Hello!"}');
      expect(rig.host.detailsOf('voice-agent-message')).to.deep.equal([
        { message: { type: 'transcript', role: 'agent', text: 'Hello!' } },
      ]);
      expect(rig.session.status).to.equal('connected');
    });

    it('ignores a malformed text frame with a short warning that does not echo it', async () => {
      const logs = spyConsole();
      const rig = setup();
      const socket = await connect(rig);
      const eventsBefore = rig.host.events.length;
      const payload = `not json ${'x'.repeat(5000)}`;
      socket.send(payload);
      socket.send('{"no":"type"}');
      expect(rig.host.events.length).to.equal(eventsBefore);
      const warnings = logs.filter(([method]) => method === 'warn');
      expect(warnings).to.have.length(2);
      for (const line of warnings) expect(line.join(' ').length).to.be.below(200);
      expect(rig.session.status).to.equal('connected');
      socket.send('{"type":"agent_ready"}');
      expect(rig.session.status).to.equal('ready');
    });

    it('a repeated connected changes nothing; agent_ready before connected goes straight to ready', async () => {
      const rig = setup();
      await rig.session.start();
      await waitUntil(() => clients.length === 1, 'connection', WAIT);
      clients[0].send('{"type":"agent_ready"}');
      clients[0].send('{"type":"connected"}');
      clients[0].send('{"type":"connected"}');
      expect(rig.session.status).to.equal('ready');
      expect(rig.host.trace).to.deep.equal(['status:connecting', 'status:ready', 'ready', 'connected']);
      expect(rig.audios[0].capture(1)).to.equal(true);
    });

    it('unexpected close: connection_lost with code and reason, then status ended, then ended, once', async () => {
      const rig = setup();
      const socket = await connect(rig);
      socket.close({ code: 1011, reason: 'agent crashed', wasClean: false });
      await waitUntil(() => rig.session.status === 'ended', 'ended', WAIT);
      expect(rig.host.trace.slice(-3)).to.deep.equal([
        'error:connection_lost',
        'status:ended',
        'ended:connection_lost',
      ]);
      expect(rig.host.detailsOf('voice-agent-error')[0]).to.include({
        code: 'connection_lost',
        closeCode: 1011,
        closeReason: 'agent crashed',
      });
      expect(rig.session.error?.code).to.equal('connection_lost');
      expect(rig.audios[0].calls).to.include('close');
      expect(rig.transports[0].closed).to.equal(true);
      await rig.session.stop(); // nothing left to stop
      expect(rig.host.detailsOf('voice-agent-ended')).to.have.length(1);
      expect(rig.session.status).to.equal('ended');
    });

    it('a server going away without a close handshake is a lost connection too', async () => {
      const rig = setup();
      await connect(rig);
      server.close({ code: 1006, reason: '', wasClean: false });
      expect(rig.session.status).to.equal('ended');
      expect(rig.host.detailsOf('voice-agent-ended')).to.deep.equal([{ reason: 'connection_lost' }]);
    });
  });

  describe('token errors', () => {
    /** Starts a session that must fail with `code`; checks the common failure shape and returns the error. */
    async function failsWith(options: VoiceSessionOptions, code: VoiceAgentErrorCode) {
      const rig = setup(options);
      await rig.session.start();
      expect(rig.host.trace).to.deep.equal(['status:connecting', `error:${code}`, 'status:error', 'ended:error']);
      expect(rig.session.status).to.equal('error');
      expect(rig.session.audio).to.equal(null);
      expect(rig.audios[0].calls).to.deep.equal(['open', 'close']);
      await aTimeout(20);
      expect(clients, 'no socket without a token').to.have.length(0);
      const detail = rig.host.detailsOf('voice-agent-error')[0] as VoiceAgentErrorDetail;
      expect(rig.session.error).to.deep.equal(detail);
      return detail;
    }

    it('POSTs {} as JSON to tokenUrl with same-origin credentials', async () => {
      const calls = stubFetch(async () => Response.json({ token: TOKEN, ws_url: WS_URL }));
      const rig = setup({ tokenUrl: '/api/voice-token' });
      await rig.session.start();
      expect(calls).to.have.length(1);
      const { url, init } = calls[0];
      expect(url).to.equal('/api/voice-token');
      expect(init.method).to.equal('POST');
      expect(init.body).to.equal('{}');
      expect(init.credentials).to.equal('same-origin');
      expect(new Headers(init.headers).get('content-type')).to.equal('application/json');
      expect(init.signal).to.be.instanceOf(AbortSignal);
      await waitUntil(() => received.length === 1, 'token sent', WAIT);
    });

    it('network error → token_request_failed without httpStatus', async () => {
      stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
      const detail = await failsWith({ tokenUrl: '/token' }, 'token_request_failed');
      expect(detail.message).to.match(/Failed to fetch/);
      expect(detail).not.to.have.property('httpStatus');
    });

    it('HTTP 500 → token_request_failed with httpStatus', async () => {
      stubFetch(async () => new Response('<h1>Internal error</h1>', { status: 500 }));
      const detail = await failsWith({ tokenUrl: '/token' }, 'token_request_failed');
      expect(detail.httpStatus).to.equal(500);
      expect(detail.message).not.to.include('<h1>');
    });

    it('timeout → token_request_failed, and the request is aborted', async () => {
      const calls = stubFetch(hangingFetch);
      const detail = await failsWith({ tokenUrl: '/token', tokenTimeoutMs: 50 }, 'token_request_failed');
      expect(detail.message).to.match(/timed out after 50 ms/);
      expect(calls[0].init.signal!.aborted).to.equal(true);
    });

    it('a fetchToken that never settles times out too', async () => {
      const detail = await failsWith(
        { fetchToken: () => new Promise(() => {}), tokenTimeoutMs: 50 },
        'token_request_failed',
      );
      expect(detail.message).to.match(/timed out/);
    });

    it('fetchToken rejecting → token_request_failed', async () => {
      const detail = await failsWith(
        { fetchToken: () => Promise.reject(new Error('backend says no')) },
        'token_request_failed',
      );
      expect(detail.message).to.match(/backend says no/);
    });

    it('no tokenUrl and no fetchToken → token_request_failed saying what to set', async () => {
      const detail = await failsWith({ tokenUrl: '' }, 'token_request_failed');
      expect(detail.message).to.match(/token-url/);
    });

    const invalid: [string, () => Promise<Response>, RegExp][] = [
      ['a body that is not JSON', async () => new Response('<html>login</html>', { status: 200 }), /not JSON/],
      ['a missing token', async () => Response.json({ ws_url: WS_URL }), /`token` is missing/],
      ['an http: ws_url', async () => Response.json({ token: TOKEN, ws_url: 'http://voice.test/session' }), /wss:/],
      [
        'a remote ws: ws_url',
        async () => Response.json({ token: TOKEN, ws_url: 'ws://voice.test/session' }),
        /unencrypted/,
      ],
    ];
    for (const [name, respond, message] of invalid) {
      it(`${name} → token_invalid`, async () => {
        stubFetch(respond);
        const detail = await failsWith({ tokenUrl: '/token' }, 'token_invalid');
        expect(detail.message).to.match(message);
      });
    }

    it('fetchToken resolving to a bad shape → token_invalid', async () => {
      const fetchToken = async () => ({ token: TOKEN }) as unknown as { token: string; ws_url: string };
      const detail = await failsWith({ fetchToken }, 'token_invalid');
      expect(detail.message).to.match(/ws_url/);
    });
  });

  describe('socket and audio errors', () => {
    it('socket that cannot open → socket_failed, status error, ended error', async () => {
      const rig = setup({ fetchToken: async () => ({ token: TOKEN, ws_url: 'wss://nowhere.test/ws' }) });
      await rig.session.start();
      expect(rig.host.trace).to.deep.equal(['status:connecting', 'error:socket_failed', 'status:error', 'ended:error']);
      expect(rig.audios[0].calls).to.deep.equal(['open', 'close']);
    });

    const audioCodes: VoiceAgentErrorCode[] = [
      'microphone_denied',
      'microphone_not_found',
      'microphone_unavailable',
      'audio_failed',
    ];
    for (const code of audioCodes) {
      it(`audio.open rejecting with ${code} → that error, and no socket is opened`, async () => {
        const rig = setup(undefined, () => new FakeAudio(() => Promise.reject(new VoiceAgentError(code))));
        await rig.session.start();
        expect(rig.host.trace).to.deep.equal(['status:connecting', `error:${code}`, 'status:error', 'ended:error']);
        expect(rig.session.error).to.deep.equal({ code, message: ERROR_MESSAGES[code] });
        expect(rig.audios[0].calls).to.include('close');
        await aTimeout(20);
        expect(clients).to.have.length(0);
      });
    }

    it('the microphone failing mid-session → that error, socket closed with 1000, ended error', async () => {
      const rig = setup();
      await connect(rig);
      rig.audios[0].onError!(new VoiceAgentError('microphone_unavailable/ended'));
      expect(rig.host.trace.slice(-3)).to.deep.equal(['error:microphone_unavailable', 'status:error', 'ended:error']);
      expect(rig.audios[0].onError).to.equal(null);
      expect(rig.transports[0].closed).to.equal(true);
      expect(rig.audios[0].calls).to.include('close');
      await waitUntil(() => closeCodes.length === 1, 'socket closed', WAIT);
      expect(closeCodes).to.deep.equal([1000]);
    });

    it('a service that never says connected → socket_failed after connectTimeoutMs, socket closed', async () => {
      const rig = setup({ fetchToken: goodToken, connectTimeoutMs: 150 });
      await rig.session.start();
      await waitUntil(() => rig.session.status === 'error', 'connect timeout', WAIT);
      expect(rig.host.trace).to.deep.equal(['status:connecting', 'error:socket_failed', 'status:error', 'ended:error']);
      expect(rig.session.error!.message).to.match(/did not answer/);
      await waitUntil(() => closeCodes.length === 1, 'socket closed', WAIT);
      expect(closeCodes).to.deep.equal([1000]);
      expect(rig.audios[0].calls).to.include('close');
    });

    it('the connect timeout is cleared by connected', async () => {
      const rig = setup({ fetchToken: goodToken, connectTimeoutMs: 150 });
      await connect(rig);
      await aTimeout(300);
      expect(rig.session.status).to.equal('connected');
      expect(rig.host.detailsOf('voice-agent-error')).to.deep.equal([]);
    });

    it('an engine failing with a plain Error, or failing to construct, → audio_failed', async () => {
      const rejecting = setup(undefined, () => new FakeAudio(() => Promise.reject(new Error('AudioWorklet missing'))));
      await rejecting.session.start();
      expect(rejecting.session.error).to.deep.equal({
        code: 'audio_failed',
        message: 'The audio engine failed: AudioWorklet missing',
      });

      const throwing = setup(undefined, () => {
        throw new Error('no AudioContext');
      });
      await throwing.session.start();
      expect(throwing.host.trace).to.deep.equal([
        'status:connecting',
        'error:audio_failed',
        'status:error',
        'ended:error',
      ]);
      expect(throwing.session.error!.message).to.match(/no AudioContext/);
    });
  });

  describe('lifecycle', () => {
    it('double start makes one engine, one token request, one socket', async () => {
      let tokenRequests = 0;
      const rig = setup({ fetchToken: () => (tokenRequests++, goodToken()) });
      await Promise.all([rig.session.start(), rig.session.start()]);
      await serverSaysConnected();
      await rig.session.start(); // while live
      await aTimeout(30);
      expect(tokenRequests).to.equal(1);
      expect(rig.audios).to.have.length(1);
      expect(clients).to.have.length(1);
      expect(rig.host.detailsOf('voice-agent-status')).to.deep.equal([
        { status: 'connecting' },
        { status: 'connected' },
      ]);
    });

    it('runs ten start/stop cycles, each with its own socket and engine, all released', async () => {
      const rig = setup();
      for (let i = 0; i < 10; i++) {
        await connect(rig);
        expect(rig.audios[i].capture(i)).to.equal(true);
        await waitUntil(() => rig.session.getStats().framesSent === 1, 'frame sent', WAIT);
        await rig.session.stop();
        expect(rig.session.status).to.equal('idle');
      }
      await waitUntil(() => closeCodes.length === 10, 'all sockets closed', WAIT);
      expect(closeCodes.every((c) => c === 1000)).to.equal(true);
      expect(clients).to.have.length(10);
      expect(rig.audios).to.have.length(10);
      for (const audio of rig.audios) {
        expect(audio.calls.filter((c) => c === 'close')).to.have.length(1);
      }
      expect(rig.transports.every((t) => t.closed)).to.equal(true);
      expect(rig.host.detailsOf('voice-agent-ended')).to.have.length(10);
      expect(received.filter((m) => m === TOKEN_FRAME)).to.have.length(10);
      expect(received.filter((m) => m instanceof ArrayBuffer)).to.have.length(10);
    });

    it('start after ended or error begins a new session and clears the error', async () => {
      const rig = setup();
      const socket = await connect(rig);
      socket.send('{"type":"error","code":"x","message":"oops"}');
      socket.send('{"type":"session_ended","reason":"session_closed"}');
      expect(rig.session.error?.code).to.equal('server_error');
      const restarted = rig.session.start();
      expect(rig.session.error).to.equal(null);
      expect(rig.session.status).to.equal('connecting');
      await restarted;
      await waitUntil(() => clients.length === 2, 'second connection', WAIT);
    });

    it('stop during the token request: aborts it, resolves start, and ignores a late token', async () => {
      const token = deferred<{ token: string; ws_url: string }>();
      const rig = setup({ fetchToken: () => token.promise, tokenTimeoutMs: 100 });
      const started = rig.session.start();
      await aTimeout(0); // the mic is open; the token is not
      await rig.session.stop();
      await started;
      expect(rig.host.trace).to.deep.equal(['status:connecting', 'status:idle', 'ended:user']);
      expect(rig.audios[0].calls).to.deep.equal(['open', 'close']);
      token.resolve({ token: TOKEN, ws_url: WS_URL });
      await aTimeout(250); // past the token timeout as well
      expect(clients).to.have.length(0);
      expect(rig.host.trace).to.deep.equal(['status:connecting', 'status:idle', 'ended:user']);
    });

    it('stop during a tokenUrl request aborts the fetch', async () => {
      const calls = stubFetch(hangingFetch);
      const rig = setup({ tokenUrl: '/token' });
      const started = rig.session.start();
      await waitUntil(() => calls.length === 1, 'fetch called', WAIT);
      await rig.session.stop();
      await started;
      expect(calls[0].init.signal!.aborted).to.equal(true);
      expect(rig.host.detailsOf('voice-agent-error')).to.deep.equal([]);
    });

    it('stop while the socket is connecting closes it before the token is sent', async () => {
      const rig = setup();
      // Hook the (mock) constructor to stop right after the socket exists, before it opens.
      const MockSocket = globalThis.WebSocket;
      let created: WebSocket | undefined;
      globalThis.WebSocket = class extends MockSocket {
        constructor(url: string | URL) {
          super(url);
          created = this;
          queueMicrotask(() => void rig.session.stop());
        }
      } as typeof WebSocket;
      restore.push(() => (globalThis.WebSocket = MockSocket));
      await rig.session.start();
      expect(created).to.not.equal(undefined);
      await aTimeout(50);
      expect(created!.readyState).to.equal(WebSocket.CLOSED);
      expect(clients).to.have.length(0);
      expect(received).to.deep.equal([]);
      expect(rig.host.trace).to.deep.equal(['status:connecting', 'status:idle', 'ended:user']);
    });

    it('stop while the mic permission is pending resolves at once and closes the engine again once open settles', async () => {
      const opening = deferred();
      const rig = setup(undefined, () => new FakeAudio(() => opening.promise));
      const started = rig.session.start();
      await aTimeout(20); // the token is there; the mic is not
      await rig.session.stop();
      await started;
      expect(rig.audios[0].calls).to.deep.equal(['open', 'close']);
      opening.resolve();
      await aTimeout(0);
      expect(rig.audios[0].calls).to.deep.equal(['open', 'close', 'close']);
      await aTimeout(30);
      expect(clients).to.have.length(0);
      expect(rig.host.detailsOf('voice-agent-ended')).to.deep.equal([{ reason: 'user' }]);
    });

    it('hostDisconnected while live releases everything like stop', async () => {
      const rig = setup();
      await connect(rig);
      expect(rig.host.controllers).to.deep.equal([rig.session]);
      rig.session.hostDisconnected();
      expect(rig.session.status).to.equal('idle');
      expect(rig.transports[0].closed).to.equal(true);
      expect(rig.audios[0].calls).to.include('close');
      await waitUntil(() => closeCodes.length === 1, 'socket closed', WAIT);
      expect(closeCodes).to.deep.equal([1000]);
      expect(rig.host.trace.slice(-2)).to.deep.equal(['status:idle', 'ended:user']);
    });

    it('ended fires exactly once whatever comes after the end', async () => {
      const rig = setup();
      const socket = await connect(rig);
      socket.send('{"type":"session_ended","reason":"server_shutdown"}');
      socket.send('{"type":"session_ended","reason":"session_closed"}');
      await rig.session.stop();
      rig.session.hostDisconnected();
      server.close();
      await aTimeout(30);
      expect(rig.host.detailsOf('voice-agent-ended')).to.deep.equal([{ reason: 'server_shutdown' }]);
      expect(rig.session.status).to.equal('ended');
    });

    it('forwards muted to the engine and keeps it across sessions; forwards interrupt', async () => {
      const rig = setup();
      rig.session.muted = true;
      await connect(rig);
      expect(rig.audios[0].muted).to.equal(true);
      rig.session.muted = false;
      expect(rig.audios[0].muted).to.equal(false);
      rig.session.muted = true;
      rig.session.interrupt();
      expect(rig.audios[0].calls).to.include('interrupt');
      await rig.session.stop();
      await connect(rig);
      expect(rig.audios[1].muted).to.equal(true);
      expect(rig.session.muted).to.equal(true);
    });
  });

  describe('the token never leaks', () => {
    it('is absent from every event detail, status, error and console line, on success and failure paths', async () => {
      const logs = spyConsole();
      const rig = setup();
      const socket = await connect(rig);
      socket.send(`garbage ${TOKEN}`); // a malformed frame that happens to hold it
      socket.send(JSON.stringify({ type: 'error', code: 'bad_token', message: 'token rejected' }));
      socket.send(JSON.stringify({ type: 'note' }));
      socket.close({ code: 4001, reason: 'token expired', wasClean: true });
      await waitUntil(() => rig.session.status === 'ended', 'ended', WAIT);

      // Failure paths that hold the token when they fail.
      for (const ws_url of ['ws://voice.example.com/ws', 'wss://nowhere.test/ws', 'not a url']) {
        const failing = setup({ fetchToken: async () => ({ token: TOKEN, ws_url }) });
        await failing.session.start();
        expect(failing.session.status).to.equal('error');
        expect(JSON.stringify(failing.host.events)).not.to.include(TOKEN);
        expect(JSON.stringify(failing.session.error)).not.to.include(TOKEN);
      }

      expect(rig.host.events.length).to.be.above(6);
      expect(JSON.stringify(rig.host.events)).not.to.include(TOKEN);
      expect(JSON.stringify(rig.session.error)).not.to.include(TOKEN);
      expect(logs.length).to.be.above(0);
      for (const line of logs) expect(line.map(String).join(' ')).not.to.include(TOKEN);
      // The one place it goes: the socket's first frame.
      expect(received.filter((m) => typeof m === 'string' && m.includes(TOKEN))).to.deep.equal([TOKEN_FRAME]);
    });
  });
});

describe('VoiceSession v2: reconnect, first words, stats, page life, devices', () => {
  /** Fast backoff for tests: the real one waits about a second before the first attempt. */
  const fast = { attempts: 3, firstDelayMs: 40, maxDelayMs: 80, windowMs: 5000 };

  describe('backoffDelay', () => {
    it('doubles from the first delay up to the cap, jittered into the upper half', () => {
      const nominal = [1000, 2000, 4000, 8000, 8000, 8000];
      for (const [i, want] of nominal.entries()) {
        expect(backoffDelay(i + 1, RECONNECT, () => 0.999999)).to.equal(want);
        expect(backoffDelay(i + 1, RECONNECT, () => 0)).to.equal(want / 2);
      }
      expect(RECONNECT.attempts).to.equal(6);
      for (let i = 0; i < 100; i++) expect(backoffDelay(1, RECONNECT)).to.be.within(500, 1000);
    });
  });

  describe('reconnect', () => {
    it('a drop with reconnect: status reconnecting, a fresh token, connected again, frames on the new socket', async () => {
      let tokens = 0;
      const rig = setup({ fetchToken: () => (tokens++, goodToken()), reconnect: true, backoff: fast });
      const first = await connect(rig);
      rig.audios[0].capture(1);
      first.send('{"type":"agent_ready"}');
      first.close({ code: 1006, reason: '', wasClean: false });
      await waitUntil(() => rig.session.status === 'reconnecting', 'reconnecting', WAIT);
      const [attempt] = rig.host.detailsOf('voice-agent-reconnecting') as { attempt: number; delayMs: number }[];
      expect(attempt.attempt).to.equal(1);
      expect(attempt.delayMs).to.be.within(fast.firstDelayMs / 2, fast.firstDelayMs);
      // Said while reconnecting: kept and sent first on the new socket.
      rig.audios[0].capture(2);
      await waitUntil(() => clients.length === 2, 'second connection', WAIT);
      const second = await serverSaysConnected();
      second.send('{"type":"agent_ready"}');
      rig.audios[0].capture(3);
      await waitUntil(() => received.filter((m) => m instanceof ArrayBuffer).length === 3, 'frames', WAIT);
      const fills = received.filter((m) => m instanceof ArrayBuffer).map((f) => new Uint8Array(f)[0]);
      expect(fills).to.deep.equal([1, 2, 3]);
      expect(tokens).to.equal(2);
      expect(received.filter((m) => m === TOKEN_FRAME)).to.have.length(2);
      expect(rig.session.status).to.equal('ready');
      expect(rig.host.trace).to.deep.equal([
        ...UNTIL_READY,
        'status:reconnecting',
        'reconnecting',
        'status:connected',
        'connected',
        'status:ready',
        'ready',
      ]);
      // The engine stayed open throughout: no new permission prompt, queued audio not dropped.
      expect(rig.audios).to.have.length(1);
      expect(rig.audios[0].calls).to.deep.equal(['open']);
      expect(rig.session.getStats()).to.include({ framesSent: 3, reconnects: 1, framesDropped: 0 });
      await rig.session.stop();
      expect(rig.host.detailsOf('voice-agent-ended')).to.deep.equal([{ reason: 'user' }]);
    });

    it('a service that stays down: every attempt fails, then connection_lost, ended once, all released', async () => {
      let tokens = 0;
      const fetchToken = () => (++tokens === 1 ? goodToken() : Promise.reject(new Error('503')));
      const rig = setup({ fetchToken, reconnect: true, backoff: fast });
      const socket = await connect(rig);
      const t0 = performance.now();
      socket.close({ code: 1006, reason: 'gone', wasClean: false });
      await waitUntil(() => rig.session.status === 'ended', 'given up', WAIT);
      const elapsed = performance.now() - t0;
      expect(elapsed, 'bounded by the backoff').to.be.below(fast.windowMs);
      expect(tokens).to.equal(1 + fast.attempts);
      const attempts = rig.host.detailsOf('voice-agent-reconnecting') as { attempt: number }[];
      expect(attempts.map((a) => a.attempt)).to.deep.equal([1, 2, 3]);
      expect(rig.host.trace.slice(-3)).to.deep.equal([
        'error:connection_lost',
        'status:ended',
        'ended:connection_lost',
      ]);
      expect(rig.host.detailsOf('voice-agent-error')[0]).to.include({ code: 'connection_lost', closeCode: 1006 });
      expect(rig.host.detailsOf('voice-agent-ended')).to.have.length(1);
      expect(rig.audios[0].closed).to.equal(1);
      expect(rig.transports[0].closed).to.equal(true);
    });

    it('an attempt whose socket opens but never says connected times out and the next one is made', async () => {
      const rig = setup({ fetchToken: goodToken, reconnect: true, backoff: fast, connectTimeoutMs: 100 });
      const first = await connect(rig);
      first.close({ code: 1006, reason: '', wasClean: false });
      await waitUntil(() => clients.length === 3, 'a third connection after a silent second', WAIT);
      await serverSaysConnected();
      expect(rig.session.status).to.equal('connected');
      expect(rig.session.getStats().reconnects).to.equal(1);
      expect(rig.host.detailsOf('voice-agent-reconnecting')).to.have.length(2);
    });

    it('stop() during the backoff wait ends cleanly: idle, ended user, no further attempt', async () => {
      let tokens = 0;
      const rig = setup({
        fetchToken: () => (tokens++, goodToken()),
        reconnect: true,
        backoff: { ...fast, firstDelayMs: 1000 }, // at least 0.5 s: stop() comes well within it
      });
      const socket = await connect(rig);
      // Stopped from a 0 ms timer set as the wait begins: it fires first, whatever the machine's load.
      let stopped: Promise<void> | undefined;
      rig.host.addEventListener('voice-agent-reconnecting', () => setTimeout(() => (stopped = rig.session.stop())));
      socket.close({ code: 1006, reason: '', wasClean: false });
      await waitUntil(() => stopped !== undefined, 'stopped', WAIT);
      await stopped;
      expect(rig.session.status).to.equal('idle');
      await aTimeout(1100); // past the longest wait it could have had
      expect(tokens).to.equal(1);
      expect(clients).to.have.length(1);
      expect(rig.host.trace.slice(-3)).to.deep.equal(['reconnecting', 'status:idle', 'ended:user']);
      expect(rig.audios[0].closed).to.equal(1);
    });

    it('waits for online while the browser is offline', async () => {
      Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });
      restore.push(() => delete (navigator as { onLine?: boolean }).onLine);
      const rig = setup({ fetchToken: goodToken, reconnect: true, backoff: fast });
      const socket = await connect(rig);
      socket.close({ code: 1006, reason: '', wasClean: false });
      await aTimeout(200); // past every backoff delay
      expect(clients).to.have.length(1);
      expect(rig.session.status).to.equal('reconnecting');
      delete (navigator as { onLine?: boolean }).onLine;
      dispatchEvent(new Event('online'));
      await waitUntil(() => clients.length === 2, 'reconnected once online', WAIT);
      expect(rig.host.detailsOf('voice-agent-reconnecting')).to.have.length(1);
    });

    it('a drop before the first connected is not retried; session_ended is never retried', async () => {
      const rig = setup({ fetchToken: goodToken, reconnect: true, backoff: fast });
      await rig.session.start();
      await waitUntil(() => clients.length === 1, 'connection', WAIT);
      clients[0].close({ code: 1008, reason: 'invalid_token', wasClean: true });
      await waitUntil(() => rig.session.status === 'ended', 'ended', WAIT);
      expect(rig.host.detailsOf('voice-agent-reconnecting')).to.deep.equal([]);

      const again = setup({ fetchToken: goodToken, reconnect: true, backoff: fast });
      const socket = await connect(again);
      socket.send('{"type":"session_ended","reason":"agent_disconnected"}');
      socket.close({ code: 1000, reason: '', wasClean: true });
      await aTimeout(150);
      expect(again.session.status).to.equal('ended');
      expect(again.host.detailsOf('voice-agent-reconnecting')).to.deep.equal([]);
    });
  });

  describe('first words', () => {
    it('frames captured before connected go first, in order, then live audio; at most the last 2 s', async () => {
      const rig = setup();
      await rig.session.start();
      const audio = rig.audios[0];
      const early = EARLY_AUDIO_MS / 20 + 20; // 20 frames more than are kept
      for (let i = 1; i <= early; i++) expect(audio.capture(i % 256)).to.equal(true);
      await aTimeout(20);
      expect(received).to.deep.equal([TOKEN_FRAME]); // nothing before connected
      await serverSaysConnected();
      audio.capture(0);
      await waitUntil(() => received.length === 1 + EARLY_AUDIO_MS / 20 + 1, 'early then live', WAIT);
      const fills = received.slice(1).map((f) => new Uint8Array(f as ArrayBuffer)[0]);
      const kept = Array.from({ length: EARLY_AUDIO_MS / 20 }, (_, i) => (21 + i) % 256);
      expect(fills).to.deep.equal([...kept, 0]);
      for (const f of received.slice(1)) expect((f as ArrayBuffer).byteLength).to.equal(640);
      expect(rig.session.getStats()).to.include({ framesSent: EARLY_AUDIO_MS / 20 + 1, framesDropped: 20 });
    });

    it('the early burst does not count against the stall bound: live frames behind it are not dropped', async () => {
      const rig = setup();
      await rig.session.start();
      const audio = rig.audios[0];
      for (let i = 0; i < EARLY_AUDIO_MS / 20; i++) audio.capture(1);
      const socket = await serverSaysConnected();
      // As a real socket would: the whole burst is still waiting in the send buffer.
      (socket.target as { bufferedAmount: number }).bufferedAmount = (EARLY_AUDIO_MS / 20) * 640;
      for (let i = 0; i < 5; i++) audio.capture(2);
      await waitUntil(() => rig.session.getStats().framesSent === EARLY_AUDIO_MS / 20 + 5, 'all sent', WAIT);
      expect(rig.session.getStats().framesDropped).to.equal(0);
    });
  });

  describe('stats', () => {
    it('counts frames both ways and passes the engine figures through; keeps them after the end', async () => {
      const rig = setup();
      expect(rig.session.getStats()).to.deep.include({ framesSent: 0, framesReceived: 0, turnLatencyMs: null });
      const socket = await connect(rig);
      rig.audios[0].stats = { ...rig.audios[0].stats, underruns: 2, bufferedMs: 120, turnLatencyMs: 640 };
      socket.send(new ArrayBuffer(640));
      socket.send(new ArrayBuffer(320));
      rig.audios[0].capture(1);
      await waitUntil(
        () => rig.session.getStats().framesSent === 1 && rig.audios[0].played.length === 2,
        'counted',
        WAIT,
      );
      const stats = rig.session.getStats();
      expect(stats).to.deep.equal({
        framesSent: 1,
        framesDropped: 0,
        framesReceived: 2,
        reconnects: 0,
        underruns: 2,
        bufferedMs: 120,
        sampleRate: 48000,
        outputLatencyMs: 0,
        turnLatencyMs: 640,
        echoCancellation: true,
        transport: 'main',
      });
      await rig.session.stop();
      expect(rig.session.getStats()).to.deep.equal(stats);
    });
  });

  describe('page life', () => {
    it('pagehide ends the session like stop()', async () => {
      const rig = setup();
      await connect(rig);
      dispatchEvent(new Event('pagehide'));
      expect(rig.session.status).to.equal('idle');
      expect(rig.host.trace.slice(-2)).to.deep.equal(['status:idle', 'ended:user']);
      expect(rig.audios[0].closed).to.equal(1);
      await waitUntil(() => closeCodes.length === 1, 'socket closed', WAIT);
      expect(closeCodes).to.deep.equal([1000]);
      // Released: a later pagehide does nothing.
      dispatchEvent(new Event('pagehide'));
      expect(rig.host.detailsOf('voice-agent-ended')).to.have.length(1);
    });

    it('holds a screen wake lock while live, takes it again when visible, releases it at the end', async () => {
      const locks: { released: boolean; release(): Promise<void> }[] = [];
      const wakeLock = {
        request: async () => {
          const lock = { released: false, release: async () => void (lock.released = true) };
          locks.push(lock);
          return lock;
        },
      };
      Object.defineProperty(navigator, 'wakeLock', { value: wakeLock, configurable: true });
      restore.push(() => delete (navigator as { wakeLock?: unknown }).wakeLock);
      const rig = setup();
      await connect(rig);
      await waitUntil(() => locks.length === 1, 'lock taken', WAIT);
      locks[0].released = true; // the browser releases it when the tab is hidden
      document.dispatchEvent(new Event('visibilitychange'));
      await waitUntil(() => locks.length === 2, 'lock taken again', WAIT);
      document.dispatchEvent(new Event('visibilitychange')); // still held: no third lock
      await rig.session.stop();
      await aTimeout(0);
      expect(locks).to.have.length(2);
      expect(locks[1].released).to.equal(true);
    });

    it('tells the host when the audio needs a tap, and forgets it at the end', async () => {
      const rig = setup();
      await connect(rig);
      const updates = rig.host.updates;
      rig.audios[0].onSuspended!(true);
      expect(rig.session.needsGesture).to.equal(true);
      expect(rig.host.updates).to.equal(updates + 1);
      rig.audios[0].onSuspended!(false);
      expect(rig.session.needsGesture).to.equal(false);
      rig.audios[0].onSuspended!(true);
      await rig.session.stop();
      expect(rig.session.needsGesture).to.equal(false);
    });
  });

  describe('devices and volume', () => {
    it('opens the chosen microphone, switches it mid-session without touching the socket, routes the speaker', async () => {
      const rig = setup();
      rig.session.microphoneId = 'usb-mic';
      rig.session.speakerId = 'headset';
      await connect(rig);
      const audio = rig.audios[0];
      expect(audio.constraints).to.deep.equal({ deviceId: { exact: 'usb-mic' } });
      expect(audio.calls).to.include('speaker:headset');
      rig.session.microphoneId = 'bt-mic';
      rig.session.microphoneId = 'bt-mic'; // unchanged: no second switch
      expect(audio.calls.filter((c) => c.startsWith('microphone:'))).to.deep.equal(['microphone:bt-mic']);
      expect(clients[0].readyState).to.equal(WebSocket.OPEN);
      expect(rig.session.status).to.equal('connected');
    });

    it('a switch that fails is reported and the session goes on with the current input', async () => {
      const rig = setup();
      await connect(rig);
      rig.audios[0].switching = () => Promise.reject(new VoiceAgentError('microphone_not_found'));
      rig.session.microphoneId = 'gone';
      await waitUntil(() => rig.host.detailsOf('voice-agent-error').length === 1, 'reported', WAIT);
      expect(rig.host.detailsOf('voice-agent-error')[0]).to.include({ code: 'microphone_not_found' });
      expect(rig.session.status).to.equal('connected');
      expect(rig.audios[0].capture(1)).to.equal(true);
    });

    it('forwards volume to the engine and keeps it across sessions', async () => {
      const rig = setup();
      rig.session.volume = 0.25;
      await connect(rig);
      expect(rig.audios[0].volume).to.equal(0.25);
      rig.session.volume = 0.5;
      expect(rig.audios[0].volume).to.equal(0.5);
      await rig.session.stop();
      await connect(rig);
      expect(rig.audios[1].volume).to.equal(0.5);
    });
  });
});
