import { expect } from '@open-wc/testing';
import { designLowpass, kaiserBeta, kaiserTaps } from '../../src/dsp/fir.js';
import { db } from '../../tools/analysis.js';

/** Magnitude of the filter's frequency response at `freq` (normalised to the sample rate). */
function response(taps: Float32Array, freq: number): number {
  let re = 0;
  let im = 0;
  for (let n = 0; n < taps.length; n++) {
    re += taps[n] * Math.cos(2 * Math.PI * freq * n);
    im -= taps[n] * Math.sin(2 * Math.PI * freq * n);
  }
  return Math.hypot(re, im);
}

describe('designLowpass', () => {
  it('is symmetric (linear phase) with the requested DC gain', () => {
    for (const [numTaps, gain] of [
      [31, 1],
      [64, 3],
    ]) {
      const taps = designLowpass(numTaps, 0.2, { gain });
      expect(taps.length).to.equal(numTaps);
      for (let n = 0; n < numTaps; n++) expect(taps[n]).to.be.closeTo(taps[numTaps - 1 - n], 1e-7);
      expect(taps.reduce((a, b) => a + b, 0)).to.be.closeTo(gain, 1e-5);
    }
  });

  it('meets the attenuation kaiserBeta and kaiserTaps are asked for', () => {
    const attenuation = 70;
    const cutoff = 0.2;
    const transition = 0.04;
    const taps = designLowpass(kaiserTaps(attenuation, transition), cutoff, { beta: kaiserBeta(attenuation) });
    // Half-amplitude (-6 dB) at the cutoff, flat below the transition band, attenuated above it.
    expect(response(taps, cutoff)).to.be.closeTo(0.5, 0.01);
    for (let f = 0; f <= cutoff - transition / 2; f += 0.002)
      expect(Math.abs(db(response(taps, f))), `${f}`).to.be.below(0.01);
    for (let f = cutoff + transition / 2; f <= 0.5; f += 0.001)
      expect(db(response(taps, f)), `${f}`).to.be.below(-attenuation + 1);
  });

  it('gives more attenuation for a larger β at the same length', () => {
    const stopband = (beta: number): number => {
      const taps = designLowpass(101, 0.25, { beta });
      let worst = 0;
      for (let f = 0.32; f <= 0.5; f += 0.001) worst = Math.max(worst, response(taps, f));
      return db(worst);
    };
    expect(stopband(8)).to.be.below(stopband(4) - 20);
  });

  it('degenerates to a single tap equal to the gain', () => {
    expect(Array.from(designLowpass(1, 0.25, { gain: 2 }))).to.deep.equal([2]);
  });

  it('rejects impossible parameters', () => {
    expect(() => designLowpass(0, 0.25)).to.throw(RangeError);
    expect(() => designLowpass(10.5, 0.25)).to.throw(RangeError);
    expect(() => designLowpass(10, 0)).to.throw(RangeError);
    expect(() => designLowpass(10, 0.6)).to.throw(RangeError);
  });
});

describe('kaiserBeta / kaiserTaps', () => {
  it('grow with the attenuation and shrink with a wider transition', () => {
    expect(kaiserBeta(10)).to.equal(0);
    expect(kaiserBeta(40)).to.be.above(kaiserBeta(30));
    expect(kaiserBeta(80)).to.be.above(kaiserBeta(60));
    expect(kaiserTaps(80, 0.05)).to.be.above(kaiserTaps(60, 0.05));
    expect(kaiserTaps(60, 0.1)).to.be.below(kaiserTaps(60, 0.05));
  });
});
