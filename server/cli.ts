/**
 * `npm run agent`: the voice server alone on a bare HTTP server (PORT, default 8787; HOST, default
 * localhost). Point the quick-start's example page at it (API_URL = the printed URL, API_KEY = the
 * printed key), or a site backend via VOICE_API_URL.
 */
import { createVoiceServer, listenVoiceServer, optionsFromEnv } from './index.js';
import { printBanner, stopOnSignals } from './banner.js';

const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? 'localhost';
const voice = createVoiceServer(optionsFromEnv());
const server = await listenVoiceServer(voice, port, host);
const address = server.address();
const actualPort = typeof address === 'object' && address ? address.port : port;
printBanner('voice-agent local voice server', `http://${host}:${actualPort}/`, voice);
stopOnSignals(async () => {
  await voice.close();
  server.close();
});
