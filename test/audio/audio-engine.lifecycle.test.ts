// Opening and closing the engine against each engine's real getUserMedia (its fake device) and AudioContext.
import { expect } from '@open-wc/testing';
import { AudioEngine } from '../../src/audio/audio-engine.js';
import { VoiceAgentError } from '../../src/errors.js';
import { currentEngine } from '../../tools/engines.js';
import { sleep, spyOnGetUserMedia, toneFrames, until } from '../helpers/media.js';

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

  it('reports a microphone that goes away mid-session as microphone_unavailable', async () => {
    const engine = new AudioEngine();
    const errors: VoiceAgentError[] = [];
    engine.onError = (error) => errors.push(error);
    await engine.open({});
    // What Chromium fires when the device is unplugged or revoked.
    spy.streams[0].getAudioTracks()[0].dispatchEvent(new Event('ended'));
    expect(errors.map((e) => e.code)).to.deep.equal(['microphone_unavailable']);
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
    let frames = 0;
    engine.onFrame = () => frames++;
    await engine.open({});
    await until(() => frames > 0, 5000, 'a first frame');
    const [first, second] = [engine.close(), engine.close()];
    expect(first).to.equal(second);
    await Promise.all([first, second, engine.close()]);
    const after = frames;
    engine.play(toneFrames(1000, 0.5, 0.1)[0]);
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
