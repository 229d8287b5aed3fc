import { expect } from '@open-wc/testing';
import { TimeStretch } from '../../src/dsp/time-stretch.js';
import { maxStep } from '../../tools/analysis.js';

const RATE = 48000;

const sine = (freq: number, length: number, amplitude = 0.5): Float32Array =>
  new Float32Array(length).map((_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / RATE));

/** A TimeStretch whose head holds `signal` (as much as fits). */
function loaded(signal: Float32Array): TimeStretch {
  const stretch = new TimeStretch(RATE);
  stretch.head.set(signal.subarray(0, stretch.head.length));
  return stretch;
}

describe('TimeStretch', () => {
  it('finds the pitch period of a tone and of a voice with harmonics', () => {
    const tone = loaded(sine(300, 2000));
    expect(tone.analyse(tone.head.length)).to.equal(true);
    expect(tone.silent).to.equal(false);
    // 160 samples, or a whole multiple of it: either repeats the waveform exactly.
    const cycles = tone.period / 160;
    expect(Math.abs(cycles - Math.round(cycles)) * 160).to.be.below(1.01);

    const voice = new Float32Array(2000);
    for (let h = 1; h <= 6; h++) sine(140 * h, 2000, 0.3 / h).forEach((v, i) => (voice[i] += v));
    const stretch = loaded(voice);
    expect(stretch.analyse(stretch.head.length)).to.equal(true);
    expect(stretch.period).to.be.closeTo(RATE / 140, 1.5);
  });

  it('refuses noise, takes silence, and needs two shortest periods of audio', () => {
    let seed = 1;
    const noise = new Float32Array(2000).map(() => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.8);
    const stretch = loaded(noise);
    expect(stretch.analyse(stretch.head.length)).to.equal(false);

    const quiet = loaded(sine(300, 2000, 0.001));
    expect(quiet.analyse(quiet.head.length)).to.equal(true);
    expect(quiet.silent).to.equal(true);

    expect(loaded(sine(300, 2000)).analyse(200)).to.equal(false); // 2.5 ms shortest period = 120 samples
  });

  it('shortens by one period and lengthens by one, continuously at both ends', () => {
    const tone = sine(300, 2000);
    const short = loaded(tone.subarray(200));
    short.analyse(short.head.length);
    const p = short.period;
    expect(short.shorten()).to.equal(p);
    // What plays: the audio before, the result, then the queue from 2P on.
    const shortened = Float32Array.of(
      ...tone.subarray(0, 200),
      ...short.out.subarray(0, p),
      ...tone.subarray(200 + 2 * p, 1800),
    );
    const long = loaded(tone.subarray(200));
    long.analyse(long.head.length);
    expect(long.lengthen()).to.equal(2 * long.period);
    const q = long.period;
    const lengthened = Float32Array.of(
      ...tone.subarray(0, 200),
      ...long.out.subarray(0, 2 * q),
      ...tone.subarray(200 + q, 1800),
    );
    const sineStep = (2 * Math.PI * 300 * 0.5) / RATE;
    expect(maxStep(shortened)).to.be.below(sineStep * 1.05);
    expect(maxStep(lengthened)).to.be.below(sineStep * 1.05);
  });

  it('cuts silence to a quarter', () => {
    const stretch = loaded(new Float32Array(2000));
    expect(stretch.analyse(stretch.head.length)).to.equal(true);
    expect(stretch.shorten()).to.equal(stretch.period / 2);
    expect(stretch.period).to.equal(stretch.maxPeriod);
  });
});
