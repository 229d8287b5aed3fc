/**
 * Checks the demo page as a person would: serves it with the local emulator, opens it in headless
 * Debian Chromium with a fake microphone that "speaks", clicks the default element's button, waits for
 * the agent to greet and then echo, saves docs/demo.png (and docs/demo-dark.png), then runs every fault
 * of GET /api/faults through the page's own picker and checks the documented outcome.
 *
 *   npm run demo:check            (CHROME_PATH overrides /usr/bin/chromium)
 *
 * Exits non-zero if the conversation does not happen or any fault ends differently from its catalogue entry.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FaultInfo, FaultOutcome } from '../server/faults.js';
import type { VoiceAgentEventName, VoiceAgentStatus } from '../src/events.js';
import type { VoiceAgent } from '../src/voice-agent.js';
import { VOICE_AGENT_EVENTS } from '../src/events.js';
import { sleep, until } from '../tools/wait.js';
import { CHROMIUM_PATH, chromiumFlags } from '../tools/chromium.js';
import { root, startServer, writeSpeechWav } from './demo-server.js';

/** Faults run side by side in separate pages; more would starve a 2-core machine. */
const FAULT_CONCURRENCY = 3;
/** Generous: a loaded machine may take seconds to start Chromium's audio. */
const STEP_TIMEOUT_MS = 20_000;
/** Agent audio frames further apart than this belong to different utterances. */
const UTTERANCE_GAP_MS = 300;

/** What the page recorded; see {@link instrument}. */
interface Recorded {
  events: { type: VoiceAgentEventName; source: string; detail: Record<string, unknown> | null; at: number }[];
  levels: { at: number; input: number; output: number }[];
}

/**
 * Runs in the page before its own scripts: records every `voice-agent-*` event (capture phase, so no page
 * handler can hide one) and samples the default element's levels, with wall-clock times.
 */
function instrument(names: readonly string[]): void {
  const rec: Recorded = { events: [], levels: [] };
  (window as unknown as { __check: Recorded }).__check = rec;
  for (const type of names) {
    document.addEventListener(
      type,
      (e) => {
        const target = e.target as HTMLElement;
        const detail = (e as CustomEvent).detail;
        rec.events.push({
          type: type as VoiceAgentEventName,
          source: target.id || target.dataset.label || target.localName,
          detail: detail === undefined ? null : JSON.parse(JSON.stringify(detail)),
          at: Date.now(),
        });
      },
      true,
    );
  }
  setInterval(() => {
    const el = document.getElementById('default-agent') as VoiceAgent | null;
    if (el?.status === 'ready') rec.levels.push({ at: Date.now(), input: el.inputLevel, output: el.outputLevel });
  }, 40);
}

/** WebSocket traffic of the voice socket. Vite's client socket (at `/`; it retries even with HMR off) is left out. */
interface Traffic {
  sockets: number;
  upFrames: number;
  upOddSizes: number;
  downFrames: number;
  /** Arrival time of each agent audio frame, to split the agent's speech into utterances. */
  downAt: number[];
}

function watchTraffic(page: Page): Traffic {
  const traffic: Traffic = { sockets: 0, upFrames: 0, upOddSizes: 0, downFrames: 0, downAt: [] };
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).pathname === '/') return;
    traffic.sockets++;
    ws.on('framesent', ({ payload }) => {
      if (typeof payload === 'string') return; // the token message: never read, never printed
      traffic.upFrames++;
      if (payload.length !== 640) traffic.upOddSizes++;
    });
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') return;
      traffic.downFrames++;
      traffic.downAt.push(Date.now());
    });
  });
  return traffic;
}

/** Agent speech as [start, end] wall-clock spans: frames closer than {@link UTTERANCE_GAP_MS} are one span. */
function utterances(downAt: readonly number[]): [number, number][] {
  const spans: [number, number][] = [];
  for (const at of downAt) {
    const last = spans.at(-1);
    if (last && at - last[1] < UTTERANCE_GAP_MS) last[1] = at;
    else spans.push([at, at]);
  }
  return spans;
}

/** A page of the demo with the recorder installed, the element defined and the fault catalogue loaded. */
async function openDemo(browser: Browser, url: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`a ${dialog.type()} dialog opened`);
    void dialog.dismiss();
  });
  await page.addInitScript(instrument, VOICE_AGENT_EVENTS);
  const traffic = watchTraffic(page);
  await page.goto(url);
  await page.waitForFunction(
    () => customElements.get('voice-agent') && !(document.getElementById('fault') as HTMLSelectElement).disabled,
    null,
    { timeout: STEP_TIMEOUT_MS },
  );
  return { context, page, traffic, problems };
}

const defaultAgent = (page: Page) => page.locator('#default-agent');
const agentStatus = (page: Page) =>
  page.evaluate(() => (document.getElementById('default-agent') as VoiceAgent).status);
const recorded = (page: Page) => page.evaluate(() => (window as unknown as { __check: Recorded }).__check);

function waitForStatus(page: Page, status: VoiceAgentStatus, timeout = STEP_TIMEOUT_MS) {
  return page.waitForFunction(
    (want) => (document.getElementById('default-agent') as VoiceAgent).status === want,
    status,
    { timeout },
  );
}

/** Resolves true once `test` holds, false after `timeout` (polling every 100 ms). */
const eventually = (test: () => boolean | Promise<boolean>, timeout = STEP_TIMEOUT_MS): Promise<boolean> =>
  until(test, timeout, 'a condition', 100).then(
    () => true,
    () => false,
  );

/** Text anywhere a visitor or a script could read it: the DOM (light and shadow), attributes, event details. */
function readableText(): string {
  const parts = [document.documentElement.outerHTML];
  for (const el of document.querySelectorAll('voice-agent')) parts.push(el.shadowRoot?.innerHTML ?? '');
  parts.push(JSON.stringify((window as unknown as { __check: Recorded }).__check.events));
  return parts.join('\n');
}

/** axe-core comes with @open-wc/testing (its chai-a11y-axe); the element's tests audit with it too. */
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** WCAG 2 A/AA violations on the page as it is (shadow roots included), as `rule (impact): target` lines. */
async function accessibilityViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<AxeResults> } }).axe;
    type AxeResults = { violations: { id: string; impact: string; nodes: { target: unknown[] }[] }[] };
    const { violations } = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
    return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
}

/** Records every token the page is issued and every line it could leak into: console lines, request and socket URLs. */
function watchForTokens(page: Page) {
  const tokens: string[] = [];
  const outside: string[] = [];
  page.on('response', async (res) => {
    if (new URL(res.url()).pathname !== '/api/voice-token' || !res.ok()) return;
    const body = (await res.json().catch(() => null)) as { token?: unknown } | null;
    if (typeof body?.token === 'string') tokens.push(body.token);
  });
  page.on('console', (msg) => outside.push(msg.text()));
  page.on('request', (req) => outside.push(req.url()));
  page.on('websocket', (ws) => outside.push(ws.url()));
  return {
    tokens,
    /** Whether any token shows up in `text` (the page's readable text) or in a console line or URL. */
    leakedInto: (text: string) => tokens.some((t) => text.includes(t) || outside.some((line) => line.includes(t))),
  };
}

/** WCAG violations in light and dark colour schemes, each line prefixed with its scheme. */
async function accessibilityInBothSchemes(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    found.push(...(await accessibilityViolations(page)).map((v) => `${scheme}: ${v}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

/** Light and dark screenshots of the page as it is. */
async function screenshots(page: Page): Promise<void> {
  mkdirSync(`${root}docs`, { recursive: true });
  await page.screenshot({ path: `${root}docs/demo.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${root}docs/demo-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * A visitor's conversation: click, wait for ready, hear the greeting and the echo of the fake
 * microphone's sentence (screenshots taken during it), then end it. Returns when it happened.
 */
async function converse(page: Page, traffic: Traffic) {
  const clickedAt = Date.now();
  await defaultAgent(page).getByRole('button', { name: 'Talk to the agent' }).click();
  await waitForStatus(page, 'ready');
  const readyAt = Date.now();
  // The greeting, then the echo of the fake microphone's sentence: two utterances from the agent.
  const echoed = await eventually(() => utterances(traffic.downAt).length >= 2, 30_000);
  await sleep(500); // into the echo, so the meters and the log show a live conversation
  await screenshots(page);
  if (echoed) await eventually(() => Date.now() - traffic.downAt.at(-1)! > 2 * UTTERANCE_GAP_MS, 10_000);
  // The meter should have shown the microphone by now, unless the sentence fell on the greeting (the
  // echo canceller then ducks it): the file loops, so give it one more turn.
  await eventually(() => recorded(page).then((r) => r.levels.some((l) => l.input > 0)), 12_000);
  await defaultAgent(page).getByRole('button', { name: 'End conversation' }).click();
  await waitForStatus(page, 'idle');
  await sleep(300); // the server logs the session once its socket has closed
  return { clickedAt, readyAt, echoed };
}

/** The part of the conversation check a person would judge: did it connect, greet, echo, end cleanly. */
async function checkConversation(browser: Browser, url: string, voiceLog: string[]): Promise<boolean> {
  const { context, page, traffic, problems } = await openDemo(browser, url);
  const tokens = watchForTokens(page);
  const a11y = await accessibilityInBothSchemes(page);
  const { clickedAt, readyAt, echoed } = await converse(page, traffic);

  const rec = await recorded(page);
  const mine = rec.events.filter((e) => e.source === 'default-agent');
  const statuses = mine.filter((e) => e.type === 'voice-agent-status').map((e) => String(e.detail?.status));
  const counts = countBy(mine.map((e) => e.type.replace('voice-agent-', '')));
  const errors = mine.filter((e) => e.type === 'voice-agent-error').map((e) => String(e.detail?.code));
  const ended = mine.filter((e) => e.type === 'voice-agent-ended').map((e) => String(e.detail?.reason));
  const peak = (from: number, to: number, key: 'input' | 'output') =>
    Math.max(0, ...rec.levels.filter((l) => l.at >= from && l.at <= to).map((l) => l[key]));
  const spoken = utterances(traffic.downAt).map(([start, end]) => ({
    seconds: (end - start + 20) / 1000,
    afterReady: (start - readyAt) / 1000,
    peak: peak(start, end + 500, 'output'),
  }));
  const leaked = tokens.leakedInto(await page.evaluate(readableText));

  const checks: [string, boolean][] = [
    ['statuses connecting → connected → ready → idle', statuses.join() === 'connecting,connected,ready,idle'],
    ['the agent greeted, then echoed the microphone', echoed],
    ['the echo was played (output level > 0)', (spoken[1]?.peak ?? 0) > 0],
    ['the microphone was heard (input level > 0)', peak(readyAt, Date.now(), 'input') > 0],
    ['microphone frames were sent, every one 640 bytes', traffic.upFrames > 0 && traffic.upOddSizes === 0],
    ['no error event; ended exactly once, reason "user"', errors.length === 0 && ended.join() === 'user'],
    ['a token was issued and never reached the DOM, events, console or URLs', tokens.tokens.length === 1 && !leaked],
    ['no page error or dialog', problems.length === 0],
    ['no WCAG 2 A/AA violation (axe-core, light and dark, before the session)', a11y.length === 0],
  ];

  console.log('\nConversation (default element)');
  console.log(`  ready ${((readyAt - clickedAt) / 1000).toFixed(2)} s after the click`);
  console.log(`  statuses: ${statuses.join(' → ')}`);
  const eventCounts = Object.entries(counts).map(([k, n]) => `${k} ×${n}`);
  console.log(`  events: ${eventCounts.join(', ')}; ended: ${ended.join()}`);
  console.log(
    `  frames up: ${traffic.upFrames} (${traffic.upOddSizes} not 640 bytes); frames down: ${traffic.downFrames}`,
  );
  spoken.forEach((s, i) =>
    console.log(
      `  agent utterance ${i + 1} (${i === 0 ? 'greeting' : 'echo'}): ${s.seconds.toFixed(2)} s, ` +
        `${s.afterReady.toFixed(2)} s after ready, peak output level ${s.peak.toFixed(2)}`,
    ),
  );
  for (const line of voiceLog) console.log(`  server: ${line}`);
  for (const problem of [...problems, ...a11y]) console.log(`  ${problem}`);
  for (const [what, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  console.log(`  screenshots: docs/demo.png, docs/demo-dark.png`);
  await context.close();
  return checks.every(([, ok]) => ok);
}

const summarize = (e: FaultOutcome) =>
  [
    `status ${e.status}`,
    e.code && `error ${e.code}`,
    e.reason && `ended ${e.reason}`,
    ...(e.events ?? []).map((x) => `${x.type.replace('voice-agent-', '')} event`),
    e.noSocket && 'no socket',
    e.warns && 'console warnings',
    e.holds && `${e.holds.status} ~${e.holds.seconds} s`,
  ]
    .filter(Boolean)
    .join(', ');

interface FaultResult {
  fault: string;
  expected: string;
  observed: string;
  mismatches: string[];
}

/** Picks the fault in the page's own <select>, runs one session on the default element and compares. */
async function checkFault(browser: Browser, url: string, fault: FaultInfo): Promise<FaultResult> {
  const want = fault.outcome;
  const events = want.events ?? [];
  const { context, page, traffic, problems } = await openDemo(browser, url);
  const mismatches: string[] = [];
  try {
    await page.selectOption('#fault', fault.name);
    const tokenUrl = await defaultAgent(page).evaluate((el) => (el as VoiceAgent).tokenUrl);
    if (tokenUrl !== `/api/voice-token?fault=${fault.name}`) mismatches.push(`token-url is ${tokenUrl}`);

    let warnings = 0; // from the click on: Lit's dev-mode notice at load is not the element's
    page.on('console', (msg) => void (msg.type() === 'warning' && warnings++));
    const clickedAt = Date.now();
    await defaultAgent(page).getByRole('button', { name: 'Talk to the agent' }).click();
    const has = (type: string, test: (d: Record<string, unknown> | null) => boolean = () => true) =>
      recorded(page).then((r) =>
        r.events.some((e) => e.source === 'default-agent' && e.type === type && test(e.detail)),
      );
    if (want.status === 'ready') {
      await waitForStatus(page, 'ready').catch(() => {});
      if (want.code) await eventually(() => has('voice-agent-error', (d) => d?.code === want.code), 10_000);
      for (const { type } of events) await eventually(() => has(type), 10_000);
      // Past the server's fault delay (3 s), so a session that should go on is seen going on.
      await sleep(want.code || events.length ? 1000 : 4000);
    } else {
      await waitForStatus(page, want.status).catch(() => {});
      await sleep(500); // room for any event that should not come
    }
    const status = await agentStatus(page);
    const live = status === 'connecting' || status === 'connected' || status === 'ready';
    if (live) {
      await defaultAgent(page).getByRole('button', { name: 'End conversation' }).click();
      await waitForStatus(page, 'idle').catch(() => {});
    }

    const rec = await recorded(page);
    const mine = rec.events.filter((e) => e.source === 'default-agent');
    const of = (type: string) => mine.filter((e) => e.type === type);
    const codes = of('voice-agent-error').map((e) => String(e.detail?.code));
    const reasons = of('voice-agent-ended').map((e) => String(e.detail?.reason));
    const statusEvents = of('voice-agent-status');
    const readyAt = statusEvents.find((e) => e.detail?.status === 'ready')?.at;
    // How long the documented status was held: from its event to the next status event.
    const heldFrom = statusEvents.findIndex((e) => e.detail?.status === want.holds?.status);
    const held =
      heldFrom >= 0 ? ((statusEvents[heldFrom + 1]?.at ?? Date.now()) - statusEvents[heldFrom].at) / 1000 : 0;
    const injected = await page.evaluate(() =>
      [...document.querySelectorAll('voice-agent')].some((el) => el.shadowRoot?.querySelector('img, script, iframe')),
    );

    if (status !== want.status) mismatches.push(`status ${status}`);
    if (codes.join() !== (want.code ?? '')) mismatches.push(`errors [${codes.join(', ')}]`);
    if (want.reason && reasons[0] !== want.reason) mismatches.push(`ended [${reasons.join(', ')}]`);
    // Whatever ended it (the fault, or our stop), a session that began ends exactly once.
    if (reasons.length !== 1) mismatches.push(`${reasons.length} ended events`);
    for (const { type, count } of events) {
      const n = of(type).length;
      if (count === undefined ? n === 0 : n !== count) mismatches.push(`${n} ${type} events`);
    }
    if (want.noSocket && traffic.sockets > 0) mismatches.push('a socket was opened');
    if (want.warns && warnings === 0) mismatches.push('no console warning');
    // Half the documented time is a bound no loaded machine misses, and still tells slow from instant.
    if (want.holds && held < want.holds.seconds / 2)
      mismatches.push(`${want.holds.status} for only ${held.toFixed(1)} s`);
    if (want.status === 'ready' && traffic.downFrames === 0) mismatches.push('no agent audio');
    if (injected) mismatches.push('server text was rendered as HTML');
    mismatches.push(...problems);

    const observed = [
      `status ${status}`,
      codes.length ? `error ${codes.join('+')}` : 'no error',
      warnings ? `${warnings} warnings` : '',
      reasons.length ? `ended ${reasons.join('+')}` : '',
      want.holds ? `${want.holds.status} ${held.toFixed(1)} s` : '',
      readyAt ? `ready after ${((readyAt - clickedAt) / 1000).toFixed(1)} s` : '',
      traffic.downFrames ? `${traffic.downFrames} frames down` : '',
    ];
    return { fault: fault.name, expected: summarize(want), observed: observed.filter(Boolean).join(', '), mismatches };
  } catch (err) {
    mismatches.push(`check failed: ${(err as Error).message.split('\n')[0]}`);
    return { fault: fault.name, expected: summarize(want), observed: '—', mismatches };
  } finally {
    await context.close();
  }
}

function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

/** Runs `task` over `items`, at most `limit` at a time, keeping the order of `items` in the result. */
async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = Array.from({ length: items.length });
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function printTable(rows: readonly string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows)
    console.log(
      '  ' +
        row
          .map((cell, c) => cell.padEnd(widths[c]))
          .join('  ')
          .trimEnd(),
    );
}

const started = Date.now();
const wav = writeSpeechWav();
const voiceLog: string[] = [];
const server = await startServer(voiceLog);
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  headless: true,
  args: chromiumFlags(wav),
});

let ok = false;
try {
  console.log(`Demo served at ${server.url}; fake microphone ${wav.slice(root.length)}`);
  const conversationOk = await checkConversation(browser, server.url, voiceLog).catch((err: Error) => {
    console.log(`\nConversation check failed: ${err.message.split('\n')[0]}`);
    return false;
  });

  const faults = (await (await fetch(new URL('/api/faults', server.url))).json()) as FaultInfo[];
  const results = await mapLimit(faults, FAULT_CONCURRENCY, (fault) => checkFault(browser, server.url, fault));
  console.log(`\nFaults (${faults.length}, from GET /api/faults, ${FAULT_CONCURRENCY} at a time)`);
  printTable([
    ['fault', 'expected (from the catalogue)', 'observed', 'result'],
    ...results.map((r) => [
      r.fault,
      r.expected,
      r.observed,
      r.mismatches.length ? `MISMATCH: ${r.mismatches.join('; ')}` : 'ok',
    ]),
  ]);
  const failed = results.filter((r) => r.mismatches.length).length;
  ok = conversationOk && failed === 0;
  console.log(
    `\n${ok ? 'PASS' : 'FAIL'}: conversation ${conversationOk ? 'ok' : 'failed'}, ` +
      `${faults.length - failed}/${faults.length} faults as documented, in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
} finally {
  await browser.close();
  await server.close();
}
process.exit(ok ? 0 : 1);
