/** FIR low-pass design by the Kaiser window method (linear phase, symmetric taps). */

/** Zeroth-order modified Bessel function of the first kind, by its power series (converges fast for x < 50). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let sum = 1;
  let term = 1;
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/** Kaiser window β that gives `attenuationDb` of stopband attenuation (Kaiser's empirical formula). */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

/**
 * Taps a Kaiser-window low-pass needs for `attenuationDb` of attenuation across a transition band
 * `transitionWidth` wide (normalised to the sample rate, like `cutoff`).
 */
export function kaiserTaps(attenuationDb: number, transitionWidth: number): number {
  return Math.ceil((attenuationDb - 7.95) / (14.36 * transitionWidth)) + 1;
}

/**
 * Kaiser-windowed sinc low-pass with `numTaps` taps and its -6 dB point at `cutoff` (normalised to the
 * sample rate, 0..0.5). Scaled so the DC gain (sum of taps) is `gain` (default 1); β defaults to 8
 * (about 80 dB of stopband attenuation).
 */
export function designLowpass(
  numTaps: number,
  cutoff: number,
  options: { beta?: number; gain?: number } = {},
): Float32Array {
  const { beta = 8, gain = 1 } = options;
  if (!Number.isInteger(numTaps) || numTaps < 1)
    throw new RangeError(`numTaps must be a positive integer, got ${numTaps}`);
  if (!(cutoff > 0 && cutoff <= 0.5)) throw new RangeError(`cutoff must be in (0, 0.5], got ${cutoff}`);
  const taps = new Float64Array(numTaps);
  const centre = (numTaps - 1) / 2;
  const i0Beta = besselI0(beta);
  let sum = 0;
  for (let n = 0; n < numTaps; n++) {
    const t = n - centre;
    const x = 2 * Math.PI * cutoff * t;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(x) / (Math.PI * t);
    const r = centre === 0 ? 0 : t / centre;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    taps[n] = sinc * window;
    sum += taps[n];
  }
  const out = new Float32Array(numTaps);
  for (let n = 0; n < numTaps; n++) out[n] = (taps[n] * gain) / sum;
  return out;
}
