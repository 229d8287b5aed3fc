// Part 4: end to end in headless Chromium with a fake microphone, against the local voice server.
// The same measurements run on our element and on the quick-start's example page, in one browser:
// click → first microphone frame on the socket, first agent frame → its first sample at the output,
// main-thread time per minute of conversation, and JS heap after 1 and after 50 sessions.
import { join } from 'node:path';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { speechLike } from '../tools/signals.js';
import { writeWav } from '../tools/wav.js';
import { CHROMIUM_PATH, chromiumFlags } from '../tools/chromium.js';
import { fixed, median, type Section } from './report.js';
import { epoch, FrameLog, serve } from './serve.js';
import { buildWidget, scratchDir } from './size.js';

const MIC_RATE = 48_000;
/** Conversation time over which main-thread cost is measured, then scaled to a minute. */
const CONVERSATION_MS = 12_000;
const SESSIONS = 50;
/** Heap growth over {@link SESSIONS} sessions above this fails the bench. */
const BUDGET_HEAP_GROWTH = 1024 * 1024;
/** Our first agent frame → output device at most this much later than the quick-start's. */
const BUDGET_AGENT_OUT_MS = 10;
/** Our main-thread time per minute of conversation at most this fraction of the quick-start's. */
const BUDGET_MAIN_THREAD_RATIO = 0.5;
/** Sessions after the first whose greeting is timed too: their median is what the budget compares. */
const HEARD = 5;

/**
 * The fake microphone: 1.2 s of a voiced, speech-like sound (160 Hz and harmonics, syllable envelope)
 * then 1.8 s of silence, looped by Chromium, so the echo agent hears utterances and answers them.
 */
function micWav(): string {
  const samples = speechLike([{ voiced: 1.2, pitch: 160 }, 1.8], { sampleRate: MIC_RATE });
  return writeWav(join(scratchDir('voice-agent-bench-mic-'), 'speech-bursts.wav'), samples, MIC_RATE);
}

/**
 * Runs in every page before its own scripts. Routes every connection to an AudioContext's destination through a unity-gain mix with a
 * worklet tap that reports the context time of the first non-zero sample it sees. The quick-start starts
 * a source on a context it has just created, before a tap can load, so the first AudioBufferSourceNode's
 * scheduled start counts too. Context time becomes page time through getOutputTimestamp(), i.e. when
 * the device plays it: a context renders ahead in bursts at start-up, so the render moment means little.
 * Records timings, never data.
 */
export const INSTRUMENT = `(() => {
  // Times are epoch ms (timeOrigin + now), comparable with the server's: frames are timed there, since
  // the widget's socket lives in a Worker the page cannot see into.
  const now = () => performance.timeOrigin + performance.now();
  // outs: when each sound the taps heard since reset() reaches the device (the first of a session's
  // greeting is the first at or after the server sent it; earlier ones are what a kept context still played).
  const marks = { clickAt: 0, outs: [], listening: false, gaps: 0, sources: 0, context: null };
  const taps = [];
  window.__bench = { marks, reset(listening) {
    Object.assign(marks, { clickAt: now(), outs: [], listening });
    // A context kept from an earlier session (the quick-start never closes its own) reports afresh.
    firstStart.clear();
    taps.forEach((tap) => tap.port.postMessage('rearm'));
  }, stopListening() { marks.listening = false; } };

  // Context time at which the first AudioBufferSourceNode of a context starts playing.
  // Also counts gaps in source-per-frame playback (the quick-start's): a source starting after the
  // previous one ended. The end of each utterance counts too; the stall part plays one long greeting.
  const firstStart = new Map();
  const ends = new WeakMap();
  const start = AudioBufferSourceNode.prototype.start;
  AudioBufferSourceNode.prototype.start = function (when = 0, ...rest) {
    const at = Math.max(when, this.context.currentTime);
    if (!firstStart.has(this.context)) firstStart.set(this.context, at);
    const end = ends.get(this.context);
    if (end !== undefined && at - end > 1e-6) marks.gaps++;
    ends.set(this.context, at + (this.buffer ? this.buffer.duration : 0));
    marks.sources++;
    return start.call(this, when, ...rest);
  };

  const TAP = "registerProcessor('bench-tap', class extends AudioWorkletProcessor {" +
    " constructor() { super(); this.port.onmessage = () => { this.done = false; }; }" +
    "process(inputs) { const ch = inputs[0][0]; if (ch && !this.done) for (let i = 0; i < ch.length; i++)" +
    " if (ch[i] !== 0) { this.done = true; this.port.postMessage(currentTime + i / sampleRate); break; }" +
    " return true; } });";
  const tapUrl = URL.createObjectURL(new Blob([TAP], { type: 'application/javascript' }));
  const onTap = (ctx, time) => {
    const first = Math.min(time, firstStart.get(ctx) ?? Infinity);
    const ts = ctx.getOutputTimestamp();
    const at = performance.timeOrigin + (ts.performanceTime
      ? ts.performanceTime + (first - ts.contextTime) * 1000
      : // No playout position yet (a context born on this frame): the render clock plus the latency it reports.
        performance.now() + (first - ctx.currentTime + ctx.outputLatency + ctx.baseLatency) * 1000);
    marks.outs.push(at);
    marks.context = { output: ctx.outputLatency, base: ctx.baseLatency, rate: ctx.sampleRate, playout: !!ts.performanceTime };
  };
  const connect = AudioNode.prototype.connect;
  const disconnect = AudioNode.prototype.disconnect;
  const mixes = new WeakMap();
  const mixFor = (ctx) => {
    let mix = mixes.get(ctx);
    if (mix) return mix;
    mix = ctx.createGain();
    connect.call(mix, ctx.destination);
    mixes.set(ctx, mix);
    ctx.audioWorklet.addModule(tapUrl).then(() => {
      const tap = new AudioWorkletNode(ctx, 'bench-tap', { numberOfOutputs: 0 });
      // Re-armed after each sound until the bench has found the session's greeting among them.
      tap.port.onmessage = (e) => {
        onTap(ctx, e.data);
        if (marks.listening) tap.port.postMessage('rearm');
      };
      taps.push(tap);
      connect.call(mix, tap);
    }, () => {});
    return mix;
  };
  AudioNode.prototype.connect = function (target, ...rest) {
    if (target instanceof AudioDestinationNode) {
      connect.call(this, mixFor(target.context), ...rest);
      return target;
    }
    return connect.call(this, target, ...rest);
  };
  AudioNode.prototype.disconnect = function (target, ...rest) {
    if (target instanceof AudioDestinationNode) return disconnect.call(this, mixFor(target.context), ...rest);
    return disconnect.call(this, ...(target === undefined ? [] : [target, ...rest]));
  };
})();`;

export type Marks = {
  clickAt: number;
  outs: number[];
  listening: boolean;
  /** Source-per-frame playback only: sources started after the previous one had ended, and sources. */
  gaps: number;
  sources: number;
  context: { output: number; base: number; rate: number; playout: boolean } | null;
};

/** How a page is driven: one session started by a real click, then many started from script. */
interface Subject {
  name: string;
  path: string;
  /** The start/stop button (a real click, so the gesture path is the one a visitor takes). */
  button: (page: Page) => ReturnType<Page['locator']>;
  stopButton: (page: Page) => ReturnType<Page['locator']>;
  /**
   * Expressions that start a session and stop it (resolving once stopped), for the sessions of the heap
   * figures; the diagnostic variant has none and skips them.
   */
  sessions?: { start: string; stop: string };
}

const ourButton = (page: Page) => page.locator('voice-agent [part="button"]');

const SUBJECTS: Subject[] = [
  {
    name: 'ours (<voice-agent>)',
    path: '/',
    button: ourButton,
    stopButton: ourButton,
    sessions: {
      start: `document.querySelector('voice-agent').start()`,
      stop: `document.querySelector('voice-agent').stop()`,
    },
  },
  {
    // Tells what the level meter costs the main thread: nothing, drawn in the socket Worker.
    name: 'ours, meter hidden',
    path: '/?meter=hidden',
    button: ourButton,
    stopButton: ourButton,
  },
  {
    name: 'quick-start page',
    path: '/quickstart.html',
    button: (page) => page.locator('#start'),
    stopButton: (page) => page.locator('#stop'),
    sessions: { start: 'window.quickstart.start()', stop: 'window.quickstart.stop()' },
  },
];

/** Resolves once `condition` holds (polled), or rejects after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = epoch() + timeoutMs;
  while (!(await condition())) {
    if (epoch() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const marks = (page: Page) =>
  page.evaluate(() => ({ ...(window as unknown as { __bench: { marks: Marks } }).__bench.marks }));
/** Clears the marks; `listening`: the taps keep reporting every sound (for firstOut()) until stopListening(). */
export const resetMarks = (page: Page, listening = false) =>
  page.evaluate((on) => (window as unknown as { __bench: { reset(on: boolean): void } }).__bench.reset(on), listening);
const stopListening = (page: Page) =>
  page.evaluate(() => (window as unknown as { __bench: { stopListening(): void } }).__bench.stopListening());

/** When the first sound of the greeting the server began sending after `since` reached the device. */
export function firstOut(frames: FrameLog, m: Marks, since: number): number | undefined {
  const sent = frames.firstAfter('out', since);
  return sent === undefined ? undefined : m.outs.find((at) => at >= sent);
}

/** CDP's cumulative main-thread timings, in seconds. */
const MAIN_THREAD_METRICS = ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration'];

async function metric(cdp: CDPSession, names: string[]): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(names.map((n) => [n, metrics.find((m) => m.name === n)?.value ?? 0]));
}

async function heapAfterGc(cdp: CDPSession): Promise<number> {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

interface Figures {
  subject: string;
  clickToFirstMicFrameMs: number;
  /** start() from script → first microphone frame at the server, median over sessions 2..SESSIONS. */
  laterStartToFirstMicFrameMs: number | null;
  agentFrameToOutputMs: number;
  /** The same, median over sessions 2..HEARD+1 (the quick-start's playback context is then already running). */
  laterAgentFrameToOutputMs: number | null;
  outputLatencyMs: number | null;
  baseLatencyMs: number | null;
  contextRate: number | null;
  /** Whether the output time came from the device playout position (else the render clock). */
  playoutClock: boolean;
  mainThreadMsPerMinute: number;
  scriptMsPerMinute: number;
  styleLayoutMsPerMinute: number;
  micFramesPerSecond: number;
  agentFramesPerSecond: number;
  heapAfter1: number;
  heapAfter50: number | null;
  heapGrowth: number | null;
}

async function measure(page: Page, subject: Subject, origin: string, frames: FrameLog): Promise<Figures> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(origin + subject.path);
  await page.waitForLoadState('load');

  // Session 1: a visitor's click, then a conversation with the echo agent.
  await resetMarks(page, true);
  await subject.button(page).click();
  const { clickAt } = await marks(page);
  await until(
    async () => !!frames.firstAfter('in', clickAt) && firstOut(frames, await marks(page), clickAt) !== undefined,
    'first frames',
  );
  const first = await marks(page);
  await stopListening(page);
  const before = await metric(cdp, MAIN_THREAD_METRICS);
  const started = epoch();
  await page.waitForTimeout(CONVERSATION_MS);
  const after = await metric(cdp, MAIN_THREAD_METRICS);
  const ended = epoch();
  const elapsedS = (ended - started) / 1000;
  await subject.stopButton(page).click();
  await page.waitForTimeout(300);
  const heapAfter1 = await heapAfterGc(cdp);

  // Sessions 2..50 from script, each until its first microphone frame is on the socket; the first
  // HEARD of them also until the greeting is heard, with whatever audio context the page kept.
  const heard: number[] = [];
  const starts: number[] = [];
  for (let i = 1; subject.sessions && i < SESSIONS; i++) {
    const startedAt = epoch();
    if (i <= HEARD) await resetMarks(page, true);
    await page.evaluate(subject.sessions.start);
    await until(
      async () => {
        if (!frames.firstAfter('in', startedAt)) return false;
        return i > HEARD || firstOut(frames, await marks(page), startedAt) !== undefined;
      },
      `session ${i + 1}'s first frames`,
    );
    starts.push(frames.firstAfter('in', startedAt)! - startedAt);
    if (i <= HEARD) {
      heard.push(firstOut(frames, await marks(page), startedAt)! - frames.firstAfter('out', startedAt)!);
      await stopListening(page);
    }
    await page.evaluate(subject.sessions.stop);
  }
  await page.waitForTimeout(500);
  const heapAfter50 = subject.sessions ? await heapAfterGc(cdp) : null;
  await cdp.detach();

  const perMinute = (seconds: number) => (seconds * 1000 * 60) / elapsedS;
  return {
    subject: subject.name,
    clickToFirstMicFrameMs: frames.firstAfter('in', clickAt)! - clickAt,
    agentFrameToOutputMs: firstOut(frames, first, clickAt)! - frames.firstAfter('out', clickAt)!,
    laterStartToFirstMicFrameMs: median(starts) ?? null,
    laterAgentFrameToOutputMs: median(heard) ?? null,
    outputLatencyMs: first.context ? first.context.output * 1000 : null,
    baseLatencyMs: first.context ? first.context.base * 1000 : null,
    contextRate: first.context?.rate ?? null,
    playoutClock: first.context?.playout ?? false,
    mainThreadMsPerMinute: perMinute(after.TaskDuration - before.TaskDuration),
    scriptMsPerMinute: perMinute(after.ScriptDuration - before.ScriptDuration),
    styleLayoutMsPerMinute: perMinute(
      after.RecalcStyleDuration + after.LayoutDuration - before.RecalcStyleDuration - before.LayoutDuration,
    ),
    micFramesPerSecond: frames.count('in', started, ended) / elapsedS,
    agentFramesPerSecond: frames.count('out', started, ended) / elapsedS,
    heapAfter1,
    heapAfter50,
    heapGrowth: heapAfter50 === null ? null : heapAfter50 - heapAfter1,
  };
}

/** Runs part 4. */
export async function e2ePart(): Promise<Section> {
  const frames = new FrameLog();
  const { server, voice, origin } = await serve(await buildWidget(), { onFrame: frames.onFrame });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: chromiumFlags(micWav()),
  });
  const figures: Figures[] = [];
  try {
    for (const subject of SUBJECTS) {
      // A fresh browser context per subject, so neither inherits the other's heap or audio devices.
      const context = await browser.newContext();
      await context.addInitScript(INSTRUMENT);
      const page = await context.newPage();
      figures.push(await measure(page, subject, origin, frames));
      await context.close();
    }
  } finally {
    await browser.close();
    await voice.close();
    server.close();
  }

  const ours = figures[0];
  const quickstart = figures.find((f) => f.subject.startsWith('quick-start'))!;
  const failures =
    ours.heapGrowth !== null && ours.heapGrowth >= BUDGET_HEAP_GROWTH
      ? [`heap grew by ${fixed(ours.heapGrowth / 1024)} KB over ${SESSIONS} sessions (budget < 1 MB)`]
      : [];
  // Compared over the later sessions: the quick-start's first is measured on a context born on that very
  // frame, whose clock mapping is not yet settled (its figure can come out below its own output latency),
  // and one greeting on this loaded machine varies by ±10 ms.
  const [oursOut, quickstartOut] = [ours, quickstart].map((f) => f.laterAgentFrameToOutputMs ?? Infinity);
  if (oursOut > quickstartOut + BUDGET_AGENT_OUT_MS) {
    failures.push(
      `first agent frame → output ${fixed(oursOut)} ms (median of sessions 2–${HEARD + 1}), more than ${BUDGET_AGENT_OUT_MS} ms ` +
        `after the quick-start's ${fixed(quickstartOut)} ms`,
    );
  }
  const busyRatio = ours.mainThreadMsPerMinute / quickstart.mainThreadMsPerMinute;
  if (busyRatio > BUDGET_MAIN_THREAD_RATIO) {
    failures.push(
      `main-thread busy ${fixed(ours.mainThreadMsPerMinute, 0)} ms per minute, ${fixed(busyRatio * 100, 0)} % of the ` +
        `quick-start's (budget ${BUDGET_MAIN_THREAD_RATIO * 100} %)`,
    );
  }
  const kib = (bytes: number | null) => (bytes === null ? '—' : `${fixed(bytes / 1024)} KB`);
  const metrics: [string, (f: Figures) => string][] = [
    ['click → first mic frame at the server', (f) => `${fixed(f.clickToFirstMicFrameMs)} ms`],
    [
      // One click in a fresh context is one sample, and a cold one; the later sessions give a median.
      `start() → first mic frame at the server, median of sessions 2–${SESSIONS}`,
      (f) => (f.laterStartToFirstMicFrameMs === null ? '—' : `${fixed(f.laterStartToFirstMicFrameMs)} ms`),
    ],
    [
      'first agent frame (sent by the server) → its first sample played by the output device',
      (f) =>
        `${fixed(f.agentFrameToOutputMs)} ms${f.playoutClock ? '' : ' (estimated: render clock + reported latency)'}`,
    ],
    [
      `the same, median of sessions 2–${HEARD + 1} (the quick-start keeps its playback context)`,
      (f) => (f.laterAgentFrameToOutputMs === null ? '—' : `${fixed(f.laterAgentFrameToOutputMs)} ms`),
    ],
    [
      'of which the context reports: outputLatency + baseLatency (context rate)',
      (f) =>
        f.contextRate
          ? `${fixed(f.outputLatencyMs ?? 0)} + ${fixed(f.baseLatencyMs ?? 0)} ms (${f.contextRate / 1000} kHz)`
          : '—',
    ],
    [
      'main-thread busy per minute of conversation: all tasks (script, style + layout)',
      (f) =>
        `${fixed(f.mainThreadMsPerMinute, 0)} ms (${fixed(f.scriptMsPerMinute, 0)}, ${fixed(f.styleLayoutMsPerMinute, 0)})`,
    ],
    [
      'frames per second during it (mic up / agent down)',
      (f) => `${fixed(f.micFramesPerSecond)} / ${fixed(f.agentFramesPerSecond)}`,
    ],
    ['JS heap after 1 session', (f) => kib(f.heapAfter1)],
    [`JS heap after ${SESSIONS} sessions`, (f) => kib(f.heapAfter50)],
    ['heap growth over the sessions', (f) => kib(f.heapGrowth)],
  ];
  return {
    title: 'End to end: headless Chromium, fake microphone, local voice server',
    header: ['metric', ...figures.map((f) => f.subject)],
    rows: metrics.map(([label, format]) => [label, ...figures.map(format)]),
    notes: [
      'Fake microphone: a looping WAV of 1.2 s speech-like sound and 1.8 s silence at 48 kHz; the local echo agent ' +
        'greets, then says each utterance back. One session started by a real click, then ' +
        `${SESSIONS - 1} more from script, each stopped once its first microphone frame is on the socket.`,
      'Output time: the context time of the first non-zero sample reaching the destination (a worklet tap behind a ' +
        'unity-gain mix an init script puts in front of every connect to it) or, for the quick-start, whose playback ' +
        "context is born on the first frame, of its first source's scheduled start; turned into page time with " +
        'getOutputTimestamp(), so it is when the (fake) device plays it, output latency included.',
      'Frames are timed at the server (same machine, epoch clock), since our socket runs in a Worker the page ' +
        'cannot instrument.',
      `Main-thread time: CDP Performance.getMetrics TaskDuration and ScriptDuration over ${CONVERSATION_MS / 1000} s ` +
        'of conversation, scaled to a minute. Heap: Runtime.getHeapUsage after forced garbage collection.',
      `Budgets (ours): main-thread busy at most ${BUDGET_MAIN_THREAD_RATIO * 100} % of the quick-start's (with the meter ` +
        `drawn; ${fixed(busyRatio * 100, 0)} % in this run); heap growth < 1 MB over ${SESSIONS} sessions; first agent frame → output device at most ` +
        `${BUDGET_AGENT_OUT_MS} ms after the quick-start's, median of sessions 2–${HEARD + 1} (in the first, the quick-start's ` +
        'figure is taken on a context born on that frame, whose clock mapping is not settled: it has come out below ' +
        'its own output latency). Other timings are figures, not budgets.',
    ],
    failures,
    data: figures,
  };
}
