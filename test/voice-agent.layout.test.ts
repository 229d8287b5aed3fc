import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia, executeServerCommand } from '@web/test-runner-commands';
import { Server, type Client } from 'mock-socket';
import '../src/index.js';
import type { VoiceAgent } from '../src/voice-agent.js';
import { useMainThreadSocket } from './helpers/main-thread-socket.js';
import { haloRadius, meterPixel } from './helpers/meter.js';

/** A user's key press (the runner's `press-key` command: puppeteer's keyboard, WebDriver actions in WebKit). */
const pressKey = (key: string) => executeServerCommand('press-key', { key });

// The floating layout, push-to-talk, the meter and accessibility, with the real session and audio
// engine (the browser's fake microphone) and a mock socket (on the main thread: see the helper).

const WS_URL = 'ws://localhost:9912/v1/voice';

const part = (el: VoiceAgent, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const focused = (el: VoiceAgent) => el.shadowRoot!.activeElement;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const silent = (frame: ArrayBuffer) => new Int16Array(frame).every((s) => s === 0);
const key = (target: Element, type: 'keydown' | 'keyup', k: string) =>
  target.dispatchEvent(new KeyboardEvent(type, { key: k, bubbles: true, composed: true, cancelable: true }));

describe('<voice-agent> layouts, push-to-talk, meter and accessibility', () => {
  let server: Server;
  let clients: Client[];
  let frames: ArrayBuffer[];

  useMainThreadSocket();
  beforeEach(() => {
    server = new Server(WS_URL);
    clients = [];
    frames = [];
    server.on('connection', (socket) => {
      clients.push(socket);
      socket.on('message', (data) => {
        if (data instanceof ArrayBuffer) frames.push(data);
      });
    });
  });

  afterEach(() => server.stop());

  async function mount(template = html`<voice-agent></voice-agent>`): Promise<VoiceAgent> {
    const el = await fixture<VoiceAgent>(template);
    el.fetchToken = async () => ({ token: 'tok', ws_url: WS_URL });
    return el;
  }

  /** Starts a session and brings it to `ready`. */
  async function ready(el: VoiceAgent): Promise<void> {
    const count = clients.length;
    await el.start();
    await waitUntil(() => clients.length > count, 'socket');
    clients.at(-1)!.send(JSON.stringify({ type: 'connected' }));
    clients.at(-1)!.send(JSON.stringify({ type: 'agent_ready' }));
    await waitUntil(() => el.status === 'ready', 'ready');
    await el.updateComplete;
  }

  describe('floating layout', () => {
    it('reflects layout and position, and is fixed to the chosen corner', async () => {
      const el = await mount(html`<voice-agent layout="floating" position="top-left"></voice-agent>`);
      expect(el.layout).to.equal('floating');
      const style = getComputedStyle(el);
      expect(style.position).to.equal('fixed');
      expect(el.getBoundingClientRect().top).to.be.within(8, 40);
      expect(el.getBoundingClientRect().left).to.be.within(8, 40);
      el.position = 'bottom-right';
      await el.updateComplete;
      expect(innerWidth - el.getBoundingClientRect().right).to.be.within(8, 40);
      expect(innerHeight - el.getBoundingClientRect().bottom).to.be.within(8, 40);
      expect(Number(style.zIndex)).to.be.greaterThan(1000);
    });

    it('opens its panel from the launcher, moves focus in, and Escape or close bring it back', async () => {
      const el = await mount(html`<voice-agent layout="floating"></voice-agent>`);
      const launcher = part(el, 'launcher')!;
      const panel = part(el, 'panel')!;
      expect(panel.hidden).to.equal(true);
      expect(launcher.getAttribute('aria-expanded')).to.equal('false');
      expect(launcher.getAttribute('aria-controls')).to.equal(panel.id);
      await expect(el).to.be.accessible();

      launcher.click();
      await waitUntil(() => focused(el) === part(el, 'button'), 'focus in the panel');
      expect(panel.hidden).to.equal(false);
      expect(panel.getAttribute('role')).to.equal('dialog');
      expect(panel.getAttribute('aria-label')).to.equal('Voice assistant');
      expect(launcher.getAttribute('aria-expanded')).to.equal('true');
      await expect(el).to.be.accessible();

      key(part(el, 'button')!, 'keydown', 'Escape');
      await waitUntil(() => focused(el) === launcher, 'focus back on the launcher');
      expect(panel.hidden).to.equal(true);

      launcher.click();
      await waitUntil(() => !panel.hidden);
      part(el, 'close-button')!.click();
      await waitUntil(() => focused(el) === launcher && panel.hidden, 'closed by its close control');
    });

    it('keeps the session running while collapsed, and marks the launcher live', async () => {
      const el = await mount(html`<voice-agent layout="floating"></voice-agent>`);
      part(el, 'launcher')!.click();
      await ready(el);
      part(el, 'close-button')!.click();
      await el.updateComplete;
      expect(el.status).to.equal('ready');
      expect(part(el, 'launcher')!.classList.contains('live')).to.equal(true);
      await el.stop();
    });

    it('keeps the panel on a small screen: no wider than the viewport', async () => {
      const el = await mount(html`<voice-agent layout="floating"></voice-agent>`);
      part(el, 'launcher')!.click();
      await el.updateComplete;
      const box = part(el, 'panel')!.getBoundingClientRect();
      expect(box.left).to.be.at.least(0);
      expect(box.width).to.be.at.most(innerWidth);
      expect(box.top).to.be.at.least(0);
    });
  });

  describe('push-to-talk', () => {
    it('sends silence unless the talk control is held, without changing the frame rate', async () => {
      const el = await mount(html`<voice-agent mode="push-to-talk"></voice-agent>`);
      expect(part(el, 'talk-button')).to.equal(null); // only during a session
      await ready(el);
      const talk = part(el, 'talk-button')!;
      expect(talk.getAttribute('aria-pressed')).to.equal('false');

      await waitUntil(() => frames.length > 10, 'frames while not talking', { timeout: 5000 });
      expect(frames.every(silent)).to.equal(true);

      talk.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
      await el.updateComplete;
      expect(talk.getAttribute('aria-pressed')).to.equal('true');
      const held = frames.length;
      await waitUntil(() => frames.slice(held).some((f) => !silent(f)), 'microphone audio while held', {
        timeout: 5000,
      });

      talk.dispatchEvent(new PointerEvent('pointerup', { bubbles: true, composed: true }));
      await el.updateComplete;
      await sleep(200); // frames already captured before the release reached the worklet
      const released = frames.length;
      await waitUntil(() => frames.length > released + 10, 'frames after release', { timeout: 5000 });
      expect(frames.slice(released).every(silent)).to.equal(true);
      expect(el.muted).to.equal(false); // push-to-talk is not the visitor's mute
      await el.stop();
    });

    it('talks while Space is held anywhere in the element; Space never ends the session', async () => {
      const el = await mount(html`<voice-agent mode="push-to-talk"></voice-agent>`);
      await ready(el);
      const button = part(el, 'button')!;
      key(button, 'keydown', ' ');
      await el.updateComplete;
      expect(part(el, 'talk-button')!.getAttribute('aria-pressed')).to.equal('true');
      key(button, 'keyup', ' ');
      await el.updateComplete;
      expect(part(el, 'talk-button')!.getAttribute('aria-pressed')).to.equal('false');

      // A real key press on the focused end button: its default action (a click) must not happen.
      button.focus();
      await pressKey(' ');
      await sleep(100);
      expect(el.status).to.equal('ready');
      part(el, 'talk-button')!.focus();
      await pressKey(' ');
      await sleep(100);
      expect(el.status).to.equal('ready');
      await el.stop();
    });

    it('stops talking when focus leaves the element', async () => {
      const el = await mount(html`<voice-agent mode="push-to-talk"></voice-agent>`);
      await ready(el);
      const talk = part(el, 'talk-button')!;
      talk.focus();
      key(talk, 'keydown', ' ');
      await el.updateComplete;
      expect(talk.getAttribute('aria-pressed')).to.equal('true');
      talk.blur();
      await el.updateComplete;
      expect(talk.getAttribute('aria-pressed')).to.equal('false');
      await el.stop();
    });
  });

  describe('meter', () => {
    const canvasOf = (el: VoiceAgent) => part(el, 'meter')!.querySelector('canvas');

    it('is hidden from the accessibility tree, and draws the halos on a canvas of its own each session', async () => {
      const el = await mount();
      const meter = part(el, 'meter')!;
      expect(meter.getAttribute('aria-hidden')).to.equal('true');
      expect(canvasOf(el)).to.equal(null);
      await ready(el);
      const canvas = canvasOf(el)!;
      // Centred on the orb, twice its size.
      const [box, orb] = [canvas, meter].map((e) => e.getBoundingClientRect());
      expect([box.width, box.height]).to.deep.equal([2 * orb.width, 2 * orb.height]);
      expect([box.x + box.width / 2, box.y + box.height / 2]).to.deep.equal([
        orb.x + orb.width / 2,
        orb.y + orb.height / 2,
      ]);
      await waitUntil(() => meterPixel(canvas, 0)[3] > 0, 'the microphone halo drawn', { timeout: 5000 });
      const [r, g, b] = meterPixel(canvas, 0);
      expect(g).to.be.above(Math.max(r, b)); // --voice-agent-input-color, green by default
      await el.stop();
      await el.updateComplete;
      expect(canvasOf(el)).to.equal(null);
      // A canvas handed to a core cannot be taken back: the next session has a new one.
      await ready(el);
      expect(canvasOf(el)).to.be.instanceOf(HTMLCanvasElement).and.not.equal(canvas);
      await el.stop();
    });

    it('sizes the canvas once the floating panel opens', async () => {
      const el = await mount(html`<voice-agent layout="floating"></voice-agent>`);
      await ready(el); // from script, the panel still closed
      const canvas = canvasOf(el)!;
      await sleep(300);
      expect(meterPixel(canvas, 0)[3]).to.equal(0); // a hidden meter has no size to draw at
      part(el, 'launcher')!.click();
      await waitUntil(() => meterPixel(canvas, 0)[3] > 0, 'the halo drawn in the open panel', { timeout: 5000 });
      await el.stop();
    });

    it('keeps still under prefers-reduced-motion', async function () {
      try {
        await emulateMedia({ reducedMotion: 'reduce' });
      } catch {
        this.skip(); // only the Chromium launcher can emulate media features (not Firefox over BiDi, not WebDriver)
      }
      try {
        const el = await mount();
        await ready(el);
        const canvas = canvasOf(el)!;
        await waitUntil(() => meterPixel(canvas, 0)[3] > 0, 'the microphone halo drawn', { timeout: 5000 });
        // Whatever the level: one size, 1.3 × the orb's.
        expect(haloRadius(canvas)).to.be.closeTo(1.3, 0.05);
        await el.stop();
      } finally {
        await emulateMedia({ reducedMotion: 'no-preference' });
      }
    });
  });

  describe('accessibility', () => {
    it('is axe-clean in every state of both layouts', async () => {
      for (const layout of ['inline', 'floating'] as const) {
        const el = await mount(html`<voice-agent layout=${layout} mode="push-to-talk"></voice-agent>`);
        if (layout === 'floating') part(el, 'launcher')!.click();
        await el.updateComplete;
        await expect(el, `${layout} idle`).to.be.accessible();
        await el.start();
        await waitUntil(() => clients.length > 0);
        await el.updateComplete;
        await expect(el, `${layout} connecting`).to.be.accessible();
        clients.at(-1)!.send(JSON.stringify({ type: 'connected' }));
        await waitUntil(() => el.status === 'connected');
        await el.updateComplete;
        await expect(el, `${layout} connected`).to.be.accessible();
        clients.at(-1)!.send(JSON.stringify({ type: 'agent_ready' }));
        await waitUntil(() => el.status === 'ready');
        el.muted = true;
        await el.updateComplete;
        await expect(el, `${layout} ready, muted`).to.be.accessible();
        clients.at(-1)!.send(JSON.stringify({ type: 'error', code: 'x', message: 'Something broke' }));
        await waitUntil(() => part(el, 'error'));
        await expect(el, `${layout} with an error`).to.be.accessible();
        clients.at(-1)!.send(JSON.stringify({ type: 'session_ended', reason: 'agent_disconnected' }));
        await waitUntil(() => el.status === 'ended');
        await el.updateComplete;
        await expect(el, `${layout} ended`).to.be.accessible();
        el.fetchToken = async () => ({ token: 'tok', ws_url: 'http://bad.example/' });
        await el.start();
        await el.updateComplete;
        expect(el.status).to.equal('error');
        await expect(el, `${layout} error`).to.be.accessible();
        el.remove();
      }
    });

    it('reaches every control with Tab, each with a visible focus ring, in both layouts', async function () {
      for (const layout of ['inline', 'floating'] as const) {
        const el = await mount(html`<voice-agent layout=${layout} mode="push-to-talk"></voice-agent>`);
        if (layout === 'floating') part(el, 'launcher')!.click();
        await ready(el);
        // Buttons on both sides keep Tab inside the page (past its end, a browser moves focus to its own UI).
        const [before, after] = ['before', 'after'].map((text) =>
          Object.assign(document.createElement('button'), { textContent: text }),
        );
        el.before(before);
        el.after(after);
        before.focus();
        const reached: string[] = [];
        for (let i = 0; i < 8; i++) {
          await pressKey('Tab');
          const control = focused(el) as HTMLElement | null;
          if (!control || document.activeElement !== el) break;
          const style = getComputedStyle(control);
          expect(style.outlineStyle, control.getAttribute('part')!).to.equal('solid');
          expect(parseFloat(style.outlineWidth), control.getAttribute('part')!).to.be.at.least(2);
          reached.push(control.getAttribute('part')!);
        }
        before.remove();
        after.remove();
        // Safari's default setting keeps Tab off buttons; the engine then reaches none of them.
        if (reached.length === 0) this.skip();
        const expected = ['talk-button', 'mute-button', 'button'];
        expect(reached).to.deep.equal(layout === 'inline' ? expected : ['close-button', ...expected, 'launcher']);
        await el.stop();
        el.remove();
      }
    });

    it('announces each status once, in one polite live region', async () => {
      const el = await mount(html`<voice-agent layout="floating"></voice-agent>`);
      part(el, 'launcher')!.click();
      await el.updateComplete;
      expect(el.shadowRoot!.querySelectorAll('[aria-live]')).to.have.length(1);
      const status = part(el, 'status')!;
      const changes: string[] = [];
      new MutationObserver(() => changes.push(status.textContent!)).observe(status, {
        subtree: true,
        characterData: true,
        childList: true,
      });
      await ready(el);
      el.muted = true; // a re-render that changes no status must not touch the live region
      await el.updateComplete;
      await el.stop();
      await el.updateComplete;
      // Each change is one mutation of the text; "connected" may be overtaken by "ready" in one render.
      expect(changes.filter((t, i) => t === changes[i - 1])).to.deep.equal([]);
      expect(changes.at(-1)).to.equal('Not connected');

      // Collapsed, the panel's status line is hidden: one other polite region takes its place.
      part(el, 'close-button')!.click();
      await el.updateComplete;
      const regions = el.shadowRoot!.querySelectorAll('[aria-live]');
      const outside = [...regions].filter((r) => !part(el, 'panel')!.contains(r));
      expect(outside).to.have.length(1);
      await el.start();
      await el.updateComplete;
      expect(outside[0].textContent).to.equal('Connecting…');
      await el.stop();
    });

    it('mirrors under dir="rtl"', async () => {
      const el = await mount(html`<voice-agent dir="rtl"></voice-agent>`);
      expect(part(el, 'meter')!.getBoundingClientRect().left).to.be.greaterThan(
        part(el, 'button')!.getBoundingClientRect().left,
      );
      const floating = await mount(html`<voice-agent dir="rtl" layout="floating"></voice-agent>`);
      part(floating, 'launcher')!.click();
      await floating.updateComplete;
      const head = part(floating, 'close-button')!.getBoundingClientRect();
      expect(head.left).to.be.lessThan(part(floating, 'panel')!.getBoundingClientRect().left + 60);
    });

    it('keeps every control and the meter visible in forced-colours mode', async () => {
      // Forced colours cannot be emulated from every launcher: apply the element's forced-colors rules
      // as the mode would, and check what they promise (a border on each control, a meter drawn in
      // system colours that the mode leaves alone).
      const el = await mount(html`<voice-agent layout="floating" mode="push-to-talk"></voice-agent>`);
      part(el, 'launcher')!.click();
      await ready(el);
      const root = el.shadowRoot!;
      const rules = root.adoptedStyleSheets.flatMap((s) => [...s.cssRules]);
      const forced = rules.find((r) => r instanceof CSSMediaRule && r.conditionText.includes('forced-colors'));
      const sheet = new CSSStyleSheet();
      sheet.replaceSync([...(forced as CSSMediaRule).cssRules].map((r) => r.cssText).join('\n'));
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      for (const button of root.querySelectorAll('button')) {
        const style = getComputedStyle(button);
        expect(parseFloat(style.borderTopWidth), button.getAttribute('part')!).to.be.at.least(1);
        expect(style.borderTopColor, button.getAttribute('part')!).not.to.equal('rgba(0, 0, 0, 0)');
      }
      // The orb, and the halos' colours (the canvas's colour and outline colour, see the styles).
      const [orb, canvas] = [root.querySelector('.orb')!, root.querySelector('canvas')!].map((e) =>
        getComputedStyle(e),
      );
      for (const colour of [orb.backgroundColor, canvas.color, canvas.outlineColor]) {
        expect(colour).not.to.equal('rgba(0, 0, 0, 0)');
      }
      if (CSS.supports('forced-color-adjust', 'none')) {
        for (const style of [orb, canvas]) expect(style.getPropertyValue('forced-color-adjust')).to.equal('none');
      }
      await el.stop();
    });
  });
});
