import { expect, waitUntil } from '@open-wc/testing';
import { currentEngine } from '../tools/engines.js';

// The built single script (`npm test` builds it first): loadable by a plain <script src>, twice, and
// self-contained (it fetches nothing else: worklets and Lit are inside).

type TestWindow = Window & typeof globalThis & { errors?: string[] };
type BuiltElement = HTMLElement & { status: string; stop(): Promise<void>; getStats(): { transport: string | null } };

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

  /**
   * Starts the widget in a page that loads only the script, under `head` (e.g. a CSP), until its status is
   * `wanted`, then stops it; resolves with its statuses and error codes in order, where the socket ran
   * (getStats().transport) and its status attribute at the end.
   */
  async function session(head: string, wanted: string, attributes = ''): Promise<string[]> {
    const statuses: string[] = [];
    const page = `${head}
      <script src="/dist/voice-agent.js"></script>
      <voice-agent token-url="/api/voice-token" ${attributes}></voice-agent>`;
    await inFrame(page, async (win) => {
      const el = win.document.querySelector('voice-agent') as BuiltElement;
      el.addEventListener('voice-agent-status', (e) => statuses.push((e as CustomEvent).detail.status));
      el.addEventListener('voice-agent-error', (e) => statuses.push((e as CustomEvent).detail.code));
      el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="button"]')!.click();
      await waitUntil(() => el.status === wanted, `status ${wanted}`, { timeout: 8000 });
      statuses.push(`transport ${el.getStats().transport}`);
      await el.stop();
      statuses.push(`attribute ${el.getAttribute('status')}`);
    });
    return statuses;
  }

  // A srcdoc frame is where WebKit refuses blob: worklet modules: the loader falls back to data:.
  it('runs a whole session against the local voice server from a page that loads only the script', async () => {
    const statuses = await session('', 'ready');
    expect(statuses).to.deep.equal(['connecting', 'connected', 'ready', 'transport worker', 'idle', 'attribute idle']);
  });

  /** A CSP allowing scripts from this origin and `sources`; the origin by name, as Firefox's `'self'` in a srcdoc frame is not its parent's. */
  const csp = (sources: string) =>
    `<meta http-equiv="Content-Security-Policy" content="script-src ${location.origin} 'unsafe-inline' ${sources}">`;

  it('runs a session under a CSP that allows data: but not blob: in script-src', async () => {
    const statuses = await session(csp('data:'), 'ready');
    // The socket's Worker follows script-src too (no worker-src): refused, so it runs on the main thread.
    expect(statuses).to.deep.equal(['connecting', 'connected', 'ready', 'transport main', 'idle', 'attribute idle']);
  });

  it('runs the socket on the main thread under a worker-src that refuses blob:, the session unchanged', async () => {
    const statuses = await session(csp('blob: data:').replace('">', `; worker-src 'none'">`), 'ready');
    expect(statuses).to.deep.equal(['connecting', 'connected', 'ready', 'transport main', 'idle', 'attribute idle']);
  });

  // WebKit gives an AudioWorklet the origin of its document's URL, opaque for `about:srcdoc`, so there it
  // fetches the module with `Origin: null` in CORS mode: the file needs `Access-Control-Allow-Origin`
  // (the runner adds it for `?cors`). The Worker from the same URL is same-origin and needs nothing.
  const workletUrl = (query = '') => `worklet-url="/dist/voice-agent.worklet.js${query}"`;

  it('with worklet-url under a CSP that allows neither blob: nor data:, runs worklets and Worker from that file', async () => {
    const statuses = await session(csp(''), 'ready', workletUrl('?cors'));
    expect(statuses).to.deep.equal(['connecting', 'connected', 'ready', 'transport worker', 'idle', 'attribute idle']);
  });

  it('with a worklet-url file served without Access-Control-Allow-Origin, fails with audio_failed in WebKit only', async () => {
    const webkit = currentEngine() === 'webkit';
    const statuses = await session(csp(''), webkit ? 'error' : 'ready', workletUrl());
    expect(statuses).to.deep.equal(
      webkit
        ? // The Worker ran (`transport worker`): only the worklet module was refused.
          ['connecting', 'audio_failed', 'error', 'transport worker', 'attribute error']
        : ['connecting', 'connected', 'ready', 'transport worker', 'idle', 'attribute idle'],
    );
  });

  it('fails with audio_failed under a CSP that allows neither blob: nor data: in script-src', async () => {
    const statuses = await session(csp(''), 'error');
    expect(statuses).to.deep.equal(['connecting', 'audio_failed', 'error', 'transport main', 'attribute error']);
  });
});
