// `npm run bench [-- size capture playback e2e echo stall]`: runs the chosen parts (all by default), prints one
// markdown report and writes the figures as JSON. Timings are printed, never judged; the exit code is
// non-zero only when a size or quality budget is broken.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH } from '../tools/chromium.js';
import { capturePart } from './capture.js';
import { e2ePart } from './e2e.js';
import { echoPart } from './echo.js';
import { playbackPart } from './playback.js';
import { renderSection, type Section } from './report.js';
import { ROOT, sizePart } from './size.js';
import { stallPart } from './stall.js';

const PARTS: Record<string, () => Promise<Section>> = {
  size: sizePart,
  capture: capturePart,
  playback: playbackPart,
  e2e: e2ePart,
  echo: echoPart,
  stall: stallPart,
};

/** Debian's launcher script prints a harmless shell warning first; keep the version line only. */
function chromiumVersion(): string {
  try {
    const out = execFileSync(CHROMIUM_PATH, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return (
      out
        .split('\n')
        .find((l) => /\d+\.\d+\./.test(l) && !l.includes('unexpected operator'))
        ?.trim() ?? 'unknown'
    );
  } catch {
    return 'not found';
  }
}

const requested = process.argv.slice(2);
const unknown = requested.filter((p) => !(p in PARTS));
if (unknown.length) {
  console.error(`unknown part(s): ${unknown.join(', ')}; choose from ${Object.keys(PARTS).join(', ')}`);
  process.exit(2);
}
const names = requested.length ? requested : Object.keys(PARTS);

const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores)`,
  chromium: chromiumVersion(),
  parts: names,
};

const sections: Record<string, Section> = {};
for (const name of names) {
  const started = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  try {
    sections[name] = await PARTS[name]();
  } catch (err) {
    // A part that cannot run cannot vouch for its budgets: report it as broken, run the rest.
    console.error(err);
    const message = `the ${name} part could not run: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    sections[name] = { title: name, header: ['error'], rows: [[message]], notes: [], failures: [message], data: null };
  }
  process.stderr.write(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

console.log(`## Benchmarks\n`);
console.log(`${meta.date.slice(0, 10)} · Node ${meta.node} · ${meta.cpu} · ${meta.chromium}\n`);
for (const s of Object.values(sections)) console.log(`${renderSection(s)}\n`);

const failures = Object.values(sections).flatMap((s) => s.failures);
const results = {
  ...meta,
  ...Object.fromEntries(Object.entries(sections).map(([k, s]) => [k, { data: s.data, failures: s.failures }])),
};
// Only a full run replaces the committed results; a partial one is kept aside (ignored by git).
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, requested.length ? 'partial.json.tmp' : 'latest.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`bench: figures written to ${file}\n`);

if (failures.length) {
  console.error(`\nbench: ${failures.length} budget(s) broken:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
