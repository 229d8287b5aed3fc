import { expect } from '@open-wc/testing';
import { Framer } from '../../src/dsp/framer.js';
import { floatToInt16 } from '../../src/dsp/pcm.js';
import { FRAME_SAMPLES } from '../../src/wire.js';

/** A ramp of distinct values so any lost, repeated or reordered sample shows. */
function ramp(start: number, length: number): Float32Array {
  return new Float32Array(length).map((_, i) => (((start + i) % 20000) - 10000) / 16384);
}

describe('Framer', () => {
  it('emits exact 320-sample frames, in order, across odd-sized pushes', () => {
    const framer = new Framer(FRAME_SAMPLES);
    const frames: Int16Array[] = [];
    const sizes = [1, 7, 319, 320, 321, 1000, 13, 0, 640, 2, 999];
    let total = 0;
    for (const size of sizes) {
      framer.push(ramp(total, size), (frame) => frames.push(frame));
      total += size;
      expect(frames.length).to.equal(Math.floor(total / 320));
    }
    const expected = floatToInt16(ramp(0, total));
    frames.forEach((frame, k) => {
      expect(frame.length).to.equal(320);
      expect(frame).to.deep.equal(expected.subarray(k * 320, (k + 1) * 320));
    });
  });

  it('gives each frame its own 640-byte buffer, which can be transferred', () => {
    const framer = new Framer(FRAME_SAMPLES);
    const frames: Int16Array[] = [];
    framer.push(ramp(0, 1000), (frame) => frames.push(frame));
    expect(new Set(frames.map((f) => f.buffer)).size).to.equal(frames.length);
    for (const frame of frames) {
      expect(frame.buffer.byteLength).to.equal(640);
      expect(frame.byteOffset).to.equal(0);
    }
    const copy = frames[0].slice();
    const moved = structuredClone(frames[0].buffer, { transfer: [frames[0].buffer] });
    expect(frames[0].buffer.byteLength).to.equal(0);
    expect(new Int16Array(moved)).to.deep.equal(copy);
  });

  it('does not touch frames already emitted', () => {
    const framer = new Framer(FRAME_SAMPLES);
    const frames: Int16Array[] = [];
    framer.push(ramp(0, 330), (frame) => frames.push(frame));
    const snapshot = frames[0].slice();
    framer.push(new Float32Array(700).fill(0.9), (frame) => frames.push(frame));
    expect(frames[0]).to.deep.equal(snapshot);
  });

  it('clips and converts with floatToInt16', () => {
    const framer = new Framer(4);
    const frames: Int16Array[] = [];
    framer.push(new Float32Array([2, -2, 0.5, -1]), (frame) => frames.push(frame));
    expect(Array.from(frames[0])).to.deep.equal([32767, -32768, 16384, -32768]);
  });

  it('holds a partial frame back until it is complete', () => {
    const framer = new Framer(4);
    const frames: Int16Array[] = [];
    framer.push(new Float32Array([0.25, 0.25, 0.25]), (frame) => frames.push(frame));
    expect(frames.length).to.equal(0);
    framer.push(new Float32Array([0.5, 0.5, 0.5, 0.5]), (frame) => frames.push(frame));
    expect(frames.length).to.equal(1);
    expect(Array.from(frames[0])).to.deep.equal([8192, 8192, 8192, 16384]);
  });

  it('rejects a frame size that is not a positive integer', () => {
    expect(() => new Framer(0)).to.throw(RangeError);
    expect(() => new Framer(2.5)).to.throw(RangeError);
  });
});
