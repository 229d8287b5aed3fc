/**
 * `npm start`: Vite's dev server on the repository (index.html and the TypeScript sources, with the
 * worklet plugin from vite.config.ts) plus the voice server on the same origin. PORT defaults to 5173.
 */
import { createServer } from 'vite';
import { printBanner, stopOnSignals } from './banner.js';
import { createVoiceServer, optionsFromEnv } from './index.js';
import { voiceServerVitePlugin } from './vite-plugin.js';

const root = new URL('..', import.meta.url).pathname;
const voice = createVoiceServer(optionsFromEnv());
const vite = await createServer({
  root,
  server: { port: Number(process.env.PORT ?? 5173) },
  plugins: [voiceServerVitePlugin(voice)],
});
await vite.listen();
const url = vite.resolvedUrls?.local[0] ?? `http://localhost:${vite.config.server.port}/`;
printBanner('voice-agent dev server', url, voice);
stopOnSignals(async () => {
  await voice.close();
  await vite.close();
});
