import { expect, waitUntil } from '@open-wc/testing';

// Privacy: in a whole session (the built script, a plain page, the local voice server), the element
// contacts its token-url and the ws_url it was given, nothing else, and leaves nothing behind: no
// cookie, Web Storage, IndexedDB or Cache Storage entry. test/fixtures/privacy.html records every
// request API and storage write before the script loads, in the page and in every Worker it starts;
// the browser's resource timing lists what was loaded by any other means.

interface Record {
  fetches: { url: string; method: string }[];
  xhrs: string[];
  beacons: string[];
  sockets: string[];
  sources: string[];
  storage: string[];
  /** The URLs Workers were started from. */
  workers: string[];
  wsUrl?: string;
}
type PrivacyWindow = Window & typeof globalThis & { record: Record };
type BuiltElement = HTMLElement & { status: string; stop(): Promise<void> };

/** What the origin has stored: cookies, both Web Storages, IndexedDB databases, caches. */
async function stored(win: PrivacyWindow): Promise<string[]> {
  const databases = 'databases' in win.indexedDB ? await win.indexedDB.databases() : [];
  const caches = win.caches ? await win.caches.keys() : [];
  return [
    ...(win.document.cookie ? [`cookie: ${win.document.cookie}`] : []),
    ...Object.keys(win.localStorage).map((k) => `localStorage: ${k}`),
    ...Object.keys(win.sessionStorage).map((k) => `sessionStorage: ${k}`),
    ...databases.map((d) => `indexedDB: ${d.name}`),
    ...caches.map((c) => `caches: ${c}`),
  ];
}

describe('privacy', () => {
  it('contacts only token-url and ws_url in a whole session, and stores nothing', async () => {
    const frame = document.createElement('iframe');
    frame.src = '/test/fixtures/privacy.html';
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    document.body.append(frame);
    try {
      await loaded;
      const win = frame.contentWindow as PrivacyWindow;
      const before = await stored(win);
      const el = win.document.querySelector('voice-agent') as BuiltElement;
      el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="button"]')!.click();
      await waitUntil(() => el.status === 'ready', 'ready', { timeout: 8000 });
      await new Promise((r) => setTimeout(r, 1500)); // the greeting plays, the microphone streams
      await el.stop();

      const { record } = win;
      const tokenUrl = new URL('/api/voice-token', win.location.href).href;
      expect(record.fetches).to.deep.equal([{ url: tokenUrl, method: 'POST' }]);
      expect(record.wsUrl).to.be.a('string');
      expect(record.sockets).to.deep.equal([record.wsUrl]);
      expect([...record.xhrs, ...record.beacons, ...record.sources]).to.deep.equal([]);
      expect(record.storage).to.deep.equal([]);
      // The socket's Worker (where one runs) starts from a blob: URL the script made: not a network contact.
      expect(record.workers.every((url) => url.startsWith('blob:'))).to.equal(true);
      expect(await stored(win)).to.deep.equal(before);

      // Anything fetched by other means (an image, a style sheet, a module, a worklet from a URL).
      // The worklet is added from a blob: or data: URL made in the page: not a network contact.
      const loads = win.performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((url) => !/^(blob|data):/.test(url))
        .map((url) => new URL(url).pathname)
        // The test runner's dev server injects its own script into every HTML page it serves.
        .filter((path) => path !== '/__web-dev-server__web-socket.js');
      expect(loads.sort()).to.deep.equal(['/api/voice-token', '/dist/voice-agent.js']);
    } finally {
      frame.remove();
    }
  });
});
