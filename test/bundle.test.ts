import { expect, waitUntil } from '@open-wc/testing';

// The built single script (`npm test` builds it first): loadable by a plain <script src>, twice, and
// self-contained (it fetches nothing else: worklets and Lit are inside).

type TestWindow = Window & typeof globalThis & { errors?: string[] };
type BuiltElement = HTMLElement & { status: string; stop(): Promise<void> };

/** Runs `body` against a fresh iframe whose document is `html`, removing the iframe afterwards. */
async function inFrame(html: string, body: (win: TestWindow) => Promise<void>): Promise<void> {
  const frame = document.createElement('iframe');
  frame.srcdoc = `<!doctype html>${html}`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  try {
    await loaded;
    await body(frame.contentWindow as TestWindow);
  } finally {
    frame.remove();
  }
}

describe('dist/voice-agent.js', () => {
  it('defines <voice-agent> from one classic script, loaded twice without an error', async () => {
    const page = `
      <script>window.errors = []; addEventListener('error', (e) => errors.push(String(e.message)));</script>
      <script src="/dist/voice-agent.js"></script>
      <script src="/dist/voice-agent.js"></script>
      <voice-agent token-url="/api/voice-token"></voice-agent>`;
    await inFrame(page, async (win) => {
      expect(win.errors).to.deep.equal([]);
      const Ctor = win.customElements.get('voice-agent');
      expect(Ctor).to.be.a('function');
      const el = win.document.querySelector('voice-agent') as BuiltElement;
      expect(el).to.be.instanceOf(Ctor!);
      expect(el.status).to.equal('idle');
      expect(el.shadowRoot!.querySelector('button[part~="button"]')).to.exist;
      const fetched = win.performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname);
      expect(fetched.every((p) => p === '/dist/voice-agent.js')).to.equal(true);
    });
  });

  it('runs a whole session against the local voice server from a page that loads only the script', async () => {
    const page = `
      <script src="/dist/voice-agent.js"></script>
      <voice-agent token-url="/api/voice-token"></voice-agent>`;
    await inFrame(page, async (win) => {
      const el = win.document.querySelector('voice-agent') as BuiltElement;
      const statuses: string[] = [];
      el.addEventListener('voice-agent-status', (e) => statuses.push((e as CustomEvent).detail.status));
      el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="button"]')!.click();
      await waitUntil(() => el.status === 'ready', 'ready', { timeout: 8000 });
      await el.stop();
      expect(statuses).to.deep.equal(['connecting', 'connected', 'ready', 'idle']);
      expect(el.getAttribute('status')).to.equal('idle');
    });
  });
});
