// Property-based tests of the DSP modules: random block sizes, odd lengths, NaN and ±Infinity samples,
// huge blocks. Each asserts only public invariants: no throw, exact sample counts, samples in range,
// bounded memory.
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { Framer } from '../../src/dsp/framer.js';
import { MAX_PERIOD_MS } from '../../src/dsp/time-stretch.js';
import { JitterBuffer } from '../../src/dsp/jitter-buffer.js';
import { floatToInt16 } from '../../src/dsp/pcm.js';
import { Resampler } from '../../src/dsp/resampler.js';
import { FRAME_SAMPLES } from '../../src/wire.js';

const RUNS = { numRuns: 150 };
const RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 44056];

/** Any Float32 sample, NaN and the infinities included. */
const anySample = fc.oneof(
  { weight: 8, arbitrary: fc.float({ min: -1, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1.5, -7) },
);
/** Blocks of any length from 0 to `max`. */
const blocks = (sample: fc.Arbitrary<number>, max = 700) =>
  fc
    .array(fc.array(sample, { maxLength: max }), { maxLength: 12 })
    .map((arrays) => arrays.map((a) => Float32Array.from(a)));

describe('fuzz: Framer', () => {
  it('emits floor(N / 320) exact frames whose samples are the clipped input, in order, whatever the blocks', () => {
    fc.assert(
      fc.property(blocks(anySample), (input) => {
        const framer = new Framer(FRAME_SAMPLES);
        const frames: Int16Array[] = [];
        for (const block of input) framer.push(block, (f) => frames.push(f));
        const all = new Float32Array(input.reduce((n, b) => n + b.length, 0));
        let at = 0;
        for (const block of input) all.set(block, (at += block.length) - block.length);
        expect(frames.length).to.equal(Math.floor(all.length / FRAME_SAMPLES));
        const expected = floatToInt16(all.subarray(0, frames.length * FRAME_SAMPLES));
        frames.forEach((frame, k) => {
          expect(frame.length).to.equal(FRAME_SAMPLES);
          expect(frame.buffer.byteLength).to.equal(FRAME_SAMPLES * 2); // owns its buffer: transferable
          expect(Array.from(frame)).to.deep.equal(
            Array.from(expected.subarray(k * FRAME_SAMPLES, (k + 1) * FRAME_SAMPLES)),
          );
        });
      }),
      RUNS,
    );
  });
});

describe('fuzz: Resampler', () => {
  it('produces exactly floor(N · out / in) samples after N input samples, in any blocks, for any rate pair', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RATES),
        fc.constantFrom(...RATES),
        blocks(anySample, 2000),
        (inRate, outRate, input) => {
          const resampler = new Resampler(inRate, outRate);
          let fed = 0;
          let produced = 0;
          for (const block of input) {
            const out = resampler.process(block);
            fed += block.length;
            produced += out.length;
            expect(produced).to.equal(Math.floor((fed * outRate) / inRate));
          }
        },
      ),
      RUNS,
    );
  });

  it('keeps a full-scale input bounded, and recovers from NaN or infinite samples once they leave the filter', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RATES),
        fc.constantFrom(16000, 44100, 48000),
        fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 3000 }),
        fc.constantFrom(Number.NaN, Infinity, -Infinity),
        (inRate, outRate, clean, poison) => {
          const resampler = new Resampler(inRate, outRate);
          // Worst-case bound: the filter's gain on an adversarial ±1 signal (sum of |taps|) stays small.
          for (const y of resampler.process(Float32Array.from(clean))) expect(Math.abs(y)).to.be.at.most(1.3);
          resampler.process(new Float32Array([poison]));
          // After enough input to flush the filter's history, every output is finite again.
          const flush = Math.ceil((resampler.tapsPerPhase + 2) * Math.max(1, inRate / outRate)) + 2;
          resampler.process(new Float32Array(flush));
          for (const y of resampler.process(Float32Array.from(clean))) expect(Number.isFinite(y)).to.equal(true);
        },
      ),
      RUNS,
    );
  });
});

type Op = { push: Float32Array } | { pull: number } | { interrupt: true };

describe('fuzz: JitterBuffer', () => {
  const sampleRate = 16000;
  const maxMs = 500;
  const cap = (maxMs * sampleRate) / 1000;
  const period = Math.ceil((MAX_PERIOD_MS * sampleRate) / 1000);
  const ops = (sample: fc.Arbitrary<number>) =>
    fc.array(
      fc.oneof(
        { weight: 4, arbitrary: blocks(sample, 3000).map((b): Op => ({ push: b[0] ?? new Float32Array(0) })) },
        {
          weight: 1,
          arbitrary: fc.integer({ min: 9000, max: 40000 }).map((n): Op => ({ push: new Float32Array(n).fill(0.5) })),
        },
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 1024 }).map((n): Op => ({ pull: n })) },
        { weight: 1, arbitrary: fc.constant<Op>({ interrupt: true }) },
      ),
      { maxLength: 60 },
    );

  it('never throws, keeps the queue under its cap, and never outputs beyond the input range', () => {
    fc.assert(
      fc.property(
        ops(fc.float({ min: -1, max: 1, noNaN: true })),
        fc.integer({ min: 0, max: 200 }),
        (script, prebufferMs) => {
          const buffer = new JitterBuffer({ sampleRate, prebufferMs, maxMs });
          let pushed = 0;
          for (const op of script) {
            if ('push' in op) {
              buffer.push(op.push);
              pushed += op.push.length;
            } else if ('pull' in op) {
              const before = buffer.queuedSamples;
              const out = new Float32Array(op.pull);
              buffer.pull(out);
              for (const y of out) expect(Math.abs(y)).to.be.at.most(1);
              // Time-scale modification: a block may repeat one pitch period (stretch) or play up to 4×
              // faster (a pause), one period more at the edge of the block.
              expect(buffer.queuedSamples).to.be.at.most(before + period);
              expect(before - buffer.queuedSamples).to.be.at.most(4 * op.pull + period);
            } else buffer.interrupt();
            // A stretch may hold one repeated pitch period beyond the cap until it is played.
            expect(buffer.queuedSamples).to.be.within(0, cap + period);
            const { droppedSamples, underruns } = buffer.stats;
            expect(droppedSamples).to.be.within(0, pushed);
            expect(underruns).to.be.at.least(0);
          }
        },
      ),
      RUNS,
    );
  });

  it('takes NaN and infinite samples without throwing or growing past its cap', () => {
    fc.assert(
      fc.property(ops(anySample), (script) => {
        const buffer = new JitterBuffer({ sampleRate, maxMs });
        for (const op of script) {
          if ('push' in op) buffer.push(op.push);
          else if ('pull' in op) buffer.pull(new Float32Array(op.pull));
          else buffer.interrupt();
          expect(buffer.queuedSamples).to.be.within(0, cap + period);
        }
      }),
      RUNS,
    );
  });
});
