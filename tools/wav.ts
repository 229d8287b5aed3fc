// Writes the WAV files Chromium's fake microphone plays (media tests, bench, demo check). Generated when
// needed, so the repository carries no binary fixtures; the signals themselves are in signals.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// The signals written here live in signals.ts (no Node there, so browser tests use them too).
export { speechLike, tones } from './signals.js';

/** Encodes mono Float32 samples (-1..1) as a 16-bit PCM WAV file. */
export function encodeWav(samples: Float32Array, sampleRate: number): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Writes `samples` as a WAV file at `path` (folders created); returns the path. */
export function writeWav(path: string, samples: Float32Array, sampleRate: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeWav(samples, sampleRate));
  return path;
}
