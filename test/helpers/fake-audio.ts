// A stand-in for the audio engine in session tests: records what the session asks of it, and lets the
// test play the microphone (capture, on the transport's port as the capture worklet does), the speakers
// (`played`: what arrives on the playback port) and the browser (suspend, device failures).
import type { VoiceAgentError } from '../../src/errors.js';
import type { AudioStats, SessionAudio } from '../../src/session/session-audio.js';
import type { AudioPorts } from '../../src/session/transport.js';
import { FRAME_BYTES } from '../../src/wire.js';

export class FakeAudio implements SessionAudio {
  readonly calls: string[] = [];
  readonly played: ArrayBuffer[] = [];
  bytesPlayed = 0;
  constraints: MediaTrackConstraints | null = null;
  ports: AudioPorts | null = null;
  onError: ((error: VoiceAgentError) => void) | null = null;
  onSuspended: ((needsGesture: boolean) => void) | null = null;
  muted = false;
  volume = 1;
  inputLevel = 0;
  outputLevel = 0;
  stats: AudioStats = {
    underruns: 0,
    bufferedMs: 0,
    sampleRate: 48000,
    outputLatencyMs: 0,
    turnLatencyMs: null,
    echoCancellation: true,
  };
  /** What setMicrophone / setSpeaker do; resolve by default. */
  switching: (deviceId: string | undefined) => Promise<void> = () => Promise.resolve();

  constructor(private readonly opening: () => Promise<void> = () => Promise.resolve()) {}

  open(constraints: MediaTrackConstraints): Promise<void> {
    this.calls.push('open');
    this.constraints = constraints;
    return this.opening();
  }
  attach(ports: AudioPorts): void {
    this.ports = ports;
    ports.playback.onmessage = ({ data }: MessageEvent<ArrayBuffer>) => {
      this.played.push(data);
      this.bytesPlayed += data.byteLength;
    };
  }
  interrupt(): void {
    this.calls.push('interrupt');
  }
  setMicrophone(deviceId: string | undefined): Promise<void> {
    this.calls.push(`microphone:${deviceId}`);
    return this.switching(deviceId);
  }
  setSpeaker(deviceId: string | undefined): Promise<void> {
    this.calls.push(`speaker:${deviceId}`);
    return this.switching(deviceId);
  }
  close(): Promise<void> {
    this.calls.push('close');
    this.ports?.capture.close();
    this.ports?.playback.close();
    return Promise.resolve();
  }
  get closed(): number {
    return this.calls.filter((c) => c === 'close').length;
  }
  /** What the capture worklet does with a frame: posts it on the capture port (it arrives a task later). False when no port is attached. */
  send(frame: ArrayBuffer): boolean {
    this.ports?.capture.postMessage(frame, [frame]);
    return !!this.ports;
  }
  /** {@link send} of one 640-byte frame filled with `fill`. */
  capture(fill: number): boolean {
    return this.send(new Uint8Array(FRAME_BYTES).fill(fill).buffer);
  }
}
