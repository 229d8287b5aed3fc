import { expect } from '@open-wc/testing';
import { JitterBuffer } from '../../src/dsp/jitter-buffer.js';
import { maxStep } from '../../tools/analysis.js';
import { concat } from '../../tools/signals.js';

// At 16 kHz the defaults are a 960-sample prebuffer and 80-sample fades.
const RATE = 16000;
const PREBUFFER = 960;
const FADE = 80;
const QUANTUM = 128;

const dc = (value: number, length: number): Float32Array => new Float32Array(length).fill(value);

/** Distinct values, so a lost, repeated or reordered sample shows. */
const ramp = (start: number, length: number): Float32Array =>
  new Float32Array(length).map((_, i) => 0.1 + ((start + i) % 50000) / 100000);

function pull(buffer: JitterBuffer, blocks: number, size = QUANTUM): Float32Array {
  const out = new Float32Array(blocks * size);
  for (let b = 0; b < blocks; b++) buffer.pull(out.subarray(b * size, (b + 1) * size));
  return out;
}

describe('JitterBuffer', () => {
  it('plays silence and is not playing before any audio arrives', () => {
    const buffer = new JitterBuffer({ sampleRate: RATE });
    const out = dc(1, QUANTUM);
    buffer.pull(out);
    expect(out).to.deep.equal(dc(0, QUANTUM));
    expect(buffer.stats).to.deep.equal({ underruns: 0, droppedSamples: 0, insertedSilenceSamples: 0, playing: false });
  });

  it('waits for the prebuffer, then fades in from zero', () => {
    const buffer = new JitterBuffer({ sampleRate: RATE });
    buffer.push(dc(0.5, PREBUFFER - 1));
    expect(pull(buffer, 1)).to.deep.equal(dc(0, QUANTUM));
    expect(buffer.stats.playing).to.equal(false);
    expect(buffer.queuedSamples).to.equal(PREBUFFER - 1);

    buffer.push(dc(0.5, 1));
    const out = pull(buffer, 1);
    expect(buffer.stats.playing).to.equal(true);
    expect(buffer.queuedSamples).to.equal(PREBUFFER - QUANTUM);
    for (let k = 0; k < QUANTUM; k++) expect(out[k]).to.be.closeTo(0.5 * Math.min(1, (k + 1) / FADE), 1e-6);
  });

  it('plays every sample once and in order while the queue grows and wraps', () => {
    const buffer = new JitterBuffer({ sampleRate: RATE, prebufferMs: 0 });
    let pushed = 0;
    const feed = (n: number): void => {
      buffer.push(ramp(pushed, n));
      pushed += n;
    };
    // Beyond the initial one-second ring, then a steady trickle that wraps it, then drain.
    for (let i = 0; i < 125; i++) feed(320);
    const parts: Float32Array[] = [];
    for (let i = 0; i < 400; i++) {
      parts.push(pull(buffer, 1));
      if (i % 2) feed(320);
    }
    parts.push(pull(buffer, Math.ceil(buffer.queuedSamples / QUANTUM)));
    const out = concat(parts);

    expect(buffer.stats.underruns).to.equal(1);
    const expected = ramp(0, pushed);
    // Compare outside the fade-in at the start and the fade-out at the end.
    expect(out.subarray(FADE, pushed - FADE)).to.deep.equal(expected.subarray(FADE, pushed - FADE));
  });

  it('fades out when the queue runs dry mid-block, counts one underrun and prebuffers again', () => {
    const buffer = new JitterBuffer({ sampleRate: RATE });
    buffer.push(dc(0.5, 1000));
    // 1000 samples = 7 full quanta + 104: the eighth quantum runs dry.
    const out = pull(buffer, 10);
    expect(out[500]).to.equal(0.5);
    for (let k = 1000 - FADE; k < 1000; k++) expect(out[k]).to.be.closeTo((0.5 * (999 - k)) / FADE, 1e-6);
    expect(out.subarray(1000)).to.deep.equal(dc(0, 10 * QUANTUM - 1000));
    expect(maxStep(out)).to.be.at.most(0.5 / FADE + 1e-6);
    expect(buffer.stats.underruns).to.equal(1);
    expect(buffer.stats.playing).to.equal(false);
  });

  it('resumes after an underrun only with a new prebuffer, fading in, and counts the gap', () => {
    const buffer = new JitterBuffer({ sampleRate: RATE });
    buffer.push(dc(0.5, 1000));
    const first = pull(buffer, 10);
    buffer.push(dc(0.5, 500));
    const waiting = pull(buffer, 1);
    expect(waiting).to.deep.equal(dc(0, QUANTUM));
    buffer.push(dc(0.5, PREBUFFER - 500));
    const resumed = pull(buffer, 2);
    expect(resumed[0]).to.be.closeTo(0.5 / FADE, 1e-6);
    expect(resumed[FADE + 10]).to.equal(0.5);
    expect(maxStep(Float32Array.of(...first, ...waiting, ...resumed))).to.be.at.most(0.5 / FADE + 1e-6);
    expect(buffer.stats.underruns).to.equal(1);
    // Silence between the dry point and the restart: the rest of quantum 8, quanta 9–10 and the waiting one.
    expect(buffer.stats.insertedSilenceSamples).to.equal(8 * QUANTUM - 1000 + 3 * QUANTUM);
  });

  it('drops the oldest audio beyond the cap and reports it', () => {
    const buffer = new JitterBuffer({ sampleRate: RATE, prebufferMs: 0, maxMs: 100 });
    const cap = 1600;
    expect(buffer.push(ramp(0, 1000))).to.equal(0);
    expect(buffer.push(ramp(1000, 1000))).to.equal(400);
    expect(buffer.queuedSamples).to.equal(cap);
    expect(buffer.stats.droppedSamples).to.equal(400);
    const out = pull(buffer, cap / 64, 64);
    expect(out.subarray(FADE, cap - FADE)).to.deep.equal(ramp(400 + FADE, cap - 2 * FADE));

    // A single push larger than the cap keeps only its newest part.
    expect(buffer.push(ramp(0, 5000))).to.equal(5000 - cap);
    expect(buffer.queuedSamples).to.equal(cap);
    expect(buffer.stats.droppedSamples).to.equal(400 + 5000 - cap);
    const again = pull(buffer, cap / 64, 64);
    expect(again.subarray(FADE, cap - FADE)).to.deep.equal(ramp(5000 - cap + FADE, cap - 2 * FADE));
  });

  it('takes 100 s of pushes quickly and keeps only the default 30 s cap', () => {
    const rate = 48000;
    const buffer = new JitterBuffer({ sampleRate: rate });
    const chunk = ramp(0, rate / 50);
    const started = performance.now();
    let dropped = 0;
    for (let i = 0; i < 100 * 50; i++) dropped += buffer.push(chunk);
    dropped += buffer.push(new Float32Array(100 * rate));
    const elapsed = performance.now() - started;
    expect(buffer.queuedSamples).to.equal(30 * rate);
    expect(dropped).to.equal(200 * rate - 30 * rate);
    expect(buffer.stats.droppedSamples).to.equal(dropped);
    // Generous: this takes a few milliseconds, but the machine may be busy.
    expect(elapsed).to.be.below(3000);
  });

  it('interrupt() fades out what is playing, drops the rest and starts new audio cleanly', () => {
    const buffer = new JitterBuffer({ sampleRate: RATE });
    buffer.push(dc(0.5, 4000));
    const before = pull(buffer, 2);
    buffer.interrupt();
    expect(buffer.queuedSamples).to.equal(0);
    expect(buffer.stats.playing).to.equal(false);

    buffer.push(dc(-0.25, 2000));
    const after = pull(buffer, 3);
    for (let k = 0; k < FADE; k++) expect(after[k]).to.be.closeTo((0.5 * (FADE - 1 - k)) / FADE, 1e-6);
    // Nothing of the old (positive) audio after the fade; the new audio fades in from zero.
    expect(after.subarray(FADE).every((s) => s <= 0)).to.equal(true);
    expect(after[FADE]).to.be.closeTo(-0.25 / FADE, 1e-6);
    expect(after[3 * QUANTUM - 1]).to.equal(-0.25);
    expect(maxStep(Float32Array.of(...before, ...after))).to.be.at.most(0.5 / FADE + 1e-6);
    expect(buffer.stats).to.deep.equal({ underruns: 0, droppedSamples: 0, insertedSilenceSamples: 0, playing: true });
  });

  it('interrupt() before playback has started drops the queue silently', () => {
    const buffer = new JitterBuffer({ sampleRate: RATE });
    buffer.push(dc(0.5, 500));
    buffer.interrupt();
    expect(pull(buffer, 1)).to.deep.equal(dc(0, QUANTUM));
    buffer.push(dc(0.5, 500));
    expect(pull(buffer, 1)).to.deep.equal(dc(0, QUANTUM));
    expect(buffer.queuedSamples).to.equal(500);
  });
});
