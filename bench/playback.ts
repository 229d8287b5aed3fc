// Part 3: agent audio under network jitter, simulated in virtual time. The same 60 s of 20 ms frames
// arrive on a seeded schedule; our path (Int16 → Float32 → 16→48 kHz resampler → JitterBuffer pulled
// 128 samples per render quantum, as the playback worklet does) runs against the quick-start's
// back-to-back AudioBufferSourceNode scheduling under exactly the same arrivals.
import { JitterBuffer, type JitterBufferOptions, type JitterBufferStats } from '../src/dsp/jitter-buffer.js';
import { floatToInt16, int16ToFloat, pcmBytesToInt16 } from '../src/dsp/pcm.js';
import { Resampler } from '../src/dsp/resampler.js';
import { FRAME_SAMPLES, WIRE_RATE } from '../src/wire.js';
import { mulberry32 as prng, speechLike } from '../tools/signals.js';
import { QuickstartScheduler } from './quickstart.js';
import { fixed, type Section } from './report.js';

const OUTPUT_RATE = 48_000;
const QUANTUM = 128;
const SECONDS = 60;
const FRAME_S = FRAME_SAMPLES / WIRE_RATE;
const FRAMES = Math.round(SECONDS / FRAME_S);
/** Zero underruns at this much jitter, continuous and in turns, or the bench fails. */
const BUDGET_JITTER_MS = 20;
/** At 0 ms jitter the first sound of every turn waits at most this long. */
const BUDGET_FIRST_SOUND_MS = 25;
/** In turns at these jitters, fewer underruns than the old buffer and the quick-start, or the bench fails. */
const BUDGET_FEWER_AT_MS = [50, 100];
/** The fixed prebuffer of the buffer before adaptation, kept as the baseline column. */
const OLD_PREBUFFER_MS = 60;

/**
 * A network condition: the arrival time (s) of every frame of every talk spurt. Within a spurt the frames
 * are sent in real time, one every 20 ms; spurts are separated by pauses long enough for playback to stop.
 */
interface Scenario {
  name: string;
  spurts: number[][];
}

/** One continuous 60 s stream, or 12 spurts of 5 s as in a conversation, where each turn starts afresh. */
const SPURT_LAYOUTS = { continuous: 1, turns: 12 };

/**
 * Each frame is delayed by a uniform random 0..`jitterMs`, but a WebSocket delivers in order, so a
 * frame never arrives before the one sent ahead of it.
 */
function jittered(jitterMs: number, spurtCount: number): Scenario {
  const random = prng(0x5eed + jitterMs);
  const perSpurt = FRAMES / spurtCount;
  const spurts = Array.from({ length: spurtCount }, () => {
    const arrivals: number[] = [];
    for (let k = 0; k < perSpurt; k++) {
      const arrival = k * FRAME_S + (random() * jitterMs) / 1000;
      arrivals.push(Math.max(arrival, arrivals[k - 1] ?? 0));
    }
    return arrivals;
  });
  const shape = spurtCount === 1 ? '' : `, ${spurtCount} turns of ${SECONDS / spurtCount} s`;
  return { name: `${jitterMs} ms jitter${shape}`, spurts };
}

/** The network runs on time for 1 s, then stalls for 1 s and delivers that second at once; repeat. */
function bursty(): Scenario {
  const arrivals: number[] = [];
  for (let k = 0; k < FRAMES; k++) {
    const sent = k * FRAME_S;
    const second = Math.floor(sent + 1e-9);
    arrivals.push(second % 2 === 1 ? second + 1 : sent);
  }
  return { name: 'bursts: every other second stalled, then delivered at once', spurts: [arrivals] };
}

/** On time, except one stall: the audio sent in 5–6 s arrives at once at 6 s. */
function stalledOnce(): Scenario {
  const arrivals = Array.from({ length: FRAMES }, (_, k) => {
    const sent = k * FRAME_S;
    return sent >= 5 - 1e-9 && sent < 6 - 1e-9 ? 6 : sent;
  });
  return { name: 'one stall: 5–6 s delivered at once at 6 s', spurts: [arrivals] };
}

/**
 * The agent's frames on the wire: speech-like phrases (a pitch and five harmonics, a 4 Hz syllable
 * envelope) with the short pauses between words and phrases that synthetic speech has.
 */
function agentFrames(): ArrayBuffer[] {
  const phrase = (pitch: number) => ({ voiced: 0.9, pitch });
  const script = [phrase(140), 0.12, phrase(125), 0.25, phrase(150), 0.18, phrase(118), 0.3];
  const speech = speechLike(script, { sampleRate: WIRE_RATE, amplitude: 0.07 });
  const pcm = floatToInt16(speech);
  return Array.from({ length: FRAMES }, (_, k) => {
    const frame = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) frame[i] = pcm[(k * FRAME_SAMPLES + i) % pcm.length];
    return frame.buffer;
  });
}

/** The buffers compared: today's fixed prebuffer and the adaptive one, both at their settings in the worklet. */
const OURS = {
  old: { prebufferMs: OLD_PREBUFFER_MS, adaptive: false },
  new: {},
} satisfies Record<string, Omit<JitterBufferOptions, 'sampleRate'>>;

interface Figures {
  underruns: number;
  silenceMs: number;
  concealedMs: number;
  droppedMs: number;
  stretchedMs: number;
  shortenedMs: number;
  meanLatencyMs: number;
  maxLatencyMs: number;
  meanFirstMs: number;
  maxFirstMs: number;
  /** After the last arrival that came more than RECOVERED_MS late, how long until latency fell below it (s). */
  recoverySeconds: number;
}

/** Counters of one spurt, in samples or seconds, and the latency of each of its frames (s). */
interface SpurtResult {
  underruns: number;
  silence: number;
  concealed: number;
  dropped: number;
  stretched: number;
  shortened: number;
  latencies: number[];
  arrivals: number[];
}

const ms = (seconds: number) => seconds * 1000;
/** Latency that counts as recovered after a burst. */
const RECOVERED_MS = 100;

/** Adds up the spurts of a scenario. */
function total(spurts: SpurtResult[]): Figures {
  const latencies = spurts.flatMap((s) => s.latencies);
  const firsts = spurts.map((s) => ms(s.latencies[0]));
  const sum = (key: 'underruns' | 'silence' | 'concealed' | 'dropped' | 'stretched' | 'shortened') =>
    spurts.reduce((n, s) => n + s[key], 0);
  return {
    underruns: sum('underruns'),
    silenceMs: ms(sum('silence')),
    concealedMs: ms(sum('concealed')),
    droppedMs: ms(sum('dropped')),
    stretchedMs: ms(sum('stretched')),
    shortenedMs: ms(sum('shortened')),
    meanLatencyMs: ms(latencies.reduce((a, b) => a + b, 0) / latencies.length),
    maxLatencyMs: ms(Math.max(...latencies)),
    meanFirstMs: firsts.reduce((a, b) => a + b, 0) / firsts.length,
    maxFirstMs: Math.max(...firsts),
    recoverySeconds: recovery(spurts),
  };
}

/**
 * Seconds from the end of the last stall (an arrival gap over 0.5 s inside a spurt) until every later
 * frame's latency stays under RECOVERED_MS; 0 without a stall, Infinity if it never does.
 */
function recovery(spurts: SpurtResult[]): number {
  const lastIndex = (values: number[], test: (value: number, k: number) => boolean) => {
    let k = values.length - 1;
    while (k >= 0 && !test(values[k], k)) k--;
    return k;
  };
  let worst = 0;
  for (const { arrivals, latencies } of spurts) {
    const stall = lastIndex(arrivals, (a, k) => k > 0 && a - arrivals[k - 1] > 0.5);
    if (stall < 0) continue;
    const late = lastIndex(latencies, (l) => ms(l) >= RECOVERED_MS);
    if (late === latencies.length - 1) return Infinity;
    worst = Math.max(worst, late < stall ? 0 : arrivals[late + 1] - arrivals[stall]);
  }
  return worst;
}

/** Pause between the turns of a conversation: long enough for either buffer to run dry and start afresh. */
const PAUSE_S = 1;

/**
 * Our playback of a session in virtual time, one buffer and resampler for all its spurts, as in the
 * worklet. Before each render quantum, the frames that have arrived are decoded, resampled and pushed;
 * then one quantum is pulled. A frame's latency runs from its arrival to the moment playback reaches
 * its first sample (the buffer's playedSamples, which counts through stretched and shortened audio).
 * A spurt's counters run from its first sound until its last frame is delivered and nearly played: the
 * queue running dry at the end of a turn is not an underrun. The time spent in the worklet's code per
 * quantum is measured along the way.
 */
function simulateOurs(spurts: number[][], frames: ArrayBuffer[][], options: object, cost: number[]): SpurtResult[] {
  const buffer = new JitterBuffer({ sampleRate: OUTPUT_RATE, ...options });
  const resampler = new Resampler(WIRE_RATE, OUTPUT_RATE);
  const perFrame = FRAME_SAMPLES * (OUTPUT_RATE / WIRE_RATE);
  const out = new Float32Array(QUANTUM);
  let q = 0;
  let framesBefore = 0;
  return spurts.map((arrivals, s) => {
    const start = (q * QUANTUM) / OUTPUT_RATE + PAUSE_S;
    const first = framesBefore;
    framesBefore += arrivals.length;
    // Where frame k's first sample sits in the stream pushed to the queue (the resampler delays it a little).
    const firstSample = (k: number) => (first + k) * perFrame + Math.round(resampler.delaySamples);
    const latencies: number[] = [];
    let delivered = 0;
    let before: JitterBufferStats | null = null;
    for (; ; q++) {
      const now = (q * QUANTUM) / OUTPUT_RATE;
      const started = performance.now();
      while (delivered < arrivals.length && start + arrivals[delivered] <= now) {
        buffer.push(resampler.process(int16ToFloat(pcmBytesToInt16(frames[s][delivered++]))));
      }
      if (delivered === arrivals.length && buffer.queuedSamples < QUANTUM) break;
      const playedBefore = buffer.playedSamples;
      buffer.pull(out);
      cost.push(performance.now() - started);
      const playedAfter = buffer.playedSamples;
      before ??= buffer.stats.playing ? buffer.stats : null;
      for (let k = latencies.length; k < delivered && firstSample(k) < playedAfter; k++) {
        const offset = Math.max(0, firstSample(k) - playedBefore) / OUTPUT_RATE;
        latencies.push(now + offset - start - arrivals[k]);
      }
    }
    const after = buffer.stats;
    const delta = (key: keyof JitterBufferStats) => (Number(after[key]) - Number(before![key])) / OUTPUT_RATE;
    const underruns = after.underruns - before!.underruns;
    return {
      underruns,
      silence: delta('insertedSilenceSamples'),
      concealed: delta('concealedSamples'),
      dropped: delta('droppedSamples'),
      stretched: delta('stretchedSamples'),
      shortened: delta('shortenedSamples'),
      latencies,
      arrivals,
    };
  });
}

/** The quick-start's scheduling of one spurt (its context clock taken as continuous, which flatters it). */
function simulateQuickstart(arrivals: number[]): SpurtResult {
  const scheduler = new QuickstartScheduler();
  const latencies = arrivals.map((arrival) => scheduler.schedule(arrival, FRAME_S) - arrival);
  return {
    underruns: scheduler.gaps,
    silence: scheduler.silence,
    concealed: 0,
    dropped: 0,
    stretched: 0,
    shortened: 0,
    latencies,
    arrivals,
  };
}

/** Runs part 3. */
export async function playbackPart(): Promise<Section> {
  const frames = agentFrames();
  const scenarios = [
    ...Object.values(SPURT_LAYOUTS).flatMap((spurts) => [0, 20, 50, 100].map((jitter) => jittered(jitter, spurts))),
    bursty(),
    stalledOnce(),
  ];
  const cost = { old: [] as number[], new: [] as number[] };
  const results = scenarios.map(({ name, spurts }) => {
    let first = 0;
    const slices = spurts.map((arrivals) => frames.slice(first, (first += arrivals.length)));
    return {
      scenario: name,
      old: total(simulateOurs(spurts, slices, OURS.old, cost.old)),
      new: total(simulateOurs(spurts, slices, OURS.new, cost.new)),
      quickstart: total(spurts.map(simulateQuickstart)),
    };
  });

  const failures: string[] = [];
  for (const r of results) {
    const jitter = Number(r.scenario.split(' ')[0]);
    const turns = r.scenario.includes('turns');
    if (jitter === BUDGET_JITTER_MS && r.new.underruns > 0)
      failures.push(`${r.new.underruns} underrun(s) with ${r.scenario}`);
    if (jitter === 0 && r.new.maxFirstMs > BUDGET_FIRST_SOUND_MS)
      failures.push(
        `first sound after ${fixed(r.new.maxFirstMs)} ms with ${r.scenario} (budget ${BUDGET_FIRST_SOUND_MS} ms)`,
      );
    if (
      turns &&
      BUDGET_FEWER_AT_MS.includes(jitter) &&
      r.new.underruns >= Math.min(r.old.underruns, r.quickstart.underruns)
    )
      failures.push(
        `${r.new.underruns} underrun(s) with ${r.scenario}: not fewer than old ${r.old.underruns} / quick-start ${r.quickstart.underruns}`,
      );
  }
  const perQuantum = (samples: number[]) => {
    const sorted = [...samples].sort((a, b) => a - b);
    const micros = (value: number) => `${fixed(value * 1000)} µs`;
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    return `mean ${micros(mean)}, 99.9th percentile ${micros(sorted[Math.floor(sorted.length * 0.999)])}, max ${micros(sorted[sorted.length - 1])}`;
  };
  const trio = (format: (f: Figures) => string) => (r: (typeof results)[number]) =>
    [r.old, r.new, r.quickstart].map(format).join(' / ');
  const meanMax = (mean: keyof Figures, max: keyof Figures) => trio((f) => `${fixed(f[mean])} (${fixed(f[max])})`);
  const columns: [string, (r: (typeof results)[number]) => string][] = [
    ['underruns: old / new / quick-start', trio((f) => String(f.underruns))],
    [
      'silence inserted, ms (new: of which concealed)',
      (r) =>
        `${fixed(r.old.silenceMs)} / ${fixed(r.new.silenceMs)} (${fixed(r.new.concealedMs)}) / ${fixed(r.quickstart.silenceMs)}`,
    ],
    ['first sound, ms: mean (max)', meanMax('meanFirstMs', 'maxFirstMs')],
    ['latency, ms: mean (max)', meanMax('meanLatencyMs', 'maxLatencyMs')],
    ['new: stretched / shortened, ms', (r) => `${fixed(r.new.stretchedMs)} / ${fixed(r.new.shortenedMs)}`],
  ];
  const recovered = (f: Figures) => (f.recoverySeconds === Infinity ? 'never' : `${fixed(f.recoverySeconds)} s`);
  const stall = results[results.length - 1];
  return {
    title: `Playback under jitter: ${SECONDS} s of agent audio in 20 ms frames (virtual time)`,
    header: ['arrivals', ...columns.map(([label]) => label)],
    rows: results.map((r) => [r.scenario, ...columns.map(([, format]) => format(r))]),
    notes: [
      'Jitter J: each frame delayed by a seeded uniform random 0–J ms, delivered in order (a WebSocket cannot ' +
        'reorder), so a late frame holds back the ones behind it. Every run sees the same arrivals.',
      `Continuous rows: one 60 s stream. Turn rows: twelve 5 s turns of one session, ${PAUSE_S} s apart (each buffer ` +
        'runs dry between them; the end of a turn is not counted as an underrun). The audio: speech-like phrases ' +
        '(pitch and harmonics, 4 Hz syllables) with 0.12–0.3 s pauses.',
      `Old: the JitterBuffer before adaptation (its \`adaptive: false\` mode: a fixed ${OLD_PREBUFFER_MS} ms prebuffer, ` +
        '5 ms fades). New: the adaptive JitterBuffer with its defaults (target = least delay + 99th percentile of ' +
        'the measured lateness, pitch-period time-scale modification, concealment). Both at 48 kHz, fed through the ' +
        '16→48 kHz resampler and pulled 128 samples per render quantum, one buffer per session as in the worklet. ' +
        "Latency: from a frame's arrival until playback reaches its first sample. First sound: the latency of each " +
        "turn's first frame (the buffering added before anything is heard).",
      'Quick-start: each frame an AudioBufferSourceNode at max(nextStartTime, now); a gap is a frame arriving after the ' +
        'previous one finished (an audible hole, with a click at each edge). Latency: from arrival to its scheduled start.',
      `After the single stall, latency is under ${RECOVERED_MS} ms again (old / new / quick-start): ` +
        `${[stall.old, stall.new, stall.quickstart].map(recovered).join(' / ')} after the burst.`,
      `Time in the worklet's code (resampler + buffer) per 128-sample quantum (2667 µs of audio), this machine: ` +
        `old ${perQuantum(cost.old)}; new ${perQuantum(cost.new)}.`,
      `Budgets (new): 0 underruns at ${BUDGET_JITTER_MS} ms jitter (continuous and in turns); first sound ≤ ` +
        `${BUDGET_FIRST_SOUND_MS} ms at 0 ms jitter; in turns at ${BUDGET_FEWER_AT_MS.join(' and ')} ms jitter, fewer ` +
        'underruns than old and than the quick-start.',
    ],
    failures,
    data: { results, costMs: { old: cost.old.length, new: cost.new.length } },
  };
}
