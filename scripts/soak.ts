/**
 * `npm run soak [-- --minutes N] [--faults a,b]` (default 30 minutes, every fault in turn): one page
 * with the built widget (`reconnect` on) talks to the local echo agent in headless Chromium, with a fake microphone that speaks, for N minutes of real
 * audio time, while the faults of server/faults.ts are sprinkled in far more densely than real life
 * (the compression: audio cannot run faster than real time, the trouble can). Every 90 s the next
 * session starts with the next fault; drops recur every 20 s within a `drop` or `outage` session.
 *
 * Checked: the JS heap stays flat (after GC), no microphone frame is missing on any socket (counted at
 * the server, against the page's audio clock), every drop is recovered by a reconnect or ends cleanly,
 * every session fires `voice-agent-ended` once and leaves no live track, open context, socket Worker or
 * open socket (at the server: the socket lives in the widget's Worker, out of the page's reach). Prints a
 * summary (README, "Reliability") and exits non-zero when a check fails.
 */
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { buildWidget, scratchDir } from '../bench/size.js';
import { createVoiceServer } from '../server/index.js';
import { CHROMIUM_PATH, chromiumFlags } from '../tools/chromium.js';
import { speechLike } from '../tools/signals.js';
import { writeWav } from '../tools/wav.js';

const minutesArg = process.argv.indexOf('--minutes');
const MINUTES = minutesArg > 0 ? Number(process.argv[minutesArg + 1]) : 30;
const SESSION_MS = 90_000;
/** The faults each session plays, in turn ('' = none); `--faults none,drop` picks others. */
const faultsArg = process.argv.indexOf('--faults');
const SCHEDULE =
  faultsArg > 0
    ? process.argv[faultsArg + 1].split(',').map((f) => (f === 'none' ? '' : f))
    : ['', 'drop', 'jitter', 'server-error', 'slow-connected', 'malformed', 'outage', 'ended-session_closed'];
/** Heap growth (after GC) over the run above this fails the soak. */
const HEAP_BUDGET = 1024 * 1024;
/** Frames a socket may be short of one per 20 ms of audio clock over its live stream (its ends are timing edges). */
const LOST_FRAMES_ALLOWED = 2;

/**
 * Runs in the page before the widget: holds each track, context and Worker only until it is released (so
 * the instrument itself does not grow the heap it measures), notes the audio clock against the wall
 * clock, and records the element's events.
 */
const INSTRUMENT = `(() => {
  const soak = (window.__soak = { held: new Set(), events: [], clock: null });
  const NativeContext = window.AudioContext;
  window.AudioContext = class extends NativeContext {
    constructor(...args) { super(...args); soak.held.add(this); soak.clock = this; }
  };
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(...args) { super(...args); this.live = true; soak.held.add(this); }
    terminate() { this.live = false; super.terminate(); }
  };
  const media = navigator.mediaDevices;
  const gum = media.getUserMedia.bind(media);
  media.getUserMedia = async (c) => { const s = await gum(c); soak.held.add(s); return s; };
  for (const type of ['status', 'reconnecting', 'ended', 'error'])
    addEventListener('voice-agent-' + type, (e) => soak.events.push({ type, detail: e.detail, at: performance.now() }), true);
})();`;

/** One socket's microphone frames at the server: its live stream starts after the first-words burst. */
interface FrameRun {
  first: number;
  last: number;
  count: number;
  burst: boolean;
}

/**
 * Microphone frames per socket, as the voice server accepts them (wall clock, ms). Frames are judged
 * against the audio clock that produces them, whose rate the page measures: the fake device's clock
 * drifts from the wall clock on a loaded machine.
 */
class FrameCounter {
  total = 0;
  maxGapMs = 0;
  maxLost = 0;
  sockets = 0;
  #runs = new Map<number, FrameRun>();

  readonly onFrame = (direction: 'in' | 'out', session: number) => {
    if (direction !== 'in') return;
    this.total++;
    const now = performance.now();
    const run = this.#runs.get(session);
    if (!run) {
      this.sockets++;
      this.#runs.set(session, { first: now, last: now, count: 1, burst: true });
    } else if (run.burst && now - run.last < 2) run.last = now;
    else {
      if (run.burst) Object.assign(run, { burst: false, first: now, count: 0 });
      else this.maxGapMs = Math.max(this.maxGapMs, now - run.last);
      run.last = now;
      run.count++;
    }
  };

  /** Judges the sockets seen so far, `rate` being audio-clock ms per wall-clock ms, and forgets them. */
  settle(rate: number): void {
    for (const run of this.#runs.values()) {
      const expected = Math.round(((run.last - run.first) * rate) / 20) + 1;
      if (!run.burst) this.maxLost = Math.max(this.maxLost, expected - run.count);
    }
    this.#runs.clear();
  }
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>soak</title>
<voice-agent reconnect token-url="/api/voice-token"></voice-agent><script src="/voice-agent.js"></script>`;

interface Soak {
  held: Set<Worker | MediaStream | AudioContext>;
  events: { type: string; detail: Record<string, unknown>; at: number }[];
  clock: AudioContext | null;
}

/** The page's figures, the events since the last call, and what is still open (released things are let go). */
const state = (page: Page) =>
  page.evaluate(() => {
    const s = (window as unknown as { __soak: Soak }).__soak;
    const el = document.querySelector('voice-agent')!;
    const open = { tracks: 0, contexts: 0, workers: 0 };
    for (const thing of s.held) {
      const live =
        thing instanceof Worker
          ? (thing as Worker & { live: boolean }).live && ++open.workers
          : thing instanceof MediaStream
            ? thing.getTracks().some((t) => t.readyState === 'live') && ++open.tracks
            : thing.state !== 'closed' && ++open.contexts;
      if (!live) s.held.delete(thing);
    }
    return {
      // The audio clock against the wall clock, both ms, for the frame counts' rate.
      clock: s.clock && { audio: s.clock.currentTime * 1000, wall: performance.now() },
      events: s.events.splice(0),
      status: el.status,
      stats: el.getStats(),
      open,
    };
  });

async function main(): Promise<void> {
  const widget = readFileSync(await buildWidget());
  const frames = new FrameCounter();
  const voice = createVoiceServer({ log: () => {}, faultDelayMs: 20_000, outageMs: 8_000, onFrame: frames.onFrame });
  const sockets = new Set<Duplex>();
  const server = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    else if (req.url === '/voice-agent.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(widget);
    else if (!voice.handle(req, res)) res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (!voice.upgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const wav = writeWav(
    join(scratchDir('voice-agent-soak-'), 'speech.wav'),
    speechLike([{ voiced: 1.2, pitch: 160 }, 1.8, { voiced: 0.8, pitch: 210 }, 2.2], { sampleRate: 48_000 }),
    48_000,
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: chromiumFlags(wav) });
  const problems: string[] = [];
  const heap: { minute: number; bytes: number }[] = [];
  const episodes: { fault: string; drops: number; reconnected: number; ended: string[]; dropped: number }[] = [];
  try {
    const page = await browser.newPage();
    await page.addInitScript(INSTRUMENT);
    const cdp = await page.context().newCDPSession(page);
    const heapNow = async () => {
      for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    await page.goto(origin);
    await page.waitForFunction(() => customElements.get('voice-agent'));
    const t0 = Date.now();
    for (let n = 0; Date.now() - t0 < MINUTES * 60_000; n++) {
      const fault = SCHEDULE[n % SCHEDULE.length];
      await state(page); // drains what came before
      await page.evaluate((f) => {
        const el = document.querySelector('voice-agent')!;
        el.tokenUrl = f ? `/api/voice-token?fault=${f}` : '/api/voice-token';
      }, fault);
      if (n === 0) await page.locator('voice-agent').getByRole('button').click();
      else await page.evaluate(() => document.querySelector('voice-agent')!.start());
      const slot = Math.min(SESSION_MS, MINUTES * 60_000 - (Date.now() - t0));
      await page.waitForTimeout(1000);
      const first = await state(page);
      await page.waitForTimeout(slot - 1000);
      const during = await state(page);
      await page.evaluate(() => document.querySelector('voice-agent')!.stop());
      const events = [...first.events, ...during.events];
      // The socket's closing handshake may take its time (at most 2 s), then the Worker is ended.
      const end = Date.now() + 5000;
      let after;
      do {
        await page.waitForTimeout(100);
        after = await state(page);
        events.push(...after.events);
      } while ((after.open.workers || sockets.size) && Date.now() < end);
      // Audio-clock ms per wall-clock ms over the slot: the rate frames are produced at.
      const [from, to] = [first.clock, during.clock];
      frames.settle(from && to ? (to.audio - from.audio) / (to.wall - from.wall) : 1);
      if (process.env.SOAK_DEBUG)
        console.error(JSON.stringify(events.map((e) => [e.type, e.detail, Math.round(e.at)])));
      const ended = events.filter((e) => e.type === 'ended').map((e) => String(e.detail.reason));
      const drops = events.filter((e) => e.type === 'status' && e.detail.status === 'reconnecting').length;
      const reconnected = after.stats.reconnects;
      episodes.push({ fault: fault || 'none', drops, reconnected, ended, dropped: after.stats.framesDropped });
      const label = `session ${n + 1} (${fault || 'no fault'})`;
      if (ended.length !== 1) problems.push(`${label}: ended fired ${ended.length} times`);
      const { tracks, contexts, workers } = after.open;
      if (tracks || contexts || workers || sockets.size) {
        problems.push(
          `${label}: left ${tracks} live microphones, ${contexts} contexts, ${workers} Workers, ${sockets.size} sockets`,
        );
      }
      // A drop is recovered by a reconnect, ends the session as connection_lost, or was still being
      // reconnected when the session's slot ended.
      const lost = ended.includes('connection_lost') ? 1 : 0;
      const pending = during.status === 'reconnecting' ? 1 : 0;
      if (drops !== reconnected + lost + pending) {
        problems.push(`${label}: ${drops} drops, ${reconnected} reconnects, lost ${lost}, pending ${pending}`);
      }
      const minute = (Date.now() - t0) / 60_000;
      heap.push({ minute, bytes: await heapNow() });
      process.stderr.write(
        `soak: ${minute.toFixed(1)} min, ${label}: drops ${drops}, reconnects ${reconnected}, ` +
          `ended ${ended.join(',')}, heap ${(heap.at(-1)!.bytes / 1024).toFixed(0)} KB\n`,
      );
    }
    const growth = heap.at(-1)!.bytes - heap[0].bytes;
    if (growth > HEAP_BUDGET) problems.push(`heap grew by ${(growth / 1024).toFixed(0)} KB`);
    const lost = Math.max(0, frames.maxLost);
    if (lost > LOST_FRAMES_ALLOWED)
      problems.push(`a socket was ${lost} microphone frames short of one per 20 ms of audio`);
    const drops = episodes.reduce((n, e) => n + e.drops, 0);
    const reconnects = episodes.reduce((n, e) => n + e.reconnected, 0);
    const lostSessions = episodes.filter((e) => e.ended.includes('connection_lost')).length;
    console.log(`## Soak: ${MINUTES} min, ${episodes.length} sessions, ${new Date().toISOString().slice(0, 10)}\n`);
    console.log(`| figure | value |\n| --- | --- |`);
    console.log(
      `| microphone frames at the server | ${frames.total} (${(frames.total / (MINUTES * 60)).toFixed(1)} per second overall) |`,
    );
    console.log(
      `| microphone frames missing on any socket (short of one per 20 ms of audio clock over its live stream) | ${lost} (${frames.sockets} sockets) |`,
    );
    console.log(
      `| longest pause between frames on a socket (a main-thread or audio stall: the frames come late, not lost) | ${frames.maxGapMs.toFixed(0)} ms |`,
    );
    const dropped = episodes.reduce((n, e) => n + e.dropped, 0);
    console.log(`| framesDropped (getStats: over the 2 s kept while reconnecting, or backpressure) | ${dropped} |`);
    console.log(
      `| drops | ${drops}: ${reconnects} recovered by a reconnect, ${lostSessions} ended as connection_lost |`,
    );
    console.log(
      `| sessions ended exactly once, nothing left open | ${episodes.length - problems.filter((p) => p.startsWith('session')).length}/${episodes.length} |`,
    );
    console.log(
      `| JS heap after GC, first → last session | ${(heap[0].bytes / 1024).toFixed(0)} KB → ${(heap.at(-1)!.bytes / 1024).toFixed(0)} KB (${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} KB) |`,
    );
    console.log(`| faults, in turn | ${SCHEDULE.map((f) => f || 'none').join(', ')} |`);
    await cdp.detach();
  } finally {
    await browser.close();
    await voice.close();
    server.close();
  }
  if (problems.length) {
    console.error(`\nsoak: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
}

await main();
