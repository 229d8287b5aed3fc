import { expect } from '@open-wc/testing';
import { Resampler } from '../../src/dsp/resampler.js';
import { db, rms, toneAmplitude } from '../../tools/analysis.js';
import { concat, mulberry32 as random, sine as unitSine } from '../../tools/signals.js';

const AMPLITUDE = 0.5;
const sine = (freq: number, rate: number, length: number) => unitSine(freq, rate, length, { amplitude: AMPLITUDE });

/** Resamples a quarter second of a sine and returns the output with the filter's start-up transient cut off. */
function resampleTone(inRate: number, outRate: number, freq: number): Float32Array {
  const resampler = new Resampler(inRate, outRate);
  const out = resampler.process(sine(freq, inRate, Math.round(inRate / 4)));
  return out.subarray(Math.ceil(2 * resampler.delaySamples) + 16);
}

/** How far below an equal-amplitude 440 Hz tone everything that comes out for `freq` lies, in dB. */
function aliasRejection(inRate: number, freq: number): number {
  const reference = toneAmplitude(resampleTone(inRate, 16000, 440), 440, 16000);
  // Whatever comes out of a stopband tone is alias; RMS·√2 is its amplitude as a tone.
  return db(reference / (rms(resampleTone(inRate, 16000, freq)) * Math.SQRT2));
}

const ALL_PAIRS: [number, number][] = [
  [44100, 16000],
  [48000, 16000],
  [96000, 16000],
  [22050, 16000],
  [8000, 16000],
  [16000, 48000],
  [16000, 44100],
  [44056, 16000],
  [48000, 44100],
  [16000, 16000],
];

describe('Resampler', () => {
  describe('anti-aliasing when downsampling to 16 kHz', () => {
    const stopband = [8500, 9000, 10000, 12000, 14000, 16000, 18000, 20000];
    for (const inRate of [44100, 48000, 96000, 22050, 44056]) {
      it(`puts every tone from 8.5 to 20 kHz at least 60 dB below 440 Hz, from ${inRate} Hz`, () => {
        for (const freq of stopband.filter((f) => f < inRate / 2)) {
          expect(aliasRejection(inRate, freq), `${freq} Hz`).to.be.at.least(60);
        }
      });
    }
  });

  describe('passband', () => {
    for (const [inRate, outRate] of ALL_PAIRS) {
      it(`is flat within ±0.5 dB up to 6 kHz (or 0.75 of Nyquist), ${inRate} → ${outRate} Hz`, () => {
        const top = Math.min(6000, 0.75 * (Math.min(inRate, outRate) / 2));
        for (const freq of [60, 440, 1000, 2000, 3000, 4000, 5000, 6000].filter((f) => f <= top)) {
          const gain = db(toneAmplitude(resampleTone(inRate, outRate, freq), freq, outRate) / AMPLITUDE);
          expect(Math.abs(gain), `${freq} Hz: ${gain.toFixed(3)} dB`).to.be.below(0.5);
        }
      });
    }
  });

  describe('anti-imaging when upsampling', () => {
    for (const [inRate, outRate] of [
      [16000, 44100],
      [16000, 48000],
      [8000, 16000],
    ]) {
      it(`keeps the images of 1–6 kHz tones at least 60 dB down, ${inRate} → ${outRate} Hz`, () => {
        for (const freq of [1000, 2500, 4000, 6000].filter((f) => f < 0.4 * inRate)) {
          const out = resampleTone(inRate, outRate, freq);
          const tone = toneAmplitude(out, freq, outRate);
          for (let k = 1; k * inRate - freq < outRate / 2; k++) {
            for (const image of [k * inRate - freq, k * inRate + freq].filter((f) => f < outRate / 2)) {
              expect(db(tone / toneAmplitude(out, image, outRate)), `${freq} Hz image at ${image} Hz`).to.be.at.least(
                60,
              );
            }
          }
        }
      });
    }
  });

  describe('sample count', () => {
    for (const [inRate, outRate] of ALL_PAIRS) {
      it(`is exactly floor(N·out/in) after every one of many odd-sized blocks, ${inRate} → ${outRate} Hz`, () => {
        const resampler = new Resampler(inRate, outRate);
        const next = random(inRate + outRate);
        let totalIn = 0;
        let totalOut = 0;
        for (let block = 0; block < 300; block++) {
          const input = new Float32Array(Math.floor(next() * 700));
          const predicted = resampler.outputLength(input.length);
          const out = resampler.process(input);
          expect(out.length).to.equal(predicted);
          totalIn += input.length;
          totalOut += out.length;
          expect(totalOut).to.equal(Math.floor((totalIn * outRate) / inRate));
        }
      });
    }

    it('gives exactly 9 600 000 samples for 10 minutes of 44.1 kHz fed in 128-sample quanta', function () {
      this.timeout(120000);
      const resampler = new Resampler(44100, 16000);
      const quantum = sine(440, 44100, 128);
      const out = new Float32Array(Math.ceil((128 * 16000) / 44100));
      const inputSamples = 10 * 60 * 44100;
      let total = 0;
      for (let i = 0; i < Math.floor(inputSamples / 128); i++) total += resampler.processInto(quantum, out);
      // 26 460 000 is not a multiple of 128: feed the remainder.
      total += resampler.processInto(quantum.subarray(0, inputSamples % 128), out);
      expect(total).to.equal(9_600_000);
    });

    it('processInto rejects an output array that is too short', () => {
      const resampler = new Resampler(16000, 48000);
      expect(() => resampler.processInto(new Float32Array(128), new Float32Array(383))).to.throw(RangeError);
    });
  });

  describe('streaming', () => {
    for (const [inRate, outRate] of ALL_PAIRS) {
      it(`gives the same samples in random blocks as in one call, ${inRate} → ${outRate} Hz`, () => {
        const next = random(outRate);
        const input = new Float32Array(inRate / 5).map(() => next() * 2 - 1);
        const oneShot = new Resampler(inRate, outRate).process(input);
        const streaming = new Resampler(inRate, outRate);
        const parts: Float32Array[] = [];
        for (let i = 0; i < input.length;) {
          const size = Math.min(input.length - i, Math.floor(next() * 300));
          parts.push(streaming.process(input.subarray(i, i + size)));
          i += size;
        }
        const streamed = concat(parts);
        expect(streamed.length).to.equal(oneShot.length);
        expect(streamed).to.deep.equal(oneShot);
      });
    }

    it('reset() returns to the freshly constructed state', () => {
      const input = sine(1000, 44100, 5000);
      const fresh = new Resampler(44100, 16000).process(input);
      const reused = new Resampler(44100, 16000);
      reused.process(sine(3000, 44100, 777));
      reused.reset();
      expect(reused.process(input)).to.deep.equal(fresh);
    });
  });

  describe('delay', () => {
    for (const [inRate, outRate] of ALL_PAIRS) {
      it(`delaySamples is the true group delay, ${inRate} → ${outRate} Hz`, () => {
        const resampler = new Resampler(inRate, outRate);
        const freq = 300;
        const out = resampler.process(sine(freq, inRate, inRate / 5));
        const start = Math.ceil(2 * resampler.delaySamples) + 16;
        let worst = 0;
        for (let n = start; n < out.length; n++) {
          const expected = AMPLITUDE * Math.sin((2 * Math.PI * freq * (n - resampler.delaySamples)) / outRate);
          worst = Math.max(worst, Math.abs(out[n] - expected));
        }
        // A delay off by a tenth of a sample would show as an error above 2e-3 at 300 Hz.
        expect(worst).to.be.below(1e-3);
      });
    }

    it('passes equal rates through unchanged, with no delay', () => {
      const input = sine(5000, 16000, 1000);
      const resampler = new Resampler(16000, 16000);
      expect(resampler.delaySamples).to.equal(0);
      expect(resampler.process(input)).to.deep.equal(input);
    });
  });

  it('rejects rates that are not positive integers', () => {
    expect(() => new Resampler(44100.5, 16000)).to.throw(RangeError);
    expect(() => new Resampler(0, 16000)).to.throw(RangeError);
    expect(() => new Resampler(16000, -8000)).to.throw(RangeError);
  });
});
