import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { Server, type Client } from 'mock-socket';
import '../src/index.js';
import type { VoiceAgent } from '../src/voice-agent.js';
import type { VoiceAgentErrorCode } from '../src/errors.js';
import { VOICE_AGENT_EVENTS, voiceAgentEvent } from '../src/events.js';
import { useMainThreadSocket } from './helpers/main-thread-socket.js';
import { meterPixel } from './helpers/meter.js';

// The element with its real session and audio engine (the engine's fake microphone), and a mock socket.
// mock-socket replaces the page's WebSocket, not a Worker's: with `Worker` hidden the element falls back
// to the main-thread transport (as on a page whose CSP blocks it), which getStats() must say.

const WS_URL = 'ws://localhost:9911/v1/voice';
const TOKEN = 'tok_secret_7f3a9c';

type Recorded = { type: string; detail: unknown };

function recordEvents(el: VoiceAgent): Recorded[] {
  const log: Recorded[] = [];
  for (const name of VOICE_AGENT_EVENTS) {
    el.addEventListener(name, (e) => log.push({ type: e.type, detail: (e as CustomEvent).detail }));
  }
  return log;
}

const statuses = (log: Recorded[]) =>
  log.filter((e) => e.type === 'voice-agent-status').map((e) => (e.detail as { status: string }).status);

const part = (el: VoiceAgent, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

describe('<voice-agent>', () => {
  let server: Server;
  let clients: Client[];
  let received: (string | ArrayBuffer | Blob | ArrayBufferView)[];

  useMainThreadSocket();
  beforeEach(() => {
    server = new Server(WS_URL);
    clients = [];
    received = [];
    server.on('connection', (socket) => {
      clients.push(socket);
      socket.on('message', (data) => received.push(data));
    });
  });

  afterEach(() => {
    server.stop();
  });

  async function mount(): Promise<VoiceAgent> {
    const el = await fixture<VoiceAgent>(html`<voice-agent></voice-agent>`);
    el.fetchToken = async () => ({ token: TOKEN, ws_url: WS_URL });
    return el;
  }

  /** Starts a session and waits until the server has the token message. */
  async function connect(el: VoiceAgent) {
    part(el, 'button')!.click();
    // The microphone and the worklets first: WebKit's first audio start here (GStreamer) can take seconds.
    await waitUntil(() => received.length > 0, 'token message', { timeout: 5000 });
    return clients[0];
  }

  it('passes an accessibility audit, idle', async () => {
    const el = await mount();
    expect(el.status).to.equal('idle');
    expect(el.getAttribute('status')).to.equal('idle');
    await expect(el).to.be.accessible();
  });

  it('is typed for sites: the tag map and the event map', async () => {
    // These lines are the test as much as the assertions: they only compile with the typings in place.
    const el: VoiceAgent = document.createElement('voice-agent');
    const codes: VoiceAgentErrorCode[] = [];
    el.addEventListener('voice-agent-error', (e) => codes.push(e.detail.code));
    el.dispatchEvent(voiceAgentEvent('voice-agent-error', { code: 'audio_failed', message: 'x' }));
    expect(codes).to.deep.equal(['audio_failed']);
  });

  it('maps the worklet-url attribute to workletUrl', async () => {
    const el = await fixture<VoiceAgent>(
      html`<voice-agent worklet-url="/static/voice-agent.worklet.js"></voice-agent>`,
    );
    expect(el.workletUrl).to.equal('/static/voice-agent.worklet.js');
  });

  it('renders a real button, a polite status region and no error at first', async () => {
    const el = await mount();
    const button = part(el, 'button')!;
    expect(button.tagName).to.equal('BUTTON');
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    const icon = button.querySelector('svg > *')!;
    expect(icon.namespaceURI).to.equal('http://www.w3.org/2000/svg'); // drawn, not an unknown HTML element
    expect((icon as SVGGraphicsElement).getBBox().width).to.be.greaterThan(0);
    expect(part(el, 'status')!.getAttribute('aria-live')).to.equal('polite');
    expect(part(el, 'meter')).to.exist;
    expect(part(el, 'error')).to.equal(null);
  });

  it('walks connecting → connected → ready → ended, sending the token first', async () => {
    const el = await mount();
    const log = recordEvents(el);
    const socket = await connect(el);
    expect(JSON.parse(received[0] as string)).to.deep.equal({ token: TOKEN });
    expect(el.status).to.equal('connecting');

    socket.send(JSON.stringify({ type: 'connected' }));
    await waitUntil(() => el.status === 'connected');
    expect(part(el, 'button')!.getAttribute('aria-pressed')).to.equal('true');
    // Microphone frames flow after `connected`, each exactly 640 bytes.
    await waitUntil(() => received.length > 5, 'mic frames', { timeout: 5000 });
    for (const frame of received.slice(1)) {
      expect(frame).to.be.instanceOf(ArrayBuffer);
      expect((frame as ArrayBuffer).byteLength).to.equal(640);
    }

    // Every engine's fake microphone plays a sound: the level and the meter's input halo follow it.
    const canvas = part(el, 'meter')!.querySelector('canvas')!;
    await waitUntil(() => el.inputLevel > 0 && meterPixel(canvas, 0)[3] > 0, 'input level drawn', { timeout: 5000 });

    socket.send(JSON.stringify({ type: 'agent_ready' }));
    await waitUntil(() => el.status === 'ready');
    expect(el.getAttribute('status')).to.equal('ready');
    await expect(el).to.be.accessible();

    const ended = oneEvent(el, 'voice-agent-ended');
    socket.send(JSON.stringify({ type: 'session_ended', reason: 'agent_disconnected' }));
    expect((await ended).detail).to.deep.equal({ reason: 'agent_disconnected' });
    await el.updateComplete;
    expect(el.status).to.equal('ended');
    expect(statuses(log)).to.deep.equal(['connecting', 'connected', 'ready', 'ended']);
    expect(log.filter((e) => e.type === 'voice-agent-connected')).to.have.length(1);
    expect(log.filter((e) => e.type === 'voice-agent-ready')).to.have.length(1);
    expect(part(el, 'button')!.getAttribute('aria-pressed')).to.equal('false');
  });

  it('renders a server error message as text, never as HTML, and goes on', async () => {
    const el = await mount();
    const socket = await connect(el);
    socket.send(JSON.stringify({ type: 'connected' }));
    await waitUntil(() => el.status === 'connected');
    const xss = '<img src=x onerror="window.__xss=1"><b>bold</b>';
    const error = oneEvent(el, 'voice-agent-error');
    socket.send(JSON.stringify({ type: 'error', code: 'rate_limited', message: xss }));
    const { detail } = await error;
    expect(detail.code).to.equal('server_error');
    expect(detail.serverCode).to.equal('rate_limited');
    await el.updateComplete;
    const errorPart = part(el, 'error')!;
    expect(errorPart.textContent).to.contain(xss);
    expect(errorPart.querySelector('img, b')).to.equal(null);
    expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
    expect(el.status).to.equal('connected');
    await el.stop();
  });

  it('re-emits unknown server messages and ignores malformed ones', async () => {
    const el = await mount();
    const log = recordEvents(el);
    const socket = await connect(el);
    socket.send('not json {');
    socket.send(JSON.stringify({ no: 'type' }));
    const message = oneEvent(el, 'voice-agent-message');
    socket.send(JSON.stringify({ type: 'transcript', text: 'hello' }));
    expect((await message).detail.message).to.deep.equal({ type: 'transcript', text: 'hello' });
    expect(log.filter((e) => e.type === 'voice-agent-error')).to.have.length(0);
    expect(el.status).to.equal('connecting');
    await el.stop();
  });

  it('reports an unexpected drop as connection_lost and ends', async () => {
    const el = await mount();
    const log = recordEvents(el);
    const socket = await connect(el);
    socket.send(JSON.stringify({ type: 'connected' }));
    await waitUntil(() => el.status === 'connected');
    socket.close({ code: 1011, reason: 'boom', wasClean: false });
    await waitUntil(() => el.status === 'ended');
    const error = log.find((e) => e.type === 'voice-agent-error')!.detail as { code: string };
    expect(error.code).to.equal('connection_lost');
    expect(log.filter((e) => e.type === 'voice-agent-ended').map((e) => e.detail)).to.deep.equal([
      { reason: 'connection_lost' },
    ]);
    await el.updateComplete;
    expect(part(el, 'error')!.textContent!.length).to.be.greaterThan(0);
  });

  it('shows a bad token answer as token_invalid and ends with "error"', async () => {
    const el = await mount();
    el.fetchToken = async () => ({ token: TOKEN, ws_url: 'ws://evil.example.com/v1' });
    const log = recordEvents(el);
    part(el, 'button')!.click();
    await waitUntil(() => el.status === 'error');
    await el.updateComplete;
    const error = log.find((e) => e.type === 'voice-agent-error')!.detail as { code: string };
    expect(error.code).to.equal('token_invalid');
    expect(log.filter((e) => e.type === 'voice-agent-ended').map((e) => e.detail)).to.deep.equal([{ reason: 'error' }]);
    expect(part(el, 'error')!.textContent).to.match(/\S/);
    expect(clients).to.have.length(0);
  });

  it('never puts the token in the DOM, attributes or event details', async () => {
    const el = await mount();
    const log = recordEvents(el);
    const socket = await connect(el);
    socket.send(JSON.stringify({ type: 'connected' }));
    socket.send(JSON.stringify({ type: 'agent_ready' }));
    await waitUntil(() => el.status === 'ready');
    socket.send(JSON.stringify({ type: 'error', code: 'x', message: 'oops' }));
    await el.updateComplete;
    await el.stop();
    expect(el.shadowRoot!.innerHTML).not.to.contain(TOKEN);
    expect(el.outerHTML).not.to.contain(TOKEN);
    expect(JSON.stringify(log)).not.to.contain(TOKEN);
  });

  it('opens exactly one session for a double click and for repeated start()', async () => {
    const el = await mount();
    const log = recordEvents(el);
    const button = part(el, 'button')!;
    button.click();
    button.click(); // a double click must neither cancel nor open a second session
    await el.start();
    await el.start();
    // The microphone and the worklets first: WebKit's first audio start here (GStreamer) can take seconds.
    await waitUntil(() => received.length > 0, 'token message', { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(clients).to.have.length(1);
    expect(el.status).to.equal('connecting');
    expect(statuses(log)).to.deep.equal(['connecting']);
    await el.stop();
    expect(el.status).to.equal('idle');
    expect(log.filter((e) => e.type === 'voice-agent-ended').map((e) => e.detail)).to.deep.equal([{ reason: 'user' }]);
  });

  it('runs ten start/stop cycles in a row', async () => {
    const el = await mount();
    const log = recordEvents(el);
    for (let i = 0; i < 10; i++) {
      await el.start();
      await waitUntil(() => clients.length === i + 1, `session ${i + 1}`);
      clients[i].send(JSON.stringify({ type: 'connected' }));
      await waitUntil(() => el.status === 'connected');
      await el.stop();
      expect(el.status).to.equal('idle');
    }
    const ended = log.filter((e) => e.type === 'voice-agent-ended').map((e) => e.detail);
    expect(ended).to.have.length(10);
    expect(ended.every((d) => (d as { reason: string }).reason === 'user')).to.equal(true);
  });

  it('releases everything when removed mid-connect', async () => {
    const el = await mount();
    let release!: (v: { token: string; ws_url: string }) => void;
    el.fetchToken = () => new Promise((resolve) => (release = resolve));
    const log = recordEvents(el);
    part(el, 'button')!.click();
    expect(el.status).to.equal('connecting');
    el.remove();
    release({ token: TOKEN, ws_url: WS_URL });
    await new Promise((r) => setTimeout(r, 200));
    expect(clients).to.have.length(0);
    expect(log.filter((e) => e.type === 'voice-agent-ended')).to.have.length(1);
  });

  it('shows the texts a site sets through labels, error messages included', async () => {
    const el = await mount();
    el.labels = {
      start: 'Parler à l’agent',
      stop: 'Terminer',
      status: { idle: 'Hors ligne', error: 'Erreur' },
      errors: { token_invalid: 'Réponse du serveur invalide' },
    };
    await el.updateComplete;
    expect(part(el, 'button')!.textContent!.trim()).to.equal('Parler à l’agent');
    expect(part(el, 'status')!.textContent).to.equal('Hors ligne');
    el.fetchToken = async () => ({ token: TOKEN, ws_url: 'http://example.com/' });
    const error = oneEvent(el, 'voice-agent-error');
    await el.start();
    expect((await error).detail.message).to.match(/invalid/); // the event keeps the built-in message
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.equal('Erreur');
    expect(part(el, 'error')!.textContent).to.equal('Réponse du serveur invalide');
    expect(part(el, 'button')!.textContent!.trim()).to.equal('Parler à l’agent');
  });

  it('reflects muted and shows a mute toggle during a session', async () => {
    const el = await mount();
    const socket = await connect(el);
    socket.send(JSON.stringify({ type: 'connected' }));
    await waitUntil(() => el.status === 'connected');
    await el.updateComplete;
    const mute = part(el, 'mute-button')!;
    mute.click();
    await el.updateComplete;
    expect(el.muted).to.equal(true);
    expect(el.hasAttribute('muted')).to.equal(true);
    expect(mute.getAttribute('aria-pressed')).to.equal('true');
    expect(mute.textContent!.trim()).to.equal('Mute'); // a toggle keeps its name; aria-pressed carries the state
    await el.stop();
    await el.updateComplete;
    expect(part(el, 'mute-button')).to.equal(null);
  });

  describe('v2: reconnect, volume, devices, stats, tap to resume', () => {
    it('maps reconnect and volume attributes; microphoneId and speakerId are properties', async () => {
      const el = await fixture<VoiceAgent>(html`<voice-agent reconnect volume="0.4"></voice-agent>`);
      expect(el.reconnect).to.equal(true);
      expect(el.volume).to.equal(0.4);
      const plain = await mount();
      expect([plain.reconnect, plain.volume, plain.microphoneId, plain.speakerId]).to.deep.equal([
        false,
        1,
        undefined,
        undefined,
      ]);
    });

    it('shows reconnecting (still live) after a drop with reconnect, and is connected again after', async () => {
      const el = await mount();
      el.reconnect = true;
      const log = recordEvents(el);
      const socket = await connect(el);
      socket.send(JSON.stringify({ type: 'connected' }));
      await waitUntil(() => el.status === 'connected');
      socket.close({ code: 1006, reason: '', wasClean: false });
      await waitUntil(() => el.status === 'reconnecting', 'reconnecting');
      await el.updateComplete;
      expect(el.getAttribute('status')).to.equal('reconnecting');
      expect(part(el, 'status')!.textContent).to.equal('Connection lost, reconnecting…');
      expect(part(el, 'button')!.getAttribute('aria-pressed')).to.equal('true');
      await waitUntil(() => clients.length === 2, 'second socket', { timeout: 5000 });
      await waitUntil(() => received.filter((m) => typeof m === 'string').length === 2, 'second token');
      clients[1].send(JSON.stringify({ type: 'connected' }));
      await waitUntil(() => el.status === 'connected');
      expect(log.filter((e) => e.type === 'voice-agent-connected')).to.have.length(2);
      expect(log.filter((e) => e.type === 'voice-agent-reconnecting')).to.have.length(1);
      expect(el.getStats().reconnects).to.equal(1);
      await el.stop();
    });

    it('getStats() reports the live session: frames, the context rate, echo cancellation', async () => {
      const el = await mount();
      expect(el.getStats()).to.include({ framesSent: 0, sampleRate: 0, echoCancellation: null });
      const socket = await connect(el);
      socket.send(JSON.stringify({ type: 'connected' }));
      socket.send(new ArrayBuffer(640));
      await waitUntil(() => el.getStats().framesSent > 3, 'frames counted', { timeout: 5000 });
      const stats = el.getStats();
      expect(stats.framesReceived).to.equal(1);
      expect(stats.transport).to.equal('main');
      expect(stats.sampleRate).to.be.above(8000);
      expect(stats.echoCancellation).to.be.a('boolean');
      for (const [name, value] of Object.entries(stats)) {
        if (name !== 'echoCancellation' && name !== 'transport' && value !== null)
          expect(value, name).to.be.a('number').and.at.least(0);
      }
      await el.stop();
    });

    it('says so on the status line when the browser holds the audio until a tap, and resumes on one', async () => {
      const contexts: AudioContext[] = [];
      const Native = window.AudioContext;
      window.AudioContext = class extends Native {
        constructor(options?: AudioContextOptions) {
          super(options);
          contexts.push(this);
        }
      };
      try {
        const el = await mount();
        const socket = await connect(el);
        socket.send(JSON.stringify({ type: 'connected' }));
        await waitUntil(() => el.status === 'connected');
        const [context] = contexts;
        const resume = context.resume;
        context.resume = () => Promise.resolve(); // as a browser that wants a gesture
        await context.suspend();
        await waitUntil(
          () => part(el, 'status')!.textContent === 'Audio paused by the browser: tap to resume',
          'tap text',
          {
            timeout: 3000,
          },
        );
        context.resume = resume;
        part(el, 'status')!.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
        await waitUntil(
          () => part(el, 'status')!.textContent === 'Connected, waiting for the agent…',
          'status text back',
          {
            timeout: 3000,
          },
        );
        await el.stop();
      } finally {
        window.AudioContext = Native;
      }
    });

    it('ends the session on pagehide, like stop()', async () => {
      const el = await mount();
      const socket = await connect(el);
      socket.send(JSON.stringify({ type: 'connected' }));
      await waitUntil(() => el.status === 'connected');
      const ended = oneEvent(el, 'voice-agent-ended');
      dispatchEvent(new Event('pagehide'));
      expect((await ended).detail).to.deep.equal({ reason: 'user' });
      expect(el.status).to.equal('idle');
    });
  });
});
