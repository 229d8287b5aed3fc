// Part 6: a busy page. The agent streams one long utterance in real time while the page runs a long
// task every second; the same run measures our element with its socket in a Worker, the same element
// with the main-thread fallback (Worker hidden, as a strict CSP would), and the quick-start page.
// Playback gaps are counted in the page, holes between microphone frames at the server, which runs in
// a process of its own (server-process.ts) so the bench process's own stalls cannot make them.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_PATH, chromiumFlags } from '../tools/chromium.js';
import { writeWav } from '../tools/wav.js';
import { LEAST_JITTER_MS } from '../src/dsp/jitter-buffer.js';
import { floatToInt16 } from '../src/dsp/pcm.js';
import { WIRE_RATE } from '../src/wire.js';
import { sine } from '../tools/signals.js';
import { INSTRUMENT, marks, resetMarks, until } from './e2e.js';
import { fixed, type Section } from './report.js';
import { serveInChild, type ChildServer } from './server-process.js';
import { buildWidget, scratchDir } from './size.js';

/** Long tasks, ms, one every second. */
const LONG_TASKS = [0, 150, 300];
/** How long each case is measured, while the greeting still plays. */
const WINDOW_MS = 6000;
/** The agent's greeting: a continuous tone longer than the window, so any gap is a stall's. */
const GREETING_S = 12;
/** Budget (worker transport, every long task): no playback gap, no hole longer than this at the server. */
const BUDGET_HOLE_MS = 60;
/**
 * A budgeted case that fails while the voice server's process waited at least this long to run had its
 * audio held back at the source (the server both sends the agent's frames and times the microphone's):
 * it is measured again, at most MAX_ATTEMPTS times in all, and every attempt is printed. The threshold is
 * the jitter the playback buffer keeps in hand; an idle 2-core machine shows 6–25 ms. The bench process's
 * stall is not used: it is outside the audio path, and its own GC pauses reach 55–100 ms on a quiet machine.
 */
const SERVER_STALL_MS = LEAST_JITTER_MS;
const MAX_ATTEMPTS = 3;

interface Subject {
  name: string;
  /** The transport getStats() must report, for our element. */
  transport?: 'worker' | 'main';
  path: string;
  start: string;
}

const SUBJECTS: Subject[] = [
  { name: 'ours, socket in a Worker', transport: 'worker', path: '/', start: 'voice-agent [part="button"]' },
  { name: 'ours, main-thread fallback', transport: 'main', path: '/', start: 'voice-agent [part="button"]' },
  { name: 'quick-start page', path: '/quickstart.html', start: '#start' },
];

interface Figures {
  subject: string;
  longTaskMs: number;
  gaps: number;
  longestHoleMs: number;
  mainThreadMsPerMinute: number;
  /**
   * Why a case failed, measured: a stall of the voice server's event loop (the longest delay seen, in its
   * own process) shows as holes at the server and late agent frames whatever the page does; the bench
   * process's (Playwright, CDP), which no longer can; the longest gap between agent frames the server
   * sent; the machine's 1-minute load average (2 cores).
   */
  serverStallMs: number;
  benchStallMs: number;
  sendGapMs: number;
  load: number;
  /** 1 for the first measurement of a case; more when the server process stalled in a failing one. */
  attempt: number;
}

const greeting = () => floatToInt16(sine(300, WIRE_RATE, GREETING_S * WIRE_RATE, { amplitude: 8000 / 32768 }));

/** Our element's playback underruns, or the quick-start's gaps between sources. */
async function gaps(page: Page, subject: Subject): Promise<number> {
  if (!subject.transport) return (await marks(page)).gaps;
  return page.evaluate(
    () =>
      (document.querySelector('voice-agent') as unknown as { getStats(): { underruns: number } }).getStats().underruns,
  );
}

async function measure(
  page: Page,
  subject: Subject,
  longTaskMs: number,
  { origin, frames, resetStall, stallMs }: ChildServer,
  attempt: number,
): Promise<Figures> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(origin + subject.path);
  await resetMarks(page);
  await page.locator(subject.start).click();
  const { clickAt } = await marks(page);
  await until(() => !!frames.firstAfter('out', clickAt) && !!frames.firstAfter('in', clickAt), 'frames both ways');
  if (subject.transport) {
    const kind = await page.evaluate(
      () =>
        (document.querySelector('voice-agent') as unknown as { getStats(): { transport: string } }).getStats()
          .transport,
    );
    if (kind !== subject.transport) throw new Error(`${subject.name}: getStats().transport is ${kind}`);
  }
  await page.waitForTimeout(1000); // past the prebuffer: playing
  const gapsBefore = await gaps(page, subject);
  const { metrics: before } = await cdp.send('Performance.getMetrics');
  const from = performance.timeOrigin + performance.now();
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  await resetStall();
  await page.evaluate((ms) => {
    if (ms)
      setInterval(() => {
        const end = performance.now() + ms;
        while (performance.now() < end);
      }, 1000);
  }, longTaskMs);
  await page.waitForTimeout(WINDOW_MS);
  const to = performance.timeOrigin + performance.now();
  lag.disable();
  const serverStallMs = await stallMs();
  const { metrics: after } = await cdp.send('Performance.getMetrics');
  const task = (m: typeof after) => m.find((x) => x.name === 'TaskDuration')?.value ?? 0;
  const figures = {
    subject: subject.name,
    longTaskMs,
    gaps: (await gaps(page, subject)) - gapsBefore,
    longestHoleMs: frames.longestHole(from, to),
    mainThreadMsPerMinute: ((task(after) - task(before)) * 1000 * 60 * 1000) / (to - from),
    serverStallMs,
    benchStallMs: lag.max / 1e6,
    sendGapMs: frames.longestHole(from, to, 'out'),
    load: loadavg()[0],
    attempt,
  };
  await cdp.detach();
  return figures;
}

/** What a case breaks of the budget (only ours, socket in a Worker, with long tasks, has one). */
function budgetBroken(f: Figures): string[] {
  if (f.subject !== SUBJECTS[0].name || !f.longTaskMs) return [];
  const broken: string[] = [];
  if (f.gaps > 0) broken.push(`${f.subject}: ${f.gaps} playback gap(s) with ${f.longTaskMs} ms long tasks (budget 0)`);
  if (f.longestHoleMs > BUDGET_HOLE_MS) {
    broken.push(
      `${f.subject}: a ${fixed(f.longestHoleMs)} ms hole between microphone frames with ${f.longTaskMs} ms long tasks (budget ${BUDGET_HOLE_MS} ms)`,
    );
  }
  return broken.map((b) => (f.attempt > 1 ? `${b}, attempt ${f.attempt}` : b));
}

const serverStalled = (f: Figures) => f.serverStallMs >= SERVER_STALL_MS;

/** Runs part 6. */
export async function stallPart(): Promise<Section> {
  const silence = writeWav(
    join(scratchDir('voice-agent-bench-silence-'), 'silence.wav'),
    new Float32Array(48_000),
    48_000,
  );
  const server = await serveInChild(await buildWidget(), { greeting: greeting() });
  const figures: Figures[] = [];
  try {
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: chromiumFlags(silence),
    });
    try {
      for (const longTaskMs of LONG_TASKS) {
        for (const subject of SUBJECTS) {
          for (let attempt = 1; ; attempt++) {
            const context = await browser.newContext();
            await context.addInitScript(INSTRUMENT);
            if (subject.transport === 'main') await context.addInitScript('delete window.Worker');
            const page = await context.newPage();
            const f = await measure(page, subject, longTaskMs, server, attempt);
            await context.close();
            figures.push(f);
            if (!budgetBroken(f).length || !serverStalled(f) || attempt === MAX_ATTEMPTS) break;
          }
        }
      }
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }

  // Each case's last attempt is the one judged.
  const failures = figures.filter((f, i) => figures[i + 1]?.attempt !== f.attempt + 1).flatMap(budgetBroken);
  const idle = (name: string) => figures.find((f) => f.subject === name && f.longTaskMs === 0)!.mainThreadMsPerMinute;
  const ratio = idle(SUBJECTS[0].name) / idle(SUBJECTS[2].name);
  return {
    title: 'A busy page: long tasks on the main thread while the agent speaks',
    header: [
      'long task every 1 s',
      'subject',
      'playback gaps',
      'longest hole between mic frames at the server',
      'main-thread busy per minute',
      'event-loop stall: server process / bench process; longest gap between agent frames sent; load',
    ],
    rows: figures.map((f) => [
      f.longTaskMs ? `${f.longTaskMs} ms` : 'none',
      f.attempt > 1 ? `${f.subject} (attempt ${f.attempt})` : f.subject,
      String(f.gaps),
      `${fixed(f.longestHoleMs)} ms`,
      `${fixed(f.mainThreadMsPerMinute, 0)} ms`,
      `${fixed(f.serverStallMs)} / ${fixed(f.benchStallMs)} ms; ${fixed(f.sendGapMs)} ms; ${fixed(f.load, 1)}`,
    ]),
    notes: [
      `The agent streams a ${GREETING_S} s tone in real time (its greeting); each case is measured for ${WINDOW_MS / 1000} s ` +
        "from 1 s after the first agent frame, with a silent fake microphone. Gaps: our playback worklet's underruns " +
        "(getStats()), or the quick-start's sources that start after the previous one ended.",
      'The voice server runs in a child process of its own (HTTP, WebSocket, these pages) and times each frame there, ' +
        'so a stall of the bench process (Playwright, CDP) cannot make a hole; the last column gives both event-loop stalls.',
      'Main-thread busy: CDP TaskDuration over the window, scaled to a minute; with long tasks it includes them. ' +
        `Without long tasks, ours (Worker) is ${fixed(ratio * 100, 0)} % of the quick-start's.`,
      `Budget (ours, socket in a Worker, every long-task case): 0 playback gaps and no hole over ${BUDGET_HOLE_MS} ms. ` +
        `A case that breaks it while the server process stalled ${SERVER_STALL_MS} ms or more (the jitter the playback ` +
        `buffer keeps in hand: the audio was held back at its source, not by the page) is measured again, up to ` +
        `${MAX_ATTEMPTS} attempts; every attempt is in the table and the last one is judged.`,
    ],
    failures,
    data: figures,
  };
}
