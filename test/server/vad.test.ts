import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRAME_SAMPLES, WIRE_RATE } from '../../src/wire.js';
import { EnergyVad, frameLevelDb, type VadEvent } from '../../server/vad.js';
import { toneSamples } from '../helpers/server.js';

// Synthetic 20 ms frames: a sine tone, digital silence, and deterministic white noise.
function tone(frames: number, amplitude = 0.3, freq = 300): Int16Array[] {
  const samples = toneSamples((frames * FRAME_SAMPLES) / WIRE_RATE, { freq, amplitude });
  return Array.from({ length: frames }, (_, f) => samples.subarray(f * FRAME_SAMPLES, (f + 1) * FRAME_SAMPLES));
}
const silence = (frames: number) => Array.from({ length: frames }, () => new Int16Array(FRAME_SAMPLES));
let seed = 1;
function noise(frames: number, amplitude: number): Int16Array[] {
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return Array.from({ length: frames }, () =>
    Int16Array.from({ length: FRAME_SAMPLES }, () => Math.round(amplitude * 32767 * next())),
  );
}
/** Frame-by-frame: each event with the index of the frame that caused it. */
function run(vad: EnergyVad, frames: Int16Array[]): { at: number; event: VadEvent }[] {
  return frames.flatMap((frame, at) => {
    const event = vad.push(frame);
    return event ? [{ at, event }] : [];
  });
}

describe('frameLevelDb', () => {
  it('measures RMS in dBFS', () => {
    assert.equal(frameLevelDb(silence(1)[0]), -96);
    // A sine of amplitude A has RMS A/√2: 0.3 → -10.5 dBFS.
    assert.ok(Math.abs(frameLevelDb(tone(1, 0.3)[0]) - 20 * Math.log10(0.3 / Math.SQRT2)) < 0.1);
    assert.ok(Math.abs(frameLevelDb(new Int16Array(FRAME_SAMPLES).fill(-32768))) < 0.01);
  });
});

describe('EnergyVad', () => {
  it('finds an utterance in silence: start after the onset, end after the hangover', () => {
    const events = run(new EnergyVad(), [...silence(10), ...tone(50), ...silence(40)]);
    assert.deepEqual(events, [
      { at: 12, event: { type: 'start' } }, // 3 voiced frames (60 ms onset)
      { at: 89, event: { type: 'end', speechMs: 1000, trailingFrames: 30, capped: false } }, // 600 ms hangover
    ]);
  });

  it('ignores clicks shorter than the onset and discards blips shorter than the minimum utterance', () => {
    assert.deepEqual(run(new EnergyVad(), [...silence(5), ...tone(2), ...silence(40)]), []);
    const events = run(new EnergyVad(), [...silence(5), ...tone(10), ...silence(40)]);
    assert.deepEqual(
      events.map((e) => e.event),
      [{ type: 'start' }, { type: 'discard', speechMs: 200 }],
    );
  });

  it('keeps pauses shorter than the hangover inside one utterance', () => {
    const frames = [...silence(5), ...tone(15), ...silence(20), ...tone(15), ...silence(35)];
    const events = run(new EnergyVad(), frames).map((e) => e.event);
    assert.deepEqual(events, [{ type: 'start' }, { type: 'end', speechMs: 1000, trailingFrames: 30, capped: false }]);
  });

  it('adapts to steady noise: it stops counting as speech, while speech above it still does', () => {
    const vad = new EnergyVad();
    const fan = noise(300, 0.05); // 6 s of steady noise at about -31 dBFS
    const early = run(vad, fan);
    // Heard as speech until the floor window (3 s) has seen only noise, then never again.
    assert.deepEqual(
      early.map((e) => e.event.type),
      ['start', 'end'],
    );
    assert.ok(early[1].at < 200, `noise absorbed by frame ${early[1].at}`);
    assert.ok(Math.abs(vad.noiseFloorDb - frameLevelDb(fan[0])) < 1.5, `floor ${vad.noiseFloorDb}`);
    // A voice 10+ dB above the noise is detected.
    const speech = tone(40, 0.4).map((frame) => {
      const [hiss] = noise(1, 0.05);
      return frame.map((s, i) => s + hiss[i]);
    });
    const events = run(vad, [...speech, ...noise(40, 0.05)]).map((e) => e.event.type);
    assert.deepEqual(events, ['start', 'end']);
  });

  it('never counts very quiet frames as speech, even over digital silence', () => {
    assert.deepEqual(run(new EnergyVad(), [...silence(10), ...tone(100, 0.002)]), []); // about -57 dBFS
  });

  it('cuts an utterance at the length cap', () => {
    const vad = new EnergyVad({ maxUtteranceMs: 1000, floorWindowMs: 10_000 });
    const events = run(vad, [...silence(5), ...tone(80)]);
    assert.deepEqual(events[1], { at: 54, event: { type: 'end', speechMs: 1000, trailingFrames: 0, capped: true } });
    assert.equal(vad.inSpeech, true, 'the user still talking starts the next utterance');
  });
});
