/**
 * The reference talking agent: greets, then listens with the energy VAD and, when the user stops
 * talking, says their utterance back in real time. It stops speaking as soon as the user talks over it
 * (barge-in). Knows nothing of sockets: it gets frames in and hands frames to `send`.
 */
import { FramePacer } from './pacer.js';
import { FRAME_MS } from '../src/wire.js';
import { toFrames } from './pcm.js';
import { EnergyVad, type VadOptions } from './vad.js';

/** Options of {@link EchoAgent}. */
export interface EchoAgentOptions {
  /** What the agent says first (16 kHz mono Int16). */
  greeting: Int16Array;
  /** ±jitter in ms on outgoing frames, with bursts (the `jitter` fault); 0 for a steady stream. */
  jitterMs?: number;
  /** VAD tuning, e.g. a shorter hangover in tests. */
  vad?: Partial<VadOptions>;
}

/** Audio kept from before speech was detected, so the echo includes the first syllable's onset. */
const PREROLL_FRAMES = Math.round(200 / FRAME_MS);
/** Unvoiced frames kept after the last voiced one, so the echo does not end abruptly. */
const TAIL_FRAMES = Math.round(100 / FRAME_MS);

/** Echo agent: greeting, VAD-segmented utterances said back, barge-in. */
export class EchoAgent {
  private readonly pacer: FramePacer;
  private readonly vad: EnergyVad;
  private readonly greeting: Int16Array;
  private recent: Int16Array[] = [];
  private utterance: Int16Array[] | undefined;

  constructor(send: (frame: Buffer) => void, options: EchoAgentOptions) {
    this.pacer = new FramePacer(send, { frameMs: FRAME_MS, jitterMs: options.jitterMs });
    this.vad = new EnergyVad({ frameMs: FRAME_MS, ...options.vad });
    this.greeting = options.greeting;
  }

  /** Whether agent audio is still being sent. */
  get speaking(): boolean {
    return this.pacer.busy;
  }

  /** Starts talking: the greeting. */
  greet(): void {
    this.pacer.enqueue(toFrames(this.greeting));
  }

  /** Takes one 20 ms frame of the user's microphone. */
  hear(frame: Int16Array): void {
    this.recent.push(frame);
    if (this.recent.length > PREROLL_FRAMES) this.recent.shift();
    this.utterance?.push(frame);

    const event = this.vad.push(frame);
    if (event?.type === 'start') {
      this.pacer.clear(); // barge-in: the user talks, the agent stops at once
      this.utterance = [...this.recent];
    } else if (event?.type === 'end') {
      const frames = this.utterance!;
      frames.length -= Math.max(0, event.trailingFrames - TAIL_FRAMES);
      this.utterance = undefined;
      this.pacer.enqueue(frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
    } else if (event?.type === 'discard') {
      this.utterance = undefined;
    }
  }

  /** Stops talking and drops everything queued. */
  stop(): void {
    this.pacer.clear();
    this.utterance = undefined;
  }
}
