/** Small pure signal-analysis helpers for the audio tests and the bench (no DOM, no Node). */

/** 4-term Blackman-Harris window value at `n` of `length`: sidelobes ~92 dB down, so a loud tone does not mask a faint one. */
function blackmanHarris(n: number, length: number): number {
  const x = (2 * Math.PI * n) / (length - 1);
  return 0.35875 - 0.48829 * Math.cos(x) + 0.14128 * Math.cos(2 * x) - 0.01168 * Math.cos(3 * x);
}

/**
 * Peak amplitude of the sinusoid at `freq` Hz in `samples` (a windowed single-bin DFT evaluated at exactly
 * `freq`). A pure tone of amplitude A reads ≈ A; tones more than ~4 bins away leak in below -90 dB.
 */
export function toneAmplitude(samples: ArrayLike<number>, freq: number, sampleRate: number): number {
  const n = samples.length;
  const w = (2 * Math.PI * freq) / sampleRate;
  let re = 0;
  let im = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i++) {
    const v = samples[i] * blackmanHarris(i, n);
    re += v * Math.cos(w * i);
    im -= v * Math.sin(w * i);
    windowSum += blackmanHarris(i, n);
  }
  return (2 * Math.hypot(re, im)) / windowSum;
}

/** An amplitude ratio in decibels. */
export const db = (ratio: number): number => 20 * Math.log10(ratio);

/** Largest jump between neighbouring samples: a click shows as a step far above the signal's own. */
export function maxStep(samples: ArrayLike<number>): number {
  let max = 0;
  for (let i = 1; i < samples.length; i++) max = Math.max(max, Math.abs(samples[i] - samples[i - 1]));
  return max;
}

/** Root mean square of `samples`. */
export function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}

/** In-place iterative radix-2 FFT of (re, im); the length must be a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const cr = Math.cos(step * k);
        const ci = Math.sin(step * k);
        const a = start + k;
        const b = a + size / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/**
 * Frequency in Hz of the strongest spectral peak in `samples` (DC excluded): a windowed FFT of the last
 * power-of-two samples, refined by parabolic interpolation of the log magnitudes around the peak bin.
 */
export function dominantFrequency(samples: ArrayLike<number>, sampleRate: number): number {
  let n = 1;
  while (n * 2 <= samples.length) n *= 2;
  if (n < 4) return 0;
  const offset = samples.length - n;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = samples[offset + i] * blackmanHarris(i, n);
  fft(re, im);
  const power = (k: number): number => re[k] * re[k] + im[k] * im[k];
  // Bins near DC are skipped: the window's main lobe is 4 bins wide on each side.
  let peak = 4;
  for (let k = 5; k < n / 2; k++) if (power(k) > power(peak)) peak = k;
  const [a, b, c] = [power(peak - 1), power(peak), power(peak + 1)].map((p) => Math.log(p + 1e-300));
  const shift = (a - c) / (2 * (a - 2 * b + c)) || 0;
  return ((peak + shift) * sampleRate) / n;
}

/**
 * Long-term average power spectrum of `samples`: Blackman-Harris-windowed FFTs of `size` samples (a
 * power of two), hopping by half, averaged per bin (bin k is k × sampleRate / size Hz).
 */
export function averageSpectrum(samples: ArrayLike<number>, size = 1024): Float64Array {
  const power = new Float64Array(size / 2);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let frames = 0;
  for (let start = 0; start + size <= samples.length; start += size / 2, frames++) {
    for (let i = 0; i < size; i++) re[i] = samples[start + i] * blackmanHarris(i, size);
    im.fill(0);
    fft(re, im);
    for (let k = 0; k < size / 2; k++) power[k] += re[k] * re[k] + im[k] * im[k];
  }
  return power.map((p) => p / Math.max(1, frames));
}

/**
 * Log-spectral distance in dB between the average spectra of `a` and `b` over `lowHz`..`highHz`: each
 * is normalised to its total power and floored `floorDb` below its peak (so the distance judges what
 * can be heard, the pitch, harmonics and artefacts above that floor, not loudness or numerical dust).
 */
export function spectralDistanceDb(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  sampleRate: number,
  { lowHz = 100, highHz = 4000, floorDb = 50, size = 1024 } = {},
): number {
  const from = Math.ceil((lowHz * size) / sampleRate);
  const to = Math.floor((highHz * size) / sampleRate);
  const shape = (samples: ArrayLike<number>) => {
    const band = averageSpectrum(samples, size).subarray(from, to + 1);
    const total = band.reduce((s, v) => s + v, 0);
    const floor = Math.max(...band) * 10 ** (-floorDb / 10);
    return band.map((p) => Math.max(p, floor) / total);
  };
  const [pa, pb] = [shape(a), shape(b)];
  let squares = 0;
  for (let k = 0; k < pa.length; k++) squares += (10 * Math.log10(pa[k] / pb[k])) ** 2;
  return Math.sqrt(squares / pa.length);
}
