import { expect } from '@open-wc/testing';
import { dominantFrequency, rms, spectralDistanceDb, toneAmplitude } from '../../tools/analysis.js';
import { sine } from '../../tools/signals.js';

/** Tones of their own amplitudes, each with a phase of its own (its frequency in radians). */
function tones(parts: [freq: number, amplitude: number][], rate: number, length: number): Float32Array {
  const x = new Float32Array(length);
  for (const [f, a] of parts) sine(f, rate, length, { amplitude: a, phase: f }).forEach((v, i) => (x[i] += v));
  return x;
}

describe('test analysis helpers', () => {
  it('toneAmplitude reads the amplitude of an off-bin tone', () => {
    expect(toneAmplitude(tones([[1234.5, 0.3]], 16000, 8000), 1234.5, 16000)).to.be.closeTo(0.3, 0.003);
  });

  it('toneAmplitude sees a tone 80 dB below a loud one a few hundred Hz away', () => {
    const signal = tones(
      [
        [440, 1],
        [4000, 1e-4],
      ],
      16000,
      8000,
    );
    expect(toneAmplitude(signal, 4000, 16000)).to.be.closeTo(1e-4, 1e-5);
    expect(toneAmplitude(tones([[440, 1]], 16000, 8000), 940, 16000)).to.be.below(1e-5);
  });

  it('dominantFrequency finds the loudest tone to a fraction of a hertz', () => {
    expect(dominantFrequency(tones([[440, 0.5]], 48000, 48000), 48000)).to.be.closeTo(440, 0.5);
    expect(
      dominantFrequency(
        tones(
          [
            [440, 0.1],
            [3777, 0.2],
          ],
          16000,
          5000,
        ),
        16000,
      ),
    ).to.be.closeTo(3777, 2);
  });

  it('rms of a full-scale sine is 1/√2', () => {
    expect(rms(tones([[1000, 1]], 16000, 16000))).to.be.closeTo(Math.SQRT1_2, 1e-4);
    expect(rms([])).to.equal(0);
  });

  it('spectralDistanceDb ignores loudness but not a change of pitch', () => {
    const voice = (pitch: number, gain: number) =>
      tones(
        [1, 2, 3, 4].map((h) => [pitch * h, gain / h] as [number, number]),
        48000,
        48000,
      );
    expect(spectralDistanceDb(voice(140, 0.5), voice(140, 0.1), 48000)).to.be.below(0.01);
    expect(spectralDistanceDb(voice(140, 0.5), voice(161, 0.5), 48000)).to.be.above(3);
  });
});
