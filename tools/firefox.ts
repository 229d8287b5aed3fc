// How the test runner starts Firefox: Debian's ESR (never a downloaded one), headless, driven by
// puppeteer-core over WebDriver BiDi, with a fake microphone and audio allowed to start without a gesture.
import { FAKE_MICROPHONES } from './engines.js';

/** `FIREFOX_PATH` overrides Debian's `/usr/bin/firefox-esr`. */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Lets audio start without a user gesture; left out where a test checks the gesture rule. */
const AUTOPLAY_PREFS = {
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'media.autoplay.block-webaudio': false,
};

/** The preferences: a granted fake microphone, a mock audio backend, and audio allowed to start without a gesture unless `autoplay` is false. */
export function firefoxPrefs({ autoplay = true } = {}): Record<string, unknown> {
  return {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    // The fake microphone: a sine at amplitude 0.1 (fixed) whose frequency is a preference (default 1 kHz).
    'media.navigator.audio.fake_frequency': FAKE_MICROPHONES.firefox.hz,
    // No sound server here: without the mock backend every AudioContext stays suspended.
    'media.cubeb.force_mock_context': true,
    ...(autoplay ? AUTOPLAY_PREFS : {}),
  };
}
