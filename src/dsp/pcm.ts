/**
 * Conversions between Web Audio's Float32 samples and the wire format (signed 16-bit PCM).
 *
 * The wire format is little-endian. These helpers use typed-array views in platform byte order, which
 * is little-endian on every platform a browser ships on (x86, ARM), so no byte swapping is done.
 */

/**
 * Converts Float32 samples to Int16: scales by 32768, rounds to nearest and clips to [-32768, 32767], so
 * -1 → -32768 and +1 → 32767. Never wraps (NaN stores as 0). Writes into `out` (which must be at least
 * as long) when given.
 */
export function floatToInt16(input: Float32Array, out: Int16Array = new Int16Array(input.length)): Int16Array {
  if (out.length < input.length) throw new RangeError(`output holds ${out.length} samples, need ${input.length}`);
  for (let i = 0; i < input.length; i++) {
    // One scale for both signs keeps the conversion linear and the exact inverse of int16ToFloat;
    // only the top half-step below +1 needs the clip.
    const v = Math.round(input[i] * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** Converts Int16 samples to Float32 in [-1, 1) by dividing by 32768. Writes into `out` when given. */
export function int16ToFloat(input: Int16Array, out: Float32Array = new Float32Array(input.length)): Float32Array {
  if (out.length < input.length) throw new RangeError(`output holds ${out.length} samples, need ${input.length}`);
  for (let i = 0; i < input.length; i++) out[i] = input[i] / 32768;
  return out;
}

/**
 * Views a binary frame as Int16 samples (no copy; an ArrayBuffer always starts 2-byte aligned). An odd
 * trailing byte is ignored; an empty frame gives an empty array.
 */
export function pcmBytesToInt16(bytes: ArrayBuffer): Int16Array {
  return new Int16Array(bytes, 0, bytes.byteLength >> 1);
}
