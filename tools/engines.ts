// The browser engines the tests run in, and what each one's fake microphone plays there. Browser-safe:
// the test config, the Firefox preferences and the tests themselves read the same facts.

export const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
export type Engine = (typeof ENGINES)[number];

/**
 * Each engine's fake microphone in the tests: its strongest tone and that tone's amplitude. Chromium's is
 * the WAV the test config writes (with a 12 kHz tone beside it), Firefox's a preference (the level is
 * fixed), WebKit's the mock device's steady hum (it adds a short 1.5 kHz/500 Hz "bip-bop" every second).
 */
export const FAKE_MICROPHONES: Readonly<Record<Engine, { hz: number; amplitude: number }>> = {
  chromium: { hz: 440, amplitude: 0.25 },
  firefox: { hz: 440, amplitude: 0.1 },
  webkit: { hz: 150, amplitude: 0.1 },
};

/** The engine running this page, told by its user agent. */
export function currentEngine(userAgent = navigator.userAgent): Engine {
  if (/\bFirefox\//.test(userAgent)) return 'firefox';
  return /Chrom(e|ium)\//.test(userAgent) ? 'chromium' : 'webkit';
}
