import { expect } from '@open-wc/testing';
import { LevelMeter, levelAfterGain, rmsToLevel } from '../../src/dsp/level.js';
import { sine as tone } from '../../tools/signals.js';

const RATE = 48000;
const QUANTUM = 128;

/** A 750 Hz sine: a whole number of cycles in a 128-sample quantum, so its RMS is exactly amplitude/√2. */
const sine = (amplitude: number, length = QUANTUM) => tone(750, RATE, length, { amplitude });

describe('rmsToLevel', () => {
  it('maps -60..0 dBFS linearly onto 0..1 and clamps outside', () => {
    expect(rmsToLevel(1)).to.equal(1);
    expect(rmsToLevel(10 ** (-30 / 20))).to.be.closeTo(0.5, 1e-9);
    expect(rmsToLevel(10 ** (-15 / 20))).to.be.closeTo(0.75, 1e-9);
    expect(rmsToLevel(0.001)).to.be.closeTo(0, 1e-9);
    expect(rmsToLevel(1e-5)).to.equal(0);
    expect(rmsToLevel(0)).to.equal(0);
    expect(rmsToLevel(NaN)).to.equal(0);
    expect(rmsToLevel(4)).to.equal(1);
  });
});

describe('LevelMeter', () => {
  it('starts at 0 and reads silence as 0', () => {
    const meter = new LevelMeter(RATE);
    expect(meter.level).to.equal(0);
    expect(meter.process(new Float32Array(QUANTUM))).to.equal(0);
  });

  it('rises to a loud block at once (fast attack)', () => {
    const meter = new LevelMeter(RATE);
    const level = meter.process(sine(1));
    // A full-scale sine has an RMS of -3 dBFS.
    expect(level).to.be.closeTo(rmsToLevel(Math.SQRT1_2), 1e-3);
    expect(meter.level).to.equal(level);
  });

  it('falls steadily and reaches 0 within 300 ms of silence', () => {
    const meter = new LevelMeter(RATE);
    meter.process(sine(1));
    const silence = new Float32Array(QUANTUM);
    const levels: number[] = [];
    for (let t = 0; t < 0.4 * RATE; t += QUANTUM) levels.push(meter.process(silence));
    for (let i = 1; i < levels.length; i++) expect(levels[i]).to.be.at.most(levels[i - 1]);
    const msToZero = ((levels.indexOf(0) + 1) * QUANTUM * 1000) / RATE;
    // Not a sudden drop (still visible after 100 ms) but gone by 300 ms.
    expect(levels[Math.floor((0.1 * RATE) / QUANTUM)]).to.be.above(0.3);
    expect(msToZero).to.be.within(200, 300);
    expect(levels[levels.length - 1]).to.equal(0);
  });

  it('follows decayMs', () => {
    const meter = new LevelMeter(RATE, { decayMs: 100 });
    meter.process(sine(1));
    let blocks = 0;
    while (meter.process(new Float32Array(QUANTUM)) > 0) blocks++;
    expect(((blocks + 1) * QUANTUM * 1000) / RATE).to.be.within(50, 100);
  });

  it('holds the decaying peak over a quieter block instead of dropping to it', () => {
    const meter = new LevelMeter(RATE);
    const loud = meter.process(sine(1));
    const after = meter.process(sine(0.01));
    expect(after).to.be.above(rmsToLevel(0.01 * Math.SQRT1_2));
    expect(after).to.be.below(loud);
  });

  it('ignores an empty block', () => {
    const meter = new LevelMeter(RATE);
    const level = meter.process(sine(0.5));
    expect(meter.process(new Float32Array(0))).to.equal(level);
    expect(meter.level).to.equal(level);
  });
});

describe('levelAfterGain', () => {
  it('is the level of the signal scaled by the gain', () => {
    for (const rms of [0.5, 0.1, 0.01]) {
      for (const gain of [1, 0.5, 0.2, 0.05]) {
        expect(levelAfterGain(rmsToLevel(rms), gain)).to.be.closeTo(rmsToLevel(rms * gain), 1e-9);
      }
    }
    expect(levelAfterGain(0.5, 0)).to.equal(0);
    expect(levelAfterGain(0, 1)).to.equal(0);
    expect(levelAfterGain(0.01, 0.1)).to.equal(0);
  });
});
