// The session against the real local voice server (mounted on the test runner's origin by the
// runner config): real fetch, real WebSocket, the server's fault catalogue. Only the audio is fake.
import { expect, waitUntil } from '@open-wc/testing';
import type { ReactiveControllerHost } from 'lit';
import type { VoiceAgentErrorCode } from '../../src/errors.js';
import type { VoiceAgentErrorDetail } from '../../src/events.js';
import { VoiceSession } from '../../src/session/voice-session.js';
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

function session(fault?: string) {
  const host = new Host();
  const audio = new FakeAudio();
  const tokenUrl = fault ? `/api/voice-token?fault=${fault}` : '/api/voice-token';
  const s = new VoiceSession(host, { options: () => ({ tokenUrl }), createAudio: () => audio });
  sessions.push(s);
  return { host, audio, session: s };
}

describe('VoiceSession with the local voice server', () => {
  it('reaches ready, plays the greeting, streams frames the server accepts, and stops cleanly', async () => {
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
    for (let i = 0; i < 50; i++) audio.onFrame!(new ArrayBuffer(640));
    await new Promise((r) => setTimeout(r, 300));
    expect(host.errors).to.deep.equal([]);
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
});
