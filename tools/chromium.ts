// How every tool here starts Chromium: Debian's build (never a downloaded one), headless, with the fake
// media devices. Shared by the test runner, the benchmarks and the demo check.

/** `CHROME_PATH` overrides Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** Lets audio start without a user gesture: in CHROMIUM_FLAGS, left out where a test checks the gesture rule. */
export const CHROMIUM_AUTOPLAY_FLAG = '--autoplay-policy=no-user-gesture-required';

/**
 * Headless on a machine without GPU or network; audio may start without a gesture; the fake UI grants
 * the microphone and the fake device provides one (a beep, unless a WAV is given).
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  CHROMIUM_AUTOPLAY_FLAG,
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

/**
 * The flags, with the fake microphone playing `wavPath` in a loop when given, and without the autoplay
 * allowance when `autoplay` is false (Chromium's default policy: audio starts only in a user gesture).
 */
export function chromiumFlags(wavPath?: string, { autoplay = true } = {}): string[] {
  const flags = autoplay ? [...CHROMIUM_FLAGS] : CHROMIUM_FLAGS.filter((flag) => flag !== CHROMIUM_AUTOPLAY_FLAG);
  return wavPath ? [...flags, `--use-file-for-fake-audio-capture=${wavPath}`] : flags;
}
