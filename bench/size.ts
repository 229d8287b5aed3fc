// Part 1: what a site downloads. Builds the widget with the project's own Vite config, measures the
// IIFE raw / gzip -9 / brotli, builds lit-html with one template the same way to show Lit's share, and
// breaks the minified bundle down per source module with an esbuild metafile.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build as esbuild, transform, type Metafile, type Plugin as EsbuildPlugin } from 'esbuild';
import { build as viteBuild, type Plugin as VitePlugin } from 'vite';
import { bundleWorklet } from '../tools/worklet-plugin.js';
import { kb, type Section } from './report.js';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The whole widget, gzip -9, must stay under this, with everything in it (fails CI). */
const BUDGET_GZIP = 18 * 1024;

/** The feature each bundled module serves (first match wins), for the bytes-per-feature rows. */
const FEATURES: [RegExp, string][] = [
  [/node_modules\/(lit|@lit|lit-html|lit-element)\//, 'Lit runtime'],
  [/worklets\//, 'audio worklets: capture and playback DSP (inlined)'],
  [/src\/audio\//, 'audio engine: context, graph, microphone'],
  [/src\/session\//, 'session: token, socket, protocol'],
  [/src\/voice-agent\.styles\.ts/, 'look: inline bar, floating panel, meter, forced colours'],
  [/src\/voice-agent\.ts/, 'element: controls, layouts, push-to-talk, the meter canvas handed over'],
  [/src\/meter-painter\.ts/, 'meter painter (runs in the socket Worker)'],
  [/src\/element-base\.ts/, 'element base: reactive properties, updates (in place of ReactiveElement)'],
  [/src\/labels\.ts/, 'texts: labels and every error message'],
  [/src\//, 'events, errors, wire format, entry'],
];

/** Published sizes of other voice widgets, gzip, quoted rather than measured. */
const OTHERS: [string, number][] = [
  ['ElevenLabs embed (quoted)', 190 * 1024],
  ['Vapi widget (quoted)', 184 * 1024],
  ['LiveKit-based SDK (quoted)', 150 * 1024],
];

/** Minified bytes of one module (or group of modules) in a bundle. */
interface ModuleBytes {
  name: string;
  bytes: number;
}

/** Raw, gzip -9 and brotli (quality 11) byte counts of one file's text. */
interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

function sizesOf(code: string | Uint8Array): Sizes {
  const buf = Buffer.from(code);
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** A fresh temporary directory, removed when the process exits. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let built: Promise<string> | undefined;

/**
 * Builds the widget with vite.config.ts into a private temp directory (so the bench never empties
 * `dist/` under a test run) and returns the path of the IIFE, `voice-agent.js`. Built once per run.
 */
export function buildWidget(): Promise<string> {
  built ??= (async () => {
    const outDir = scratchDir('voice-agent-bench-');
    await viteBuild({
      root: ROOT,
      configFile: join(ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
    return join(outDir, 'voice-agent.js');
  })();
  return built;
}

// The smallest useful lit-html program: the part of Lit the widget carries (its element base is its
// own, src/element-base.ts), built like the widget.
const LIT_ONLY_ENTRY = 'virtual:bench-lit-only';
const LIT_ONLY_ID = `\0${LIT_ONLY_ENTRY}`;
const LIT_ONLY_SOURCE = `import { html, render } from 'lit/html.js';
render(html\`<button>hi</button>\`, document.body);`;

async function buildLitOnly(): Promise<string> {
  const virtualEntry: VitePlugin = {
    name: 'bench:lit-only',
    // Vite may hand the lib entry over as a path under the root.
    resolveId: (id) => (id.endsWith(LIT_ONLY_ENTRY) ? LIT_ONLY_ID : null),
    load: (id) => (id === LIT_ONLY_ID ? LIT_ONLY_SOURCE : null),
  };
  const out = await viteBuild({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    plugins: [virtualEntry],
    build: {
      write: false,
      target: 'es2022',
      lib: { entry: LIT_ONLY_ENTRY, name: 'LitOnly', formats: ['iife'], fileName: () => 'lit-only.js' },
    },
  });
  const outputs = Array.isArray(out) ? out : [out];
  for (const o of outputs) {
    if (!('output' in o)) continue;
    for (const chunk of o.output) if (chunk.type === 'chunk') return chunk.code;
  }
  throw new Error('lit-only build produced no chunk');
}

/** esbuild's side of tools/worklet-plugin.ts: the same bundled worklet string per `?worklet` import. */
const esbuildWorklet: EsbuildPlugin = {
  name: 'bench:worklet',
  setup(b) {
    b.onResolve({ filter: /\?worklet$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.slice(0, -'?worklet'.length)),
      namespace: 'worklet',
    }));
    b.onLoad({ filter: /.*/, namespace: 'worklet' }, async (args) => ({
      contents: `export default ${JSON.stringify(await bundleWorklet(args.path))};`,
      loader: 'js',
    }));
  },
};

/** Groups a metafile input path: Lit's packages by name, our files by path under src/. */
function moduleGroup(input: string): string {
  if (input.startsWith('worklet:')) return `${relative(ROOT, input.slice('worklet:'.length))} (worklet, inlined)`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (pkg) return `${pkg[1]} (dependency)`;
  return input;
}

/** Minified bytes per input of one esbuild metafile output, grouped. */
function tally(metafile: Metafile, group: (input: string) => string): ModuleBytes[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      totals.set(group(input), (totals.get(group(input)) ?? 0) + bytesInOutput);
    }
  }
  // Modules that only re-export (or were shaken out entirely) leave no bytes and no row.
  return [...totals]
    .map(([name, bytes]) => ({ name, bytes }))
    .filter((m) => m.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/** Minified bytes per module of src/index.ts as an IIFE, largest first; worklets with their own insides. */
async function breakdown(): Promise<(ModuleBytes & { inside?: ModuleBytes[] })[]> {
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    minify: true,
    metafile: true,
    logLevel: 'silent',
  } as const;
  const result = await esbuild({
    ...common,
    entryPoints: [join(ROOT, 'src/index.ts')],
    format: 'iife',
    target: 'es2022',
    plugins: [esbuildWorklet],
  });
  return Promise.all(
    tally(result.metafile, moduleGroup).map(async (m) => {
      const worklet = Object.keys(result.metafile.inputs).find(
        (i) => i.startsWith('worklet:') && moduleGroup(i) === m.name,
      );
      if (!worklet) return m;
      // The same options as tools/worklet-plugin.ts, with a metafile, to see what each worklet carries.
      const inner = await esbuild({
        ...common,
        entryPoints: [worklet.slice('worklet:'.length)],
        format: 'esm',
        target: 'es2022',
      });
      return { ...m, inside: tally(inner.metafile, moduleGroup) };
    }),
  );
}

/**
 * Gzip bytes per feature: the widget built with its own Vite config but unminified (so each module
 * keeps its `// path` marker), split at the markers, and for each feature the gzip size of the minified
 * whole minus that of the minified whole without the feature's modules: what the feature adds to the
 * download. The figures overlap a little (modules share gzip's dictionary), so they sum to less than the whole.
 */
async function featureBytes(): Promise<ModuleBytes[]> {
  // A (legal, so kept) comment at the start of every module marks where it lands in the unminified bundle.
  const mark: VitePlugin = {
    name: 'bench:mark-modules',
    enforce: 'post',
    transform: (code, id) => ({ code: `/*! @@module ${relative(ROOT, id)} */\n${code}`, map: null }),
  };
  const out = await viteBuild({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    plugins: [mark],
    // The config's own output.minify (property mangling) would win over `minify: false`.
    build: { write: false, minify: false, sourcemap: false, rolldownOptions: { output: { minify: false } } },
  });
  const chunk = (Array.isArray(out) ? out : [out]).flatMap((o) => ('output' in o ? o.output : []))[0];
  if (chunk?.type !== 'chunk') throw new Error('widget build produced no chunk');
  // The IIFE's closing line stays whatever is left out.
  const close = /\n[^\n]*\}\)\([^\n]*\);?\s*$/.exec(chunk.code)?.[0] ?? '';
  const segments = chunk.code.slice(0, chunk.code.length - close.length).split(/(?=\/\*! @@module )/);
  const feature = (segment: string) => {
    const path = /^\/\*! @@module (\S+) \*\//.exec(segment)?.[1] ?? '';
    return FEATURES.find(([re]) => re.test(path))?.[1];
  };
  const gzipOf = async (code: string) => {
    const min = await transform(code, { minify: true, legalComments: 'none', target: 'es2022', logLevel: 'silent' });
    return gzipSync(min.code, { level: 9 }).length;
  };
  const whole = await gzipOf(chunk.code);
  const names = [...new Set(segments.map(feature).filter((f) => f !== undefined))];
  const rows = await Promise.all(
    names.map(async (name) => ({
      name,
      bytes: whole - (await gzipOf(segments.filter((seg) => feature(seg) !== name).join('') + close)),
    })),
  );
  return rows.sort((a, b) => b.bytes - a.bytes);
}

/** Runs part 1. */
export async function sizePart(): Promise<Section> {
  const widget = sizesOf(readFileSync(await buildWidget()));
  const lit = sizesOf(await buildLitOnly());
  const modules = await breakdown();
  const features = await featureBytes();
  const moduleTotal = modules.reduce((sum, m) => sum + m.bytes, 0);

  const row = (name: string, s: Sizes) => [name, kb(s.raw), kb(s.gzip), kb(s.brotli)];
  const rows = [
    row('**voice-agent.js (whole widget)**', widget),
    row('lit-html + one template, same build', lit),
    [
      'our code on top of Lit (difference)',
      kb(widget.raw - lit.raw),
      kb(widget.gzip - lit.gzip),
      kb(widget.brotli - lit.brotli),
    ],
    ...OTHERS.map(([name, gzip]) => [name, '—', kb(gzip), '—']),
    ...features.map((f) => [`feature: ${f.name}`, '', `+${kb(f.bytes)}`, '']),
    ...modules.flatMap((m) => [
      [`module: ${m.name}`, `${kb(m.bytes)} min`, '', ''],
      ...(m.inside ?? []).map((i) => [`&nbsp;&nbsp;↳ ${i.name}`, `${kb(i.bytes)} min`, '', '']),
    ]),
  ];
  const failures =
    widget.gzip > BUDGET_GZIP ? [`voice-agent.js is ${kb(widget.gzip)} gzip, over the ${kb(BUDGET_GZIP)} budget`] : [];
  return {
    title: 'Size',
    header: ['what', 'raw', 'gzip -9', 'brotli'],
    rows,
    notes: [
      `Budget (fails CI): ≤ ${kb(BUDGET_GZIP)} gzip for the whole widget (Lit, both worklets and the socket ` +
        `Worker inside): ${widget.gzip > BUDGET_GZIP ? '**over**' : 'under'} by ${kb(Math.abs(BUDGET_GZIP - widget.gzip))}.`,
      `Feature rows: what each feature adds to the gzip download (the whole minified with and without its ` +
        `modules); they overlap through gzip's shared dictionary, so they sum to less than the whole.`,
      `Module rows: minified bytes per source module from an esbuild IIFE build of src/index.ts ` +
        `(${kb(moduleTotal)} in all; Vite's minifier gives ${kb(widget.raw)}), so they show shares, not exact bytes.`,
    ],
    failures,
    data: {
      widget,
      litOnly: lit,
      budgetGzip: BUDGET_GZIP,
      features,
      modules,
      quoted: Object.fromEntries(OTHERS),
    },
  };
}
