import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { tsImport } from 'tsx/esm/api';

// The project's tools and the local voice server are TypeScript; tsImport loads them without hooking
// TypeScript into the whole runner process. The server runs on the runner's own origin: tests can
// POST /api/voice-token and open the returned ws_url.
const load = (path) => tsImport(path, import.meta.url);
const { CHROMIUM_PATH, chromiumFlags } = await load('./tools/chromium.ts');
const { wtrWorklet } = await load('./tools/worklet-plugin.ts');
const { tones } = await load('./tools/signals.ts');
const { writeWav } = await load('./tools/wav.ts');
const { voiceServerPlugin } = await load('./server/wtr-plugin.ts');
const { prebundlePlugin } = await load('./tools/prebundle-plugin.ts');

const rootDir = fileURLToPath(new URL('.', import.meta.url));

const chromium = (wavPath) =>
  chromeLauncher({ launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: chromiumFlags(wavPath) } });

// The fake microphone for the capture tests: 440 Hz + 12 kHz at equal amplitude, at 48 kHz.
const toneWav = writeWav(
  `${rootDir}test/fixtures/generated/tone-440-12k.wav`,
  tones([440, 12000], { sampleRate: 48000, seconds: 2 }),
  48000,
);

// mock-socket ships only a UMD `main`; point the browser at its ES build.
const mockSocketEsm = {
  name: 'mock-socket-esm',
  resolveImport({ source }) {
    if (source === 'mock-socket') return '/node_modules/mock-socket/dist/mock-socket.es.mjs';
    return undefined;
  },
};

/** The audio engine against a real (fake) microphone: its own group, since the WAV is a browser flag. */
const MEDIA_TESTS = 'test/audio/audio-engine.*.test.ts';

export default {
  rootDir,
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
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
    wtrWorklet({ rootDir }),
    esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
  ],
  browsers: [chromium()],
  groups: [
    {
      name: 'unit',
      // test/server/*.test.ts run in Node (npm test); test/server/browser/ reaches the server from a page.
      files: ['test/**/*.test.ts', `!${MEDIA_TESTS}`, '!test/server/*.test.ts'],
    },
    { name: 'media', files: [MEDIA_TESTS], browsers: [chromium(toneWav)] },
  ],
};
