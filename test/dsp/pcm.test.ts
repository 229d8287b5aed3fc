import { expect } from '@open-wc/testing';
import { floatToInt16, int16ToFloat, pcmBytesToInt16 } from '../../src/dsp/pcm.js';

describe('pcm', () => {
  describe('floatToInt16', () => {
    it('maps full scale to the ends of the Int16 range and clips beyond it', () => {
      const out = floatToInt16(new Float32Array([-1, 1, 0, -2, 2, -Infinity, Infinity, 1.0000001, -1.0000001]));
      expect(Array.from(out)).to.deep.equal([-32768, 32767, 0, -32768, 32767, -32768, 32767, 32767, -32768]);
    });

    it('rounds to the nearest step', () => {
      const step = 1 / 32768;
      const out = floatToInt16(
        new Float32Array([0.4 * step, 0.6 * step, -0.6 * step, 100.4 * step, -100.6 * step, 0.5]),
      );
      expect(Array.from(out)).to.deep.equal([0, 1, -1, 100, -101, 16384]);
    });

    it('never wraps: a sweep past full scale gives a monotonic, in-range output', () => {
      const sweep = new Float32Array(30001).map((_, i) => -1.5 + i * 1e-4);
      const out = floatToInt16(sweep);
      for (let i = 1; i < out.length; i++) expect(out[i]).to.be.at.least(out[i - 1]);
      expect(out[0]).to.equal(-32768);
      expect(out[out.length - 1]).to.equal(32767);
    });

    it('stores NaN as 0', () => {
      expect(Array.from(floatToInt16(new Float32Array([NaN])))).to.deep.equal([0]);
    });

    it('writes into a given array and rejects one too short', () => {
      const target = new Int16Array(4);
      expect(floatToInt16(new Float32Array([0.5, -0.5]), target)).to.equal(target);
      expect(Array.from(target)).to.deep.equal([16384, -16384, 0, 0]);
      expect(() => floatToInt16(new Float32Array(3), new Int16Array(2))).to.throw(RangeError);
    });

    it('inverts int16ToFloat exactly for every Int16 value', () => {
      const all = new Int16Array(65536).map((_, i) => i - 32768);
      expect(floatToInt16(int16ToFloat(all))).to.deep.equal(all);
    });
  });

  describe('int16ToFloat', () => {
    it('divides by 32768', () => {
      const out = int16ToFloat(new Int16Array([-32768, 32767, 0, 16384, -1]));
      expect(Array.from(out)).to.deep.equal([-1, 32767 / 32768, 0, 0.5, -1 / 32768]);
    });

    it('writes into a given array and rejects one too short', () => {
      const target = new Float32Array(2);
      expect(int16ToFloat(new Int16Array([8192]), target)).to.equal(target);
      expect(target[0]).to.equal(0.25);
      expect(() => int16ToFloat(new Int16Array(3), new Float32Array(1))).to.throw(RangeError);
    });
  });

  describe('pcmBytesToInt16', () => {
    it('reads little-endian samples without copying', () => {
      const bytes = new Uint8Array([0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f]).buffer;
      const samples = pcmBytesToInt16(bytes);
      expect(Array.from(samples)).to.deep.equal([1, -1, -32768, 32767]);
      expect(samples.buffer).to.equal(bytes);
    });

    it('drops an odd trailing byte', () => {
      const samples = pcmBytesToInt16(new Uint8Array([0x10, 0x00, 0x20]).buffer);
      expect(Array.from(samples)).to.deep.equal([16]);
    });

    it('gives an empty array for an empty or one-byte frame', () => {
      expect(pcmBytesToInt16(new ArrayBuffer(0)).length).to.equal(0);
      expect(pcmBytesToInt16(new ArrayBuffer(1)).length).to.equal(0);
    });

    it('reads a 640-byte wire frame as 320 samples', () => {
      const frame = new DataView(new ArrayBuffer(640));
      for (let i = 0; i < 320; i++) frame.setInt16(i * 2, i * 100 - 16000, true);
      const samples = pcmBytesToInt16(frame.buffer);
      expect(samples.length).to.equal(320);
      for (let i = 0; i < 320; i++) expect(samples[i]).to.equal(i * 100 - 16000);
    });
  });
});
