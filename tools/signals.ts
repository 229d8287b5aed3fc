/** Test signals, pure (no Node, no DOM): usable from the bench, scripts and browser tests alike. */

/** Sum of equal-amplitude sines; a whole number of cycles of each tone fits the file so the loop is seamless. */
export function tones(freqs: number[], { sampleRate = 48000, seconds = 2, amplitude = 0.25 } = {}): Float32Array {
  const n = Math.round(sampleRate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (const f of freqs) out[i] += amplitude * Math.sin((2 * Math.PI * f * i) / sampleRate);
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
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
