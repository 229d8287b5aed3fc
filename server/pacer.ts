/**
 * Sends audio frames in real time, as a voice service does: frame k of a continuous stream is due at
 * start + k × 20 ms. Every due time comes from that absolute schedule, never from "previous timer +
 * 20 ms", so timer lateness does not accumulate into drift; a late timer sends every overdue frame.
 */

/** Options of {@link FramePacer}. */
export interface PacerOptions {
  /** Duration of one frame. */
  frameMs?: number;
  /** Adds up to ±this much random delay to each frame, plus periodic bursts (the `jitter` fault). */
  jitterMs?: number;
  /** Random source in [0, 1), injectable for tests. */
  random?: () => number;
  /** Monotonic clock in ms. */
  now?: () => number;
}

/** With jitter on, the first BURST_SIZE of every BURST_PERIOD frames are held back and sent together. */
const BURST_PERIOD = 50;
const BURST_SIZE = 10;

/** Real-time sender of equal-length frames with a drift-free schedule. */
export class FramePacer {
  private readonly frameMs: number;
  private readonly jitterMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private queue: { frame: Buffer; due: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Nominal time of the next frame to be queued: the end of the audio already scheduled. */
  private nextSlot = -Infinity;
  private lastDue = -Infinity;
  private count = 0;

  constructor(
    private readonly send: (frame: Buffer) => void,
    options: PacerOptions = {},
  ) {
    this.frameMs = options.frameMs ?? 20;
    this.jitterMs = options.jitterMs ?? 0;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether frames are still waiting to be sent. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /** Queues frames right after the audio already scheduled (or from now, if that has finished playing). */
  enqueue(frames: readonly Buffer[]): void {
    this.nextSlot = Math.max(this.nextSlot, this.now());
    for (const frame of frames) {
      let due = this.nextSlot;
      if (this.jitterMs > 0) {
        const inBurst = this.count % BURST_PERIOD;
        if (inBurst < BURST_SIZE) due += (BURST_SIZE - 1 - inBurst) * this.frameMs;
        else due += (this.random() * 2 - 1) * this.jitterMs;
      }
      // Never reorder: a frame is not due before the one queued ahead of it.
      this.lastDue = Math.max(this.lastDue, due);
      this.queue.push({ frame, due: this.lastDue });
      this.nextSlot += this.frameMs;
      this.count++;
    }
    this.schedule();
  }

  /** Drops every queued frame at once (barge-in); the next enqueue starts from now. */
  clear(): void {
    this.queue = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.nextSlot = -Infinity;
    this.lastDue = -Infinity;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.queue[0].due - this.now()));
  }

  private tick(): void {
    this.timer = undefined;
    const now = this.now();
    // Timers may fire up to a millisecond early; treat that as due.
    while (this.queue.length > 0 && this.queue[0].due <= now + 1) this.send(this.queue.shift()!.frame);
    this.schedule();
  }
}
