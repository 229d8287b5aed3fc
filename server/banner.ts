/** Start-up output and clean shutdown shared by `npm start` and `npm run agent`. */
import { FAULTS } from './faults.js';
import type { VoiceServer } from './index.js';

/** Prints where the server is and the development API key (a key from the environment is never printed). */
export function printBanner(title: string, url: string, voice: VoiceServer): void {
  const key = voice.apiKeyGenerated ? `${voice.apiKey}  (set VOICE_API_KEY to choose one)` : '(from VOICE_API_KEY)';
  console.log(
    [
      '',
      `  ${title}: ${url}`,
      '',
      `  Site token endpoint   POST ${url}api/voice-token   (?fault=NAME to inject a fault)`,
      `  Voice service API     POST ${url}api/v1/sdk/token  (Authorization: Bearer <key>)`,
      `  Development API key   ${key}`,
      `  Upstream              ${process.env.VOICE_API_URL || 'the built-in emulator'}`,
      `  Faults                ${FAULTS.map((f) => f.name).join(', ')}`,
      '',
    ].join('\n'),
  );
}

/** On Ctrl-C or SIGTERM: run `stop` once (sessions get server_shutdown), then exit. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(1); // second Ctrl-C: don't wait
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
