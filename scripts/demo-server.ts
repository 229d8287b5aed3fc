// The demo page served with the local voice server, and the fake microphone that talks to it: shared by
// the demo check and the screenshot script.
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { createVoiceServer } from '../server/index.js';
import { voiceServerVitePlugin } from '../server/vite-plugin.js';
import { speechLike } from '../tools/signals.js';
import { writeWav } from '../tools/wav.js';

/** The repository root, with a trailing slash. */
export const root = fileURLToPath(new URL('..', import.meta.url));
const MIC_RATE = 48_000;

/**
 * The fake microphone. Chromium plays the file from its start when capture begins, so it opens with
 * silence while the agent greets (3.6 s), then says a "sentence" (two voiced bursts with a syllable
 * rhythm) and leaves silence for the echo before it loops; talking over the greeting would cut it short
 * (the agent yields to barge-in). A harmonic series at a speaking pitch, amplitude-modulated at ~4 Hz,
 * passes the browser's noise suppression and the agent's VAD as a voice does.
 */
export function writeSpeechWav(): string {
  const samples = speechLike([5, { voiced: 0.7, pitch: 140 }, 0.15, { voiced: 0.6, pitch: 125 }, 3.5], {
    sampleRate: MIC_RATE,
  });
  return writeWav(`${root}test/fixtures/generated/demo-speech.wav`, samples, MIC_RATE);
}

/** The page and the voice server on one free port, composed as `npm start` (server/dev.ts) does it. */
export async function startServer(voiceLog: string[]): Promise<{ url: string; close: () => Promise<void> }> {
  const voice = createVoiceServer({ log: (line) => voiceLog.push(line) });
  const vite = await createServer({
    root,
    logLevel: 'warn',
    // A check must not reload the page mid-session because a source file was saved.
    server: { port: 0, strictPort: true, hmr: false, watch: null },
    plugins: [voiceServerVitePlugin(voice)],
  });
  await vite.listen();
  const { port } = vite.httpServer!.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: async () => {
      await voice.close();
      await vite.close();
    },
  };
}
