import { toVoiceAgentError, VoiceAgentError } from '../errors.js';
import { openMicrophone } from './microphone.js';
import type { AudioStats, SessionAudio } from '../session/session-audio.js';
import type { AudioPorts } from '../session/transport.js';
import { DEFAULT_PREBUFFER_MS } from '../dsp/jitter-buffer.js';
import processorsCode from './worklets/processors.worklet.ts?worklet';
import { addWorkletModule } from './worklet-loader.js';
import {
  CAPTURE_PROCESSOR,
  PLAYBACK_PROCESSOR,
  type CaptureCommand,
  type CaptureOptions,
  type PlaybackCommand,
  type PlaybackOptions,
  type PortCommand,
  type PlaybackReport,
  type PlaybackStats,
  WATCH_MS,
} from './worklets/messages.js';

/** Options of {@link AudioEngine}. */
export interface AudioEngineOptions {
  /**
   * Where to load the worklet processors from instead of the copy inside the script (a Blob URL): for
   * sites whose Content-Security-Policy does not allow `blob:` workers. Serve `dist/voice-agent.worklet.js`.
   */
  workletUrl?: string;
  /**
   * Least delay before agent audio plays, in ms (default DEFAULT_PREBUFFER_MS, a few ms); the jitter
   * buffer adds the network jitter it measures during the session.
   */
  prebufferMs?: number;
  /** The AudioContext's sample rate. Default: the device's own (usually 44.1 or 48 kHz), which avoids a second resampler in the browser. */
  sampleRate?: number;
}

/** How long a context may stay suspended after the microphone is granted before we give up. */
const RESUME_TIMEOUT_MS = 3000;

/**
 * Time constant of volume changes, in seconds: a change is 95 % done after 3 of them (45 ms), smooth
 * enough that a slider dragged across its range makes no zipper noise, quick enough to feel immediate.
 */
export const VOLUME_TIME_CONSTANT = 0.015;

/**
 * Volume ramps start this far ahead, in seconds: Firefox's `currentTime` on the main thread can lag its
 * audio thread by ~12 ms, and a ramp that starts in the past jumps by the part of it already "done".
 */
const VOLUME_LEAD = 0.025;

/** How long a context the browser suspended may take to resume on its own before the visitor is asked to tap. */
const GESTURE_WAIT_MS = 500;

/** Events that count as a user gesture for resuming audio (listened to on the window, in the capture phase). */
const GESTURES = ['pointerdown', 'keydown'] as const;

/** Safari's `navigator.audioSession` (not yet in TypeScript's DOM types). */
type AudioSessionNavigator = Navigator & { audioSession?: { type: string } };

/** Stops every track of `stream`, detaching our ended handler first (our own stop is not an unplug). */
function stopTracks(stream?: MediaStream): void {
  stream?.getTracks().forEach((track) => {
    track.onended = null;
    track.stop();
  });
}

/**
 * The browser side of the audio: microphone → capture worklet → 640-byte frames, and agent audio →
 * playback worklet → speakers, in ONE AudioContext. All per-sample work runs on the audio thread, and
 * the audio itself goes between the worklets and the transport's ports (see attach()): the main thread
 * only reads levels. Single use: open() once, close() once (or more; it is idempotent).
 */
export class AudioEngine implements SessionAudio {
  /** Called when the microphone fails mid-session and no other input can take over. */
  onError: ((error: VoiceAgentError) => void) | null = null;
  /** Called with true when the browser suspended the audio and it waits for a tap, false once it runs again. */
  onSuspended: ((needsGesture: boolean) => void) | null = null;

  // Unset (undefined) until there is one: no `= null` initialisers, each would cost the bundle an assignment.
  #context?: AudioContext;
  #stream?: MediaStream;
  #source?: MediaStreamAudioSourceNode;
  #capture?: AudioWorkletNode;
  #playback?: AudioWorkletNode;
  /** The volume, after the playback node: a GainNode ramps on the audio thread without touching the worklet. */
  #gain?: GainNode;
  #volume = 1;
  #constraints: MediaTrackConstraints = {};
  /** open() in flight, for a device switch asked for meanwhile. */
  #opening?: Promise<void>;
  /** A fallback to the default input is under way (an unplug fires `ended` and `devicechange`). */
  #fallingBack?: boolean;
  #needsGesture = false;
  #turnLatencyMs: number | null = null;
  /** The page's audio session type before open(), restored by close(). */
  #audioSessionType?: string;
  /** The transport's ends, handed to the worklets once they exist (a port queues what comes meanwhile). */
  #ports?: AudioPorts;
  #closing?: Promise<void>;
  #muted = false;
  #inputLevel = 0;
  #outputLevel = 0;
  /** When the levels were last read: reading them asks the playback worklet for its every report. */
  #watchedAt?: number;
  #stats: PlaybackStats = { underruns: 0, dropped: 0, queued: 0, target: 0, concealed: 0 };

  readonly #options: AudioEngineOptions;

  constructor(options: AudioEngineOptions = {}) {
    this.#options = options;
  }

  /**
   * Microphone level, 0..1 (0 while muted). Read regularly, it is at most ~50 ms old; the first read after
   * a second without one may be up to 250 ms old (the main thread is sent 4 reports a second otherwise).
   */
  get inputLevel(): number {
    this.#watchLevels();
    return this.#inputLevel;
  }

  /** Agent voice level as heard, 0..1: after the volume. As fresh as {@link inputLevel}. */
  get outputLevel(): number {
    this.#watchLevels();
    return this.#outputLevel;
  }

  /** Asks the playback worklet to send the main thread every report (~20 a second) for the next second. */
  #watchLevels(): void {
    const now = performance.now();
    // Never watched: NaN, not less, so the first read asks.
    if (now - this.#watchedAt! < WATCH_MS / 2) return;
    this.#watchedAt = now;
    this.#playback?.port.postMessage({ type: 'watch' } satisfies PlaybackCommand);
  }

  /**
   * Playback counters as last reported by the playback worklet (at most ~50 ms old), with the context
   * and microphone figures for `getStats()`.
   */
  get stats(): AudioStats & PlaybackStats {
    const context = this.#context;
    const rate = context?.sampleRate ?? 0;
    const track = this.#stream?.getAudioTracks()[0];
    const echoCancellation = track?.getSettings().echoCancellation;
    return {
      ...this.#stats,
      // Read at the context's own rate each time: no rate is assumed or cached across contexts.
      bufferedMs: rate ? Math.round((this.#stats.queued * 1000) / rate) : 0,
      sampleRate: rate,
      outputLatencyMs: Math.round(((context?.outputLatency ?? 0) + (context?.baseLatency ?? 0)) * 1000),
      turnLatencyMs: this.#turnLatencyMs,
      echoCancellation: typeof echoCancellation === 'boolean' ? echoCancellation : null,
    };
  }

  /** The node that feeds the speakers (null until open() resolves): after the volume; tests and visualisers tap it. */
  get output(): AudioNode | null {
    return this.#gain ?? null;
  }

  /** Gain of the agent's voice, 0..1 (clamped), ramped with {@link VOLUME_TIME_CONSTANT}. */
  get volume(): number {
    return this.#volume;
  }

  set volume(volume: number) {
    this.#volume = Math.min(1, Math.max(0, Number.isFinite(volume) ? volume : 1));
    if (!this.#gain) return;
    this.#gain.gain.setTargetAtTime(this.#volume, this.#context!.currentTime + VOLUME_LEAD, VOLUME_TIME_CONSTANT);
    this.#playback!.port.postMessage({ type: 'volume', volume: this.#volume } satisfies PlaybackCommand);
  }

  /** True: the capture worklet sends silent frames, keeping their timing. */
  get muted(): boolean {
    return this.#muted;
  }

  set muted(muted: boolean) {
    this.#muted = muted;
    this.#capture?.port.postMessage({ type: 'muted', muted } satisfies CaptureCommand);
  }

  /**
   * Opens the microphone and the audio graph. The context is created (and resumed) before the first
   * await, so a click handler calling this counts as the user gesture that lets audio start. If close()
   * is called meanwhile, this resolves without building the graph, and a microphone granted later is
   * stopped the moment it arrives.
   */
  open(constraints: MediaTrackConstraints = {}): Promise<void> {
    this.#opening ??= this.#open(constraints);
    return this.#opening;
  }

  async #open(constraints: MediaTrackConstraints): Promise<void> {
    if (this.#context || this.#closing) throw new Error('AudioEngine.open() can be called only once.');
    this.#constraints = constraints;
    // Safari (17+): voice on the speaker or headset route, audible with the silent switch on. Set before
    // the context exists, so it is created into that session.
    const session = (navigator as AudioSessionNavigator).audioSession;
    if (session) {
      this.#audioSessionType = session.type;
      session.type = 'play-and-record';
    }
    let context: AudioContext;
    try {
      context = this.#context = new AudioContext(
        this.#options.sampleRate ? { sampleRate: this.#options.sampleRate } : {},
      );
    } catch (err) {
      throw toVoiceAgentError(err, 'audio_failed');
    }
    const resumed = context.resume().catch(() => undefined);
    try {
      const [stream] = await Promise.all([
        this.#openMicrophone(),
        this.#options.workletUrl
          ? context.audioWorklet.addModule(this.#options.workletUrl)
          : addWorkletModule(context, processorsCode),
      ]);
      await withTimeout(resumed, RESUME_TIMEOUT_MS);
      if (this.#closing) return;
      if (context.state !== 'running') {
        throw new VoiceAgentError('audio_failed/blocked');
      }
      this.#connect(context, stream);
    } catch (err) {
      if (this.#closing) return; // closed meanwhile: nothing to report
      await this.close();
      throw toVoiceAgentError(err, 'audio_failed');
    }
  }

  /**
   * Where the worklets send microphone frames (`capture`, 640 bytes each, from the grant on) and take
   * agent audio from (`playback`: Int16 LE, 16 kHz mono, any length, played gaplessly). Call before
   * open() resolves; the ports are transferred to the audio thread, and closed with the context.
   */
  attach(ports: AudioPorts): void {
    this.#ports = ports;
  }

  /** Drops all queued agent audio at once, fading out over a few ms so it does not click. */
  interrupt(): void {
    this.#playback?.port.postMessage({ type: 'interrupt' } satisfies PlaybackCommand);
  }

  /** Stops the tracks, disconnects the nodes and closes the context. Idempotent; never rejects. */
  close(): Promise<void> {
    this.#closing ??= this.#release();
    return this.#closing;
  }

  /**
   * Switches the input to `deviceId` (undefined: the default input) mid-session: the new stream is
   * acquired and connected to the capture node before the old one is disconnected and stopped, so the
   * frames go on (the capture worklet sends silence for any block without input). Rejects with the
   * `VoiceAgentError` of getUserMedia, keeping the current input.
   */
  async setMicrophone(deviceId: string | undefined): Promise<void> {
    const constraints = { ...this.#constraints };
    if (deviceId) constraints.deviceId = { exact: deviceId };
    else delete constraints.deviceId;
    this.#constraints = constraints;
    await this.#opening?.catch(() => undefined);
    if (this.#capture) await this.#switch(constraints);
  }

  /**
   * Routes playback to the output `deviceId` (undefined or '': the default) with `AudioContext.setSinkId`
   * (Chromium 110+). Engines without it (Firefox, Safari) play on the system's output: a no-op.
   */
  async setSpeaker(deviceId: string | undefined): Promise<void> {
    await this.#opening?.catch(() => undefined);
    const context = this.#context as (AudioContext & { setSinkId?(id: string): Promise<void> }) | undefined;
    if (!context?.setSinkId || this.#closing) return;
    try {
      await context.setSinkId(deviceId ?? '');
    } catch (err) {
      throw toVoiceAgentError(err, 'audio_failed/speaker');
    }
  }

  async #release(): Promise<void> {
    this.#ports?.capture.close();
    this.#ports?.playback.close();
    for (const node of [this.#capture, this.#playback]) {
      if (!node) continue;
      node.port.onmessage = null;
      node.port.close();
    }
    for (const node of [this.#source, this.#capture, this.#playback, this.#gain]) node?.disconnect();
    if (this.#context) this.#context.onstatechange = null;
    this.#unwatchPage();
    stopTracks(this.#stream);
    const session = (navigator as AudioSessionNavigator).audioSession;
    if (session && this.#audioSessionType !== undefined) session.type = this.#audioSessionType;
    this.#inputLevel = this.#outputLevel = 0;
    await this.#context?.close().catch(() => undefined);
  }

  /** Opens a microphone with the current constraints; one granted after close() is released at once. */
  async #openMicrophone(): Promise<MediaStream> {
    const stream = await openMicrophone(this.#constraints);
    // The element went away while the permission prompt was up: release the mic at once.
    if (this.#closing) stopTracks(stream);
    else this.#stream = stream;
    return stream;
  }

  /** Acquires a stream with `constraints` and swaps it in for the current one. */
  async #switch(constraints: MediaTrackConstraints): Promise<void> {
    const stream = await openMicrophone(constraints);
    if (this.#closing) return stopTracks(stream);
    const old = this.#source;
    this.#use(this.#context!, stream);
    old?.disconnect();
  }

  /** Makes `stream` the input: a source into the capture node, its tracks watched for an unplug; the old one stopped. */
  #use(context: AudioContext, stream: MediaStream): void {
    const old = this.#stream;
    this.#stream = stream;
    this.#source = context.createMediaStreamSource(stream);
    this.#source.connect(this.#capture!);
    for (const track of stream.getAudioTracks()) {
      // Fires when the device is unplugged or revoked, not for our own stop() (stopTracks detaches it).
      track.onended = () => void this.#fallBack();
    }
    if (old !== stream) stopTracks(old);
  }

  /**
   * The input went away (unplugged, revoked, another app took it): take the default input if there is
   * one, else fail with `microphone_unavailable`.
   */
  async #fallBack(): Promise<void> {
    if (this.#closing || this.#fallingBack) return;
    this.#fallingBack = true;
    const constraints = { ...this.#constraints };
    delete constraints.deviceId;
    try {
      await this.#switch(constraints);
    } catch {
      if (!this.#closing) this.onError?.(new VoiceAgentError('microphone_unavailable/ended'));
    } finally {
      this.#fallingBack = false;
    }
  }

  /** A device was added or removed: if ours is gone (some browsers never fire `ended`), fall back. */
  readonly #onDeviceChange = async () => {
    const track = this.#stream?.getAudioTracks()[0];
    if (!track || this.#closing) return;
    const id = track.getSettings().deviceId;
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => null);
    const present = !id || !devices || devices.some((d) => d.kind === 'audioinput' && d.deviceId === id);
    if (track.readyState === 'ended' || !present) void this.#fallBack();
  };

  /**
   * Resumes a context the browser suspended or interrupted (a hidden tab on a phone, a call on iOS,
   * another app taking the device). Without a user gesture that may not be allowed: then the visitor
   * is told to tap, and the next tap or key press anywhere on the page resumes it.
   */
  readonly #resume = () => {
    const context = this.#context;
    if (!context || this.#closing || context.state === 'running' || context.state === 'closed') return;
    void context.resume().catch(() => undefined);
  };

  #unwatchPage(): void {
    document.removeEventListener('visibilitychange', this.#resume);
    for (const type of GESTURES) removeEventListener(type, this.#resume, true);
    navigator.mediaDevices?.removeEventListener('devicechange', this.#onDeviceChange);
  }

  #setNeedsGesture(needed: boolean): void {
    if (needed === this.#needsGesture) return;
    this.#needsGesture = needed;
    this.onSuspended?.(needed);
  }

  #connect(context: AudioContext, stream: MediaStream): void {
    // No output and not connected to the destination: the microphone never reaches the speakers.
    // Chromium still runs a worklet that has a live input (measured by test/media/capture.test.ts).
    this.#capture = new AudioWorkletNode(context, CAPTURE_PROCESSOR, {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit', // downmix a stereo microphone
      processorOptions: { muted: this.#muted } satisfies CaptureOptions,
    });
    this.#use(context, stream);

    this.#playback = new AudioWorkletNode(context, PLAYBACK_PROCESSOR, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: {
        prebufferMs: this.#options.prebufferMs ?? DEFAULT_PREBUFFER_MS,
        volume: this.#volume,
      } satisfies PlaybackOptions,
    });
    // The one message the audio thread sends the page (4 a second, ~20 while the levels are read):
    // both levels, the stats and the turn latency.
    this.#playback.port.onmessage = (event: MessageEvent<PlaybackReport>) => {
      const { level, input, turn, ...stats } = event.data;
      this.#stats = stats;
      this.#turnLatencyMs = turn;
      this.#inputLevel = input;
      this.#outputLevel = level;
    };
    this.#gain = new GainNode(context, { gain: this.#volume });
    this.#playback.connect(this.#gain).connect(context.destination);
    this.#watch(context);
    const ports = this.#ports;
    if (ports) {
      const command: PortCommand = { type: 'port' };
      this.#capture.port.postMessage(command, [ports.capture]);
      this.#playback.port.postMessage(command, [ports.playback]);
    }
  }

  /** Mid-session trouble: devices coming and going, a context the browser suspends or interrupts. */
  #watch(context: AudioContext): void {
    navigator.mediaDevices.addEventListener('devicechange', this.#onDeviceChange);
    document.addEventListener('visibilitychange', this.#resume);
    for (const type of GESTURES) addEventListener(type, this.#resume, true);
    // Browsers suspend a running context on their own: resume it, or the agent falls silent and the
    // microphone stops sending. If it is still not running after a moment, ask for a tap.
    context.onstatechange = () => {
      if (this.#closing) return;
      if (context.state === 'running') return this.#setNeedsGesture(false);
      this.#resume();
      setTimeout(() => {
        const stuck = !this.#closing && context.state !== 'running' && document.visibilityState === 'visible';
        if (stuck) this.#setNeedsGesture(true);
      }, GESTURE_WAIT_MS);
    };
  }
}

/** Waits for `promise`, but no longer than `ms`. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
