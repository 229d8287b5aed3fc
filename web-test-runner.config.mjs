import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import puppeteer from 'puppeteer-core';
import { tsImport } from 'tsx/esm/api';

// The project's tools and the local voice server are TypeScript; tsImport loads them without hooking
// TypeScript into the whole runner process. The server runs on the runner's own origin: tests can
// POST /api/voice-token and open the returned ws_url.
const load = (path) => tsImport(path, import.meta.url);
const { CHROMIUM_PATH, chromiumFlags } = await load('./tools/chromium.ts');
const { ENGINES, FAKE_MICROPHONES } = await load('./tools/engines.ts');
const { FIREFOX_PATH, firefoxPrefs } = await load('./tools/firefox.ts');
const { webkitLauncher, webkitSessionFiles } = await load('./tools/webkit.ts');
const { wtrWorklet } = await load('./tools/worklet-plugin.ts');
const { tones } = await load('./tools/signals.ts');
const { writeWav } = await load('./tools/wav.ts');
const { voiceServerPlugin } = await load('./server/wtr-plugin.ts');
const { prebundlePlugin } = await load('./tools/prebundle-plugin.ts');

const rootDir = fileURLToPath(new URL('.', import.meta.url));

const chromium = (wavPath, options) =>
  chromeLauncher({
    launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: chromiumFlags(wavPath, options) },
  });

// Chromium's fake microphone for the media tests: 440 Hz + 12 kHz at equal amplitude, at 48 kHz.
const { hz, amplitude } = FAKE_MICROPHONES.chromium;
const toneWav = writeWav(
  `${rootDir}test/fixtures/generated/tone-${hz}-12k.wav`,
  tones([hz, 12000], { sampleRate: 48000, seconds: 2, amplitude }),
  48000,
);

const firefoxLauncher = (options) =>
  chromeLauncher({
    puppeteer,
    launchOptions: {
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      extraPrefsFirefox: firefoxPrefs(options),
    },
  });
// Firefox and WebKit play their own fake microphones (no file), so one browser serves both groups.
const firefox = firefoxLauncher();
const webkit = webkitLauncher();

/** `BROWSERS=firefox,webkit npm test` runs only those engines (default: all three). */
const engines = process.env.BROWSERS ? process.env.BROWSERS.split(',').map((name) => name.trim()) : ENGINES;
for (const name of engines) {
  if (!ENGINES.includes(name)) throw new Error(`BROWSERS: unknown engine "${name}" (known: ${ENGINES.join(', ')})`);
}
const pick = (byEngine) => engines.map((name) => byEngine[name]);
const unitBrowsers = pick({ chromium: chromium(), firefox, webkit });

// mock-socket ships only a UMD `main`; point the browser at its ES build.
const mockSocketEsm = {
  name: 'mock-socket-esm',
  resolveImport({ source }) {
    if (source === 'mock-socket') return '/node_modules/mock-socket/dist/mock-socket.es.mjs';
    return undefined;
  },
};

/** The audio engine against a real (fake) microphone: its own group, since Chromium's WAV is a browser flag. */
const MEDIA_TESTS = 'test/audio/audio-engine.*.test.ts';
/** Autoplay rules: browsers with each engine's default policy, where audio starts only in a user gesture. */
const GESTURE_TESTS = 'test/gesture.test.ts';
const NO_AUTOPLAY = { autoplay: false };

/** `real-click`: a user's click at viewport coordinates (puppeteer's mouse, or WebDriver actions for WebKit). */
const realClick = {
  name: 'real-click',
  async executeCommand({ command, payload, session }) {
    if (command !== 'real-click') return undefined;
    const { browser, id } = session;
    if (browser.type === 'puppeteer') await browser.getPage(id).mouse.click(payload.x, payload.y);
    else await browser.click(id, payload.x, payload.y);
    return true;
  },
};

/**
 * `press-key`: a user's key press, in every engine (puppeteer's keyboard, or WebDriver actions for WebKit,
 * which the runner's own `sendKeys` does not drive).
 */
const pressKey = {
  name: 'press-key',
  async executeCommand({ command, payload, session }) {
    if (command !== 'press-key') return undefined;
    const { browser, id } = session;
    if (browser.type === 'puppeteer') await browser.getPage(id).keyboard.press(payload.key);
    else await browser.press(id, payload.key);
    return true;
  },
};

/**
 * `/dist/voice-agent.worklet.js?cors` is served with `Access-Control-Allow-Origin: *`, as README asks of
 * sites that put the widget in a `srcdoc` or `about:blank` frame (WebKit fetches the worklet module there
 * from an opaque origin).
 */
async function corsWorklet(ctx, next) {
  await next();
  if (ctx.path === '/dist/voice-agent.worklet.js' && ctx.querystring === 'cors') {
    ctx.set('Access-Control-Allow-Origin', '*');
  }
}

export default {
  rootDir,
  nodeResolve: true,
  // One engine at a time, one test file at a time: the audio tests measure timing on a 2-core machine.
  concurrency: 1,
  concurrentBrowsers: 1,
  // Firefox and MiniBrowser take several seconds to start on a loaded machine.
  browserStartTimeout: 60000,
  testFramework: { config: { timeout: 10000 } },
  middleware: [corsWorklet],
  browsers: unitBrowsers, // for files given with --files
  plugins: [
    voiceServerPlugin(),
    mockSocketEsm,
    // React and Vue for the framework tests (test/frameworks.test.ts), as one ES module each.
    prebundlePlugin(
      {
        react: { specifiers: ['react', 'react-dom/client', 'react-dom'] },
        vue: { specifiers: ['vue'], alias: { vue: 'vue/dist/vue.esm-bundler.js' } },
      },
      rootDir,
    ),
    realClick,
    pressKey,
    webkitSessionFiles,
    wtrWorklet({ rootDir }),
    esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
  ],
  groups: [
    {
      name: 'unit',
      // test/server/*.test.ts run in Node (npm test); test/server/browser/ reaches the server from a page.
      files: ['test/**/*.test.ts', `!${MEDIA_TESTS}`, `!${GESTURE_TESTS}`, '!test/server/*.test.ts'],
      browsers: unitBrowsers,
    },
    { name: 'media', files: [MEDIA_TESTS], browsers: pick({ chromium: chromium(toneWav), firefox, webkit }) },
    {
      name: 'gesture',
      files: [GESTURE_TESTS],
      browsers: pick({
        chromium: chromium(undefined, NO_AUTOPLAY),
        firefox: firefoxLauncher(NO_AUTOPLAY),
        webkit: webkitLauncher(NO_AUTOPLAY),
      }),
    },
  ],
};
