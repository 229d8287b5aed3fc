// Opening and closing the engine against each engine's real getUserMedia (its fake device) and AudioContext.
import { expect } from '@open-wc/testing';
import { AudioEngine } from '../../src/audio/audio-engine.js';
import { VoiceAgentError } from '../../src/errors.js';
import { currentEngine } from '../../tools/engines.js';
import { sleep, spyOnGetUserMedia, toneFrames, until, wire } from '../helpers/media.js';

describe('AudioEngine lifecycle', () => {
  let spy: ReturnType<typeof spyOnGetUserMedia>;

  beforeEach(() => (spy = spyOnGetUserMedia()));
  afterEach(() => spy.restore());

  it('runs one context at the device rate, and close() ends every track and closes it', async () => {
    const engine = new AudioEngine();
    await engine.open({});
    const context = engine.output!.context as AudioContext;
    const probe = new AudioContext();
    const deviceRate = probe.sampleRate;
    await probe.close();
    expect(context.state).to.equal('running');
    expect(context.sampleRate).to.equal(deviceRate);
    expect(spy.streams).to.have.length(1);
    const [track] = spy.streams[0].getAudioTracks();
    expect(track.readyState).to.equal('live');

    await engine.close();
    expect(spy.streams.flatMap((s) => s.getTracks()).every((t) => t.readyState === 'ended')).to.equal(true);
    expect(context.state).to.equal('closed');
  });

  it('falls back to the default input when the microphone goes away mid-session', async () => {
    const engine = new AudioEngine();
    const errors: VoiceAgentError[] = [];
    engine.onError = (error) => errors.push(error);
    await engine.open({});
    const [first] = spy.streams[0].getAudioTracks();
    // What the browser fires when the device is unplugged or revoked.
    first.dispatchEvent(new Event('ended'));
    await until(() => spy.streams.length === 2, 5000, 'the default input to open');
    await until(() => first.readyState === 'ended', 1000, 'the old track to stop');
    expect(spy.streams[1].getAudioTracks()[0].readyState).to.equal('live');
    expect(errors).to.deep.equal([]);
    await engine.close();
    expect(spy.streams[1].getAudioTracks()[0].readyState).to.equal('ended');
  });

  it('reports microphone_unavailable when the microphone goes away and no other input opens', async () => {
    const engine = new AudioEngine();
    const errors: VoiceAgentError[] = [];
    engine.onError = (error) => errors.push(error);
    await engine.open({});
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('none', 'NotFoundError'));
    spy.streams[0].getAudioTracks()[0].dispatchEvent(new Event('ended'));
    await until(() => errors.length > 0, 3000, 'the error');
    expect(errors.map((e) => e.key)).to.deep.equal(['microphone_unavailable/ended']);
    await engine.close();
  });

  it('falls back when devicechange shows the device in use is gone', async () => {
    const engine = new AudioEngine();
    await engine.open({});
    const media = navigator.mediaDevices;
    const enumerate = media.enumerateDevices;
    media.enumerateDevices = async () => [];
    try {
      media.dispatchEvent(new Event('devicechange'));
      await until(() => spy.streams.length === 2, 5000, 'the fallback input');
    } finally {
      media.enumerateDevices = enumerate;
    }
    await engine.close();
  });

  it('switches the microphone mid-session, keeping the frames coming, and stops the old one', async () => {
    const engine = new AudioEngine();
    const io = wire(engine);
    const frames: number[] = [];
    io.onFrame = () => frames.push(performance.now());
    await engine.open({});
    await until(() => frames.length > 5, 5000, 'frames');
    const [old] = spy.streams[0].getAudioTracks();
    const deviceId = old.getSettings().deviceId;
    const before = frames.length;
    const t0 = performance.now();
    await engine.setMicrophone(deviceId);
    await sleep(300);
    const elapsed = performance.now() - t0;
    expect(spy.streams).to.have.length(2);
    expect(old.readyState).to.equal('ended');
    expect(spy.streams[1].getAudioTracks()[0].readyState).to.equal('live');
    // 50 frames a second throughout (the capture worklet sends silence for any block without input).
    expect(frames.length - before).to.be.at.least(Math.floor((elapsed / 20) * 0.7));
    await engine.close();
  });

  it('setSpeaker routes with AudioContext.setSinkId where it exists, and is a no-op elsewhere', async () => {
    const engine = new AudioEngine();
    await engine.open({});
    await engine.setSpeaker(undefined); // the default output: always fine
    if ('setSinkId' in AudioContext.prototype) {
      const error = await engine.setSpeaker('no-such-device').then(
        () => null,
        (err: unknown) => err as VoiceAgentError,
      );
      expect(error?.key).to.equal('audio_failed/speaker');
    } else {
      await engine.setSpeaker('no-such-device');
    }
    await engine.close();
  });

  it('sets navigator.audioSession to play-and-record for the session, where it exists, and restores it', async () => {
    const session = { type: 'auto' };
    Object.defineProperty(navigator, 'audioSession', { value: session, configurable: true });
    try {
      const engine = new AudioEngine();
      await engine.open({});
      expect(session.type).to.equal('play-and-record');
      await engine.close();
      expect(session.type).to.equal('auto');
    } finally {
      delete (navigator as { audioSession?: unknown }).audioSession;
    }
  });

  it('reports the context rate, latency and the echoCancellation the browser applies', async () => {
    const engine = new AudioEngine();
    await engine.open({});
    const context = engine.output!.context as AudioContext;
    const settings = spy.streams[0].getAudioTracks()[0].getSettings();
    expect(engine.stats).to.deep.include({
      sampleRate: context.sampleRate,
      echoCancellation: settings.echoCancellation ?? null,
      underruns: 0,
      bufferedMs: 0,
      turnLatencyMs: null,
    });
    expect(engine.stats.outputLatencyMs).to.be.at.least(0);
    await engine.close();
  });

  it('resumes a context the browser suspends mid-session', async () => {
    const engine = new AudioEngine();
    await engine.open({});
    const context = engine.output!.context as AudioContext;
    await context.suspend();
    await until(() => context.state === 'running', 3000, 'the context to resume');
    await engine.close();
    expect(context.state).to.equal('closed');
  });

  // A Bluetooth headset in its call profile runs at 16 or 24 kHz; the engine takes whatever rate it gets.
  for (const sampleRate of [16000, 24000]) {
    it(`works at whatever rate the context runs at: ${sampleRate} Hz frames, buffering and stats`, async () => {
      const engine = new AudioEngine({ sampleRate, prebufferMs: 500 });
      const io = wire(engine);
      const frames: ArrayBuffer[] = [];
      io.onFrame = (frame) => frames.push(frame);
      await engine.open({});
      await until(() => frames.length >= 10, 3000, 'frames');
      expect(frames.every((f) => f.byteLength === 640)).to.equal(true);
      for (const frame of toneFrames(1000, 0.5, 0.4)) io.play(frame); // 400 ms, under the prebuffer
      await until(() => engine.stats.bufferedMs > 0, 3000, 'the queue to be reported');
      expect(engine.stats.sampleRate).to.equal(sampleRate);
      expect(engine.stats.bufferedMs).to.be.closeTo(400, 5); // converted at the context's own rate
      await engine.close();
    });
  }

  it('asks the visitor for a tap when a suspended context will not resume by itself, and resumes on it', async () => {
    const engine = new AudioEngine();
    const asked: boolean[] = [];
    engine.onSuspended = (needed) => asked.push(needed);
    await engine.open({});
    const context = engine.output!.context as AudioContext;
    const resume = context.resume;
    context.resume = () => Promise.resolve(); // as a browser that wants a gesture first
    await context.suspend();
    await until(() => asked.length === 1, 3000, 'the request for a tap');
    expect(asked).to.deep.equal([true]);
    context.resume = resume;
    dispatchEvent(new PointerEvent('pointerdown'));
    await until(() => context.state === 'running', 3000, 'the context to resume');
    await until(() => asked.length === 2, 1000, 'the all-clear');
    expect(asked).to.deep.equal([true, false]);
    await engine.close();
  });

  it('asks for a mono, processed microphone unless told otherwise', async () => {
    const engine = new AudioEngine();
    await engine.open({ noiseSuppression: false });
    const settings = spy.streams[0].getAudioTracks()[0].getSettings();
    await engine.close();
    expect(spy.constraints[0].audio).to.include({
      channelCount: 1,
      echoCancellation: true,
      autoGainControl: true,
      noiseSuppression: false,
    });
    // What the device applied: Firefox's fake microphone reports echoCancellation false whatever is asked,
    // and WebKit's mock reports no channelCount, so only Chromium's settings show the request honoured.
    if (currentEngine() !== 'chromium') return;
    expect(settings.channelCount).to.equal(1);
    expect(settings.echoCancellation).to.equal(true);
    expect(settings.autoGainControl).to.equal(true);
    expect(settings.noiseSuppression).to.equal(false);
  });

  it('close() during open() releases the microphone that arrives late, and open() resolves', async () => {
    const engine = new AudioEngine();
    const opening = engine.open({});
    const closing = engine.close();
    await closing;
    await opening;
    // The stream was granted after close(): it must be stopped as soon as it arrived.
    await until(() => spy.streams.length > 0, 5000, 'getUserMedia to answer');
    expect(spy.streams[0].getTracks().every((t) => t.readyState === 'ended')).to.equal(true);
    expect(engine.output).to.equal(null); // no graph was built
  });

  it('close() is idempotent, never rejects, and the engine ignores calls after it', async () => {
    const engine = new AudioEngine();
    const io = wire(engine);
    let frames = 0;
    io.onFrame = () => frames++;
    await engine.open({});
    await until(() => frames > 0, 5000, 'a first frame');
    const [first, second] = [engine.close(), engine.close()];
    expect(first).to.equal(second);
    await Promise.all([first, second, engine.close()]);
    // A frame the worklet posted just before the context closed may still be on the port: let it land.
    await sleep(50);
    const after = frames;
    io.play(toneFrames(1000, 0.5, 0.1)[0]);
    engine.interrupt();
    engine.muted = true;
    await sleep(100);
    expect(frames).to.equal(after);
    expect([engine.inputLevel, engine.outputLevel]).to.deep.equal([0, 0]);
  });

  it('rejects with audio_failed when the context cannot be created, holding nothing', async () => {
    const engine = new AudioEngine({ sampleRate: 1 }); // outside every browser's supported range
    const error = await engine.open({}).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).to.be.instanceOf(VoiceAgentError);
    expect((error as VoiceAgentError).code).to.equal('audio_failed');
    expect(spy.streams).to.have.length(0);
    await engine.close();
  });
});
