// Test signals shared by the tests, the bench and the demo check: pure functions over Float32Array,
// usable in the browser and in Node alike.

/** `amplitude · sin(2π·freq·t + phase)` sampled at `rate` for `length` samples. */
export function sine(freq: number, rate: number, length: number, { amplitude = 1, phase = 0 } = {}): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate + phase);
  return out;
}

/** Sum of equal-amplitude sines; a whole number of cycles of each tone fits the file so the loop is seamless. */
export function tones(freqs: number[], { sampleRate = 48000, seconds = 2, amplitude = 0.25 } = {}): Float32Array {
  const out = new Float32Array(Math.round(sampleRate * seconds));
  for (const freq of freqs) {
    const tone = sine(freq, sampleRate, out.length, { amplitude });
    for (let i = 0; i < out.length; i++) out[i] += tone[i];
  }
  return out;
}

/** The parts one after another in a single array. */
export function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Speech-like sound for the fake microphone, so the echo agent's energy VAD hears utterances: `script`
 * alternates seconds of silence and voiced bursts (a pitch and five harmonics, a 4 Hz syllable
 * envelope, 30 ms fades so neither end clicks), e.g. `[5, { voiced: 0.7, pitch: 140 }, 3.5]`.
 */
export function speechLike(
  script: (number | { voiced: number; pitch: number })[],
  { sampleRate = 48000, amplitude = 0.06 } = {},
): Float32Array {
  const parts = script.map((part) => {
    if (typeof part === 'number') return new Float32Array(Math.round(part * sampleRate));
    const { voiced: seconds, pitch } = part;
    const harmonics = tones(
      [1, 2, 3, 4, 5, 6].map((k) => k * pitch),
      { sampleRate, seconds, amplitude },
    );
    return harmonics.map((s, i) => {
      const t = i / sampleRate;
      const syllables = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t - Math.PI / 2);
      const fade = Math.min(1, t / 0.03, (seconds - t) / 0.03);
      return s * syllables * fade;
    });
  });
  return concat(parts);
}

/** mulberry32: a tiny seeded pseudo-random generator in [0, 1), so every run sees the same numbers. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
