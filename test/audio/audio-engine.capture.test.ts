// The microphone path end to end, in every engine. Tests that need a known signal inject one at the
// getUserMedia seam: 440 Hz + 12 kHz at equal amplitude (0.25 each), at the context's rate; 12 kHz would
// fold to 4 kHz at 16 kHz without the anti-aliasing filter. The rest hear each engine's own
// fake microphone (tools/engines.ts).
import { expect } from '@open-wc/testing';
import { AudioEngine } from '../../src/audio/audio-engine.js';
import { WIRE_RATE } from '../../src/wire.js';
import { dominantFrequency, toneAmplitude } from '../../tools/analysis.js';
import { FAKE_MICROPHONES, currentEngine } from '../../tools/engines.js';
import {
  framesToFloat,
  injectMicrophone,
  median,
  perWindow,
  sleep,
  until,
  type EngineWire,
  wire,
} from '../helpers/media.js';

const PROCESSING_OFF = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };

/**
 * Frames the engine delivers over `ms` of audio time, and the audio time they took: the context's clock,
 * not the page's, since Firefox's mock audio backend here runs its clock at 0.64–0.96× real time.
 */
async function collectFrames(
  engine: AudioEngine,
  io: EngineWire,
  ms: number,
): Promise<{ frames: ArrayBuffer[]; seconds: number }> {
  const frames: ArrayBuffer[] = [];
  const clock = engine.output!.context;
  // Start on a first frame, so the count is not skewed by how long the microphone took to start.
  await new Promise<void>((resolve) => (io.onFrame = () => resolve()));
  const started = clock.currentTime;
  io.onFrame = (frame) => frames.push(frame);
  await until(() => clock.currentTime - started >= ms / 1000, 3 * ms + 2000, `${ms} ms of audio`, 5);
  io.onFrame = null;
  return { frames, seconds: clock.currentTime - started };
}

/** Median amplitude of `hz` over 100 ms windows (whole cycles of every tone here): skips loop glitches and bips. */
const medianTone = (audio: Float32Array, hz: number) =>
  median(perWindow(audio, WIRE_RATE / 10, (w) => toneAmplitude(w, hz, WIRE_RATE)));

describe('AudioEngine capture (fake microphone)', () => {
  let engine: AudioEngine;
  let io: EngineWire;

  afterEach(() => engine.close());

  it(`sends the engine's own fake microphone as 640-byte frames at 50/s, its tone at its level`, async () => {
    const device = FAKE_MICROPHONES[currentEngine()];
    engine = new AudioEngine();
    io = wire(engine);
    await engine.open(PROCESSING_OFF);
    await sleep(250); // past the microphone's and the resampler's start-up
    const { frames, seconds } = await collectFrames(engine, io, 2000);
    expect(frames.every((f) => f instanceof ArrayBuffer && f.byteLength === 640)).to.equal(true);
    expect(frames.length / seconds).to.be.within(40, 60);
    const tone = medianTone(framesToFloat(frames), device.hz);
    console.log(`fake microphone: ${device.hz} Hz at ${tone.toFixed(3)} (${device.amplitude} played)`);
    expect(tone).to.be.within(device.amplitude * 0.6, device.amplitude * 1.4);
  });

  describe('with a known signal', () => {
    let microphone: ReturnType<typeof injectMicrophone>;
    /** The known signal at `sampleRate` (default: the device's, as the engine's own context). */
    const inject = (sampleRate?: number) => (microphone = injectMicrophone([440, 12000], { sampleRate }));

    afterEach(() => microphone.restore());

    for (const sampleRate of [44100, 48000]) {
      it(`sends exact 640-byte frames at 50/s, 440 Hz kept, 12 kHz rejected (context at ${sampleRate} Hz)`, async () => {
        inject(sampleRate);
        engine = new AudioEngine({ sampleRate });
        io = wire(engine);
        await engine.open(PROCESSING_OFF);
        await sleep(250); // past the microphone's and the resampler's start-up
        const { frames, seconds } = await collectFrames(engine, io, 2000);

        expect(frames.every((f) => f instanceof ArrayBuffer && f.byteLength === 640)).to.equal(true);
        const perSecond = frames.length / seconds;
        expect(perSecond).to.be.within(40, 60);

        const audio = framesToFloat(frames);
        expect(dominantFrequency(audio, WIRE_RATE)).to.be.closeTo(440, 10);
        const tone = medianTone(audio, 440);
        const rejectionDb = 20 * Math.log10(tone / medianTone(audio, 4000));
        console.log(
          `capture @${sampleRate} Hz: ${perSecond.toFixed(1)} frames/s, 440 Hz at ${tone.toFixed(3)}, ` +
            `alias at 4 kHz ${rejectionDb.toFixed(1)} dB below`,
        );
        expect(tone).to.be.within(0.15, 0.35); // 0.25 played
        expect(rejectionDb).to.be.at.least(50);
      });
    }

    it('sends all-zero frames on time while muted, and the microphone again when unmuted', async () => {
      inject();
      engine = new AudioEngine();
      io = wire(engine);
      engine.muted = true; // before open(): muted from the very first frame
      await engine.open(PROCESSING_OFF);
      const muted = await collectFrames(engine, io, 1000);
      expect(muted.frames.length / muted.seconds).to.be.within(40, 60);
      expect(muted.frames.every((f) => f.byteLength === 640 && new Int16Array(f).every((s) => s === 0))).to.equal(true);

      engine.muted = false;
      await sleep(100);
      const live = await collectFrames(engine, io, 300);
      expect(toneAmplitude(framesToFloat(live.frames), 440, WIRE_RATE)).to.be.above(0.1);
    });

    it('loads the processors from workletUrl (the file the build emits for strict CSP sites)', async () => {
      inject();
      engine = new AudioEngine({ workletUrl: '/dist/voice-agent.worklet.js' });
      io = wire(engine);
      await engine.open(PROCESSING_OFF);
      const { frames } = await collectFrames(engine, io, 500);
      expect(frames.length).to.be.above(10);
      expect(frames.every((f) => f.byteLength === 640)).to.equal(true);
      expect(dominantFrequency(framesToFloat(frames), WIRE_RATE)).to.be.closeTo(440, 10);
    });

    it('reports the microphone level, which falls to 0 within ~300 ms of muting', async () => {
      inject();
      engine = new AudioEngine();
      io = wire(engine);
      await engine.open(PROCESSING_OFF);
      await until(() => engine.inputLevel > 0.1, 2000, 'a microphone level');

      // Read regularly, the level is fresh with each of the playback worklet's reports (20 a second
      // while it moves; the tone's level moves a little), not only the main thread's 4 a second.
      const seen = new Set<number>();
      for (const end = performance.now() + 1000; performance.now() < end; await sleep(10)) seen.add(engine.inputLevel);
      expect(seen.size).to.be.within(8, 60);

      const level = engine.inputLevel;
      engine.muted = true;
      const mutedAt = performance.now();
      await until(() => engine.inputLevel === 0, 3000, 'the level to reach 0');
      const fallMs = performance.now() - mutedAt;
      console.log(`input level ${level.toFixed(2)} falls to 0 in ${fallMs.toFixed(0)} ms after muting`);
      expect(fallMs).to.be.below(1000); // ~300 ms measured; this page's timers run late on a loaded machine
    });
  });

  it('fails with audio_failed when workletUrl cannot be loaded', async () => {
    engine = new AudioEngine({ workletUrl: '/dist/no-such-worklet.js' });
    io = wire(engine);
    const error = await engine.open(PROCESSING_OFF).then(
      () => null,
      (err: unknown) => err,
    );
    expect((error as { code?: string } | null)?.code).to.equal('audio_failed');
  });

  it('drops frames while no onFrame is set', async () => {
    engine = new AudioEngine();
    io = wire(engine);
    await engine.open();
    await sleep(200);
    const { frames, seconds } = await collectFrames(engine, io, 200);
    // Only frames from after onFrame was set arrive: 50 per second of the audio clock it was set for
    // (longer than 200 ms when this page's timers ran late), never with the 10 of the 200 ms before.
    expect(frames.length).to.be.within(5, Math.round(seconds * 50) + 6);
  });
});
