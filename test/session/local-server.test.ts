// The session against the real local voice server (mounted on the test runner's origin by the
// runner config): real fetch, real WebSocket, the server's fault catalogue. Only the audio is fake.
import { expect, waitUntil } from '@open-wc/testing';
import type { ReactiveControllerHost } from 'lit';
import type { VoiceAgentErrorCode } from '../../src/errors.js';
import type { VoiceAgentErrorDetail } from '../../src/events.js';
import { VoiceSession, type VoiceSessionOptions } from '../../src/session/voice-session.js';
import { FRAME_BYTES, FRAME_MS, FRAME_SAMPLES, WIRE_RATE } from '../../src/wire.js';
import { FakeAudio } from '../helpers/fake-audio.js';

const WAIT = { timeout: 8000 };

class Host extends EventTarget implements ReactiveControllerHost {
  readonly errors: VoiceAgentErrorDetail[] = [];
  readonly ended: string[] = [];
  readonly messages: unknown[] = [];
  constructor() {
    super();
    this.addEventListener('voice-agent-error', (e) =>
      this.errors.push((e as CustomEvent<VoiceAgentErrorDetail>).detail),
    );
    this.addEventListener('voice-agent-ended', (e) =>
      this.ended.push((e as CustomEvent<{ reason: string }>).detail.reason),
    );
    this.addEventListener('voice-agent-message', (e) => this.messages.push((e as CustomEvent).detail.message));
  }
  addController(): void {}
  removeController(): void {}
  requestUpdate(): void {}
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

let sessions: VoiceSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.map((s) => s.stop()));
  sessions = [];
});

function session(fault?: string, extra: VoiceSessionOptions = {}) {
  const host = new Host();
  const audio = new FakeAudio();
  const tokenUrl = fault ? `/api/voice-token?fault=${fault}` : '/api/voice-token';
  const s = new VoiceSession(host, { options: () => ({ tokenUrl, ...extra }), createAudio: () => audio });
  sessions.push(s);
  return { host, audio, session: s };
}

/** Quick backoff so the tests see several attempts within the server's fault timings. */
const backoff = { attempts: 3, firstDelayMs: 100, maxDelayMs: 200, windowMs: 5000 };

/**
 * A microphone in real time: frame k is sent at k × 20 ms from now; `frames[k]`
 * while there are any, silence after. Returns a stop function.
 */
function realtimeMic(audio: FakeAudio, frames: ArrayBuffer[]): () => void {
  const t0 = performance.now();
  let k = 0;
  const timer = setInterval(() => {
    while (k <= (performance.now() - t0) / FRAME_MS) {
      audio.send(k < frames.length ? frames[k].slice(0) : new ArrayBuffer(FRAME_BYTES));
      k++;
    }
  }, 10);
  return () => clearInterval(timer);
}

/** `count` distinct frames of a 440 Hz tone (the first sample of each marks its index). */
function markedTone(count: number): ArrayBuffer[] {
  return Array.from({ length: count }, (_, k) => {
    const samples = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < samples.length; i++) {
      samples[i] = Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * 440 * (k * FRAME_SAMPLES + i)) / WIRE_RATE));
    }
    samples[0] = k;
    return samples.buffer;
  });
}

const key = (frame: ArrayBuffer) => new Uint8Array(frame).join(',');

describe('VoiceSession with the local voice server', () => {
  it('reaches ready through the socket Worker, plays the greeting, streams frames the server accepts, stops cleanly', async () => {
    const { host, audio, session: s } = session();
    const t0 = performance.now();
    await s.start();
    const opened = performance.now() - t0;
    await waitUntil(() => s.status === 'ready', 'ready', WAIT);
    const ready = performance.now() - t0;
    await waitUntil(() => audio.bytesPlayed > 16_000, 'greeting audio', WAIT);
    // A figure for the report, not an assertion: a loaded machine may be much slower.
    console.log(`local server: token + socket open in ${opened.toFixed(0)} ms, ready in ${ready.toFixed(0)} ms`);
    // One second of silence from the "mic": a server that disliked the frames would send `error`.
    for (let i = 0; i < 50; i++) audio.send(new ArrayBuffer(FRAME_BYTES));
    await waitUntil(() => s.getStats().framesSent === 50, 'frames sent', WAIT);
    await new Promise((r) => setTimeout(r, 300));
    expect(host.errors).to.deep.equal([]);
    expect(s.getStats()).to.include({ transport: 'worker', framesDropped: 0 });
    expect(s.getStats().framesReceived).to.be.above(0);
    await s.stop();
    expect(s.status).to.equal('idle');
    expect(host.ended).to.deep.equal(['user']);
    expect(audio.closed).to.equal(1);
  });

  const failures: [string, VoiceAgentErrorCode, Partial<VoiceAgentErrorDetail>][] = [
    ['token-500', 'token_request_failed', { httpStatus: 500 }],
    ['token-bad-json', 'token_invalid', {}],
    ['token-no-token', 'token_invalid', {}],
    ['token-insecure-url', 'token_invalid', {}],
    ['refuse-socket', 'socket_failed', {}],
  ];
  for (const [fault, code, fields] of failures) {
    it(`fault ${fault} → ${code}, status error, ended error`, async () => {
      const { host, audio, session: s } = session(fault);
      await s.start();
      expect(s.status).to.equal('error');
      expect(host.errors.map((e) => e.code)).to.deep.equal([code]);
      expect(host.errors[0]).to.include(fields);
      expect(host.ended).to.deep.equal(['error']);
      expect(audio.closed).to.be.at.least(1);
    });
  }

  it('fault drop → connection_lost, ended connection_lost', async () => {
    const { host, session: s } = session('drop');
    await s.start();
    await waitUntil(() => s.status === 'ended', 'ended', WAIT);
    expect(host.errors.map((e) => e.code)).to.deep.equal(['connection_lost']);
    expect(host.errors[0].closeCode).to.equal(1006);
    expect(host.ended).to.deep.equal(['connection_lost']);
  });

  it('fault server-error → server_error as text, and the session goes on', async () => {
    const { host, session: s } = session('server-error');
    await s.start();
    await waitUntil(() => host.errors.length > 0, 'server error', WAIT);
    expect(host.errors[0]).to.include({ code: 'server_error', serverCode: 'internal_error' });
    expect(host.errors[0].message).to.be.a('string');
    expect(s.status).to.equal('ready');
  });

  it('fault malformed → one voice-agent-message, no error, the session goes on', async () => {
    const { host, session: s } = session('malformed');
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      await s.start();
      await waitUntil(() => host.messages.length > 0, 'extension message', WAIT);
    } finally {
      console.warn = warn;
    }
    expect(host.messages).to.deep.equal([{ type: 'transcript', role: 'agent', text: 'An extension message.' }]);
    expect(warnings).to.have.length(2);
    expect(host.errors).to.deep.equal([]);
    expect(s.status).to.equal('ready');
  });

  it('fault ended-agent_disconnected → status ended with that reason, no error', async () => {
    const { host, session: s } = session('ended-agent_disconnected');
    await s.start();
    await waitUntil(() => s.status === 'ended', 'ended', WAIT);
    expect(host.ended).to.deep.equal(['agent_disconnected']);
    expect(host.errors).to.deep.equal([]);
  });

  it('reconnect: a drop mid-session (fault drop) reconnects with a fresh token and audio flows on the new socket', async function () {
    this.timeout(20_000);
    const { host, audio, session: s } = session('drop', { reconnect: true, backoff });
    const statuses: string[] = [];
    host.addEventListener('voice-agent-status', (e) => statuses.push((e as CustomEvent).detail.status));
    await s.start();
    await waitUntil(() => s.status === 'ready' && audio.bytesPlayed > 0, 'ready', WAIT);
    const stopMic = realtimeMic(audio, []);
    try {
      await waitUntil(() => s.status === 'reconnecting', 'the drop', WAIT);
      const playedAtDrop = audio.bytesPlayed;
      const sentAtDrop = s.getStats().framesSent;
      await waitUntil(() => s.status === 'ready', 'ready again', WAIT);
      await waitUntil(() => audio.bytesPlayed > playedAtDrop, 'agent audio on the new socket', WAIT);
      await waitUntil(() => s.getStats().framesSent > sentAtDrop + 10, 'microphone frames on the new socket', WAIT);
    } finally {
      stopMic();
    }
    expect(host.errors).to.deep.equal([]);
    expect(host.ended).to.deep.equal([]);
    expect(audio.calls).to.deep.equal(['open']); // the same engine: no new permission prompt
    expect(s.getStats().reconnects).to.equal(1);
    expect(statuses).to.deep.equal(['connecting', 'connected', 'ready', 'reconnecting', 'connected', 'ready']);
    await s.stop();
    expect(host.ended).to.deep.equal(['user']);
  });

  it('reconnect: a service that stays down (fault outage) is given up in bounded time, everything released', async function () {
    this.timeout(20_000);
    const { host, audio, session: s } = session('outage', { reconnect: true, backoff });
    const attempts: number[] = [];
    host.addEventListener('voice-agent-reconnecting', (e) => attempts.push((e as CustomEvent).detail.attempt));
    await s.start();
    await waitUntil(() => s.status === 'reconnecting', 'the drop', WAIT);
    const t0 = performance.now();
    await waitUntil(() => s.status === 'ended', 'given up', WAIT);
    expect(performance.now() - t0).to.be.below(backoff.windowMs);
    expect(attempts).to.deep.equal([1, 2, 3]);
    expect(host.errors.map((e) => e.code)).to.deep.equal(['connection_lost']);
    expect(host.ended).to.deep.equal(['connection_lost']);
    expect(audio.closed).to.equal(1);
  });

  it('first words: with connected a second late (fault slow-connected), the first second of speech reaches the agent, in order, with no gap to the live stream', async function () {
    this.timeout(20_000);
    const { host, audio, session: s } = session('slow-connected');
    const tone = markedTone(75); // 1.5 s: 1 s before connected, 0.5 s after
    const t0 = performance.now();
    const started = s.start();
    const stopMic = realtimeMic(audio, tone);
    let connectedAt = 0;
    host.addEventListener('voice-agent-connected', () => (connectedAt = performance.now() - t0));
    try {
      await started;
      const sent = new Map(tone.map((frame, k) => [key(frame), k]));
      const echoed = () => audio.played.map((f) => sent.get(key(f))).filter((k) => k !== undefined);
      await waitUntil(() => echoed().length >= tone.length, 'the whole utterance echoed', { timeout: 15_000 });
      expect(connectedAt).to.be.at.least(900);
      expect(echoed()).to.deep.equal(tone.map((_, k) => k));
    } finally {
      stopMic();
    }
    expect(s.getStats().framesDropped).to.equal(0); // nothing was dropped while waiting
    expect(host.errors).to.deep.equal([]);
  });
});
