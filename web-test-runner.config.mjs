import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_PATH, chromiumFlags } from './tools/chromium.mjs';
import { wtrWorklet } from './tools/worklet-plugin.mjs';
import { tones, writeWav } from './test/fixtures/wav.mjs';
import { tsImport } from 'tsx/esm/api';

// The local voice server (TypeScript) on the runner's own origin: tests can POST /api/voice-token and
// open the returned ws_url. tsImport loads it without hooking TypeScript into the whole runner process.
const { voiceServerPlugin } = await tsImport('./server/wtr-plugin.ts', import.meta.url);

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

export default {
  rootDir,
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  plugins: [
    voiceServerPlugin(),
    mockSocketEsm,
    wtrWorklet({ rootDir }),
    esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
  ],
  browsers: [chromium()],
  groups: [
    { name: 'unit', files: ['test/**/*.test.ts', '!test/media/**', '!test/server/**'] },
    {
      name: 'media',
      files: ['test/media/**/*.test.ts'],
      browsers: [chromium(toneWav)],
    },
  ],
};
