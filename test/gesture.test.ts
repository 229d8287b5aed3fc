// Autoplay rules, in the `gesture` group: its browsers keep each engine's default policy, under which
// audio may start only inside a user gesture. A script's click() is no gesture in any of them; the
// runner's `real-click` command clicks as a user does (puppeteer's mouse, WebDriver actions).
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../src/index.js';
import type { VoiceAgent } from '../src/voice-agent.js';
import { spyOnGetUserMedia } from './helpers/media.js';

describe('starting audio under the default autoplay policy', () => {
  let el: VoiceAgent;
  let spy: ReturnType<typeof spyOnGetUserMedia>;
  const statuses: string[] = [];
  const button = () => el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="button"]')!;

  beforeEach(async () => {
    statuses.length = 0;
    spy = spyOnGetUserMedia();
    el = await fixture<VoiceAgent>(html`<voice-agent token-url="/api/voice-token"></voice-agent>`);
    el.addEventListener('voice-agent-status', (e) => statuses.push(e.detail.status));
    el.addEventListener('voice-agent-error', (e) => statuses.push(e.detail.code));
  });
  afterEach(async () => {
    await el.stop();
    spy.restore();
  });

  // In this order: after a real click the page keeps its user activation, and audio may start without one.
  it("a script's click() is not a gesture: audio_failed, and the microphone is released", async () => {
    button().click();
    await waitUntil(() => el.status === 'error', 'status error', { timeout: 8000 });
    expect(statuses).to.deep.equal(['connecting', 'audio_failed', 'error']);
    expect(spy.streams).to.have.length(1);
    expect(spy.streams.flatMap((s) => s.getTracks()).every((t) => t.readyState === 'ended')).to.equal(true);
  });

  it('a real click starts the session', async () => {
    const { x, y, width, height } = button().getBoundingClientRect();
    await executeServerCommand('real-click', { x: x + width / 2, y: y + height / 2 });
    await waitUntil(() => el.status === 'ready', 'status ready', { timeout: 8000 });
    expect(statuses).to.deep.equal(['connecting', 'connected', 'ready']);
  });
});
