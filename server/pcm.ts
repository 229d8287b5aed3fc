/** The wire format (16 kHz mono Int16 LE, 20 ms frames) and the WAV files the agent speaks from. */
import { pcmBytesToInt16 } from '../src/dsp/pcm.js';
import { FRAME_SAMPLES, WIRE_RATE } from '../src/wire.js';

/**
 * Copies little-endian Int16 bytes into their own Int16Array (the bytes a socket hands over may sit at
 * an odd offset of a shared buffer, where a view is not allowed, and the agent keeps them).
 */
export function bytesToSamples(bytes: Uint8Array): Int16Array {
  return pcmBytesToInt16(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

/** Splits samples into 640-byte frames, the last one padded with silence. */
export function toFrames(samples: Int16Array): Buffer[] {
  const frames: Buffer[] = [];
  for (let i = 0; i < samples.length; i += FRAME_SAMPLES) {
    const frame = new Int16Array(FRAME_SAMPLES);
    frame.set(samples.subarray(i, i + FRAME_SAMPLES));
    frames.push(Buffer.from(frame.buffer));
  }
  return frames;
}

/** Decodes a 16 kHz mono 16-bit PCM WAV file; anything else throws, naming what is wrong. */
export function decodeWav(file: Uint8Array): Int16Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const tag = (at: number) => String.fromCharCode(...file.subarray(at, at + 4));
  if (file.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file');
  let format: { audioFormat: number; channels: number; rate: number; bits: number } | undefined;
  // Walk the chunks: encoders may put LIST or other chunks between `fmt ` and `data`.
  for (let at = 12; at + 8 <= file.byteLength;) {
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (tag(at) === 'fmt ') {
      format = {
        audioFormat: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (tag(at) === 'data') {
      if (!format) throw new Error('WAV data before its fmt chunk');
      const { audioFormat, channels, rate, bits } = format;
      if (audioFormat !== 1 || channels !== 1 || rate !== WIRE_RATE || bits !== 16) {
        throw new Error(`WAV must be 16 kHz mono 16-bit PCM, got ${rate} Hz, ${channels} ch, ${bits} bit`);
      }
      return bytesToSamples(file.subarray(body, Math.min(body + size, file.byteLength)));
    }
    at = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw new Error('WAV file has no data chunk');
}
