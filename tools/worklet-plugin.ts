// Turns `import code from './x.worklet.ts?worklet'` into the worklet's bundled, minified source as a
// string, so `audioWorklet.addModule()` can load it from a Blob URL and the widget stays one script.
// One helper serves Vite (build and dev server) and web-test-runner, which knows no `?` suffixes.
import { build } from 'esbuild';
import { minify, type Plugin } from 'vite';

const SUFFIX = '?worklet';

/**
 * Members of the DSP classes and their option objects, shortened in the bundle: nothing outside the
 * worklet sees them. Port message keys (messages.ts: `muted`, `level`, `frame`, `underruns`...),
 * `processorOptions` keys, the AudioWorklet API (`process`, `port`, `sampleRate`) and built-in method names
 * (`push`, `add`, `reset`: every access of a listed name is renamed, an Array's too) must never be listed.
 */
const INTERNAL_MEMBERS =
  /^(frameSamples|decayMs|inRate|outRate|tapsPerPhase|delaySamples|outputLength|processInto|beta|gain|arrivals|jitterMs|period|silent|maxPeriod|head|out|analyse|shorten|lengthen|pull|interrupt|queuedSamples|playedSamples|stats|droppedSamples|insertedSilenceSamples|concealedSamples|stretchedSamples|shortenedSamples|targetSamples|playing|maxMs|fadeMs|adaptive)$/;

/** Bundles one worklet entry (and the pure DSP modules it imports) into a single ES2022 string. */
export async function bundleWorklet(file: string): Promise<string> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    mangleProps: INTERNAL_MEMBERS,
    target: 'es2022',
    logLevel: 'silent',
  });
  // A second pass by oxc (Vite's minifier): -172 B gzip on the widget for 86 B raw, as the worklet's short
  // names then follow the scheme of the rest of the bundle's, which gzip matches across the two. The media
  // group passes with it in all three engines; WebKit's timing checks fail now and then under load (a
  // 959 ms feed stall once), as the lifecycle test's buffering check does on main.
  return (await minify(file, result.outputFiles[0].text, { module: true })).code;
}

const toModule = (code: string) => `export default ${JSON.stringify(code)};`;

/**
 * Vite / Rollup plugin. Each entry of `emit` (output file name → source path) is bundled the same way
 * and emitted as a file of its own, for sites whose Content-Security-Policy forbids the Blob URL the
 * inlined copies use.
 */
export function viteWorklet({ emit = {} }: { emit?: Record<string, string> } = {}): Plugin {
  return {
    name: 'voice-agent:worklet',
    enforce: 'pre',
    async load(id) {
      if (!id.endsWith(SUFFIX)) return null;
      const file = id.slice(0, -SUFFIX.length);
      this.addWatchFile(file);
      return { code: toModule(await bundleWorklet(file)), moduleSideEffects: false };
    },
    async generateBundle() {
      for (const [fileName, source] of Object.entries(emit)) {
        this.emitFile({ type: 'asset', fileName, source: await bundleWorklet(source) });
      }
    },
  };
}

/** web-test-runner / web-dev-server plugin. */
export function wtrWorklet({ rootDir }: { rootDir: string }) {
  return {
    name: 'voice-agent:worklet',
    async serve(context: { querystring: string; path: string }) {
      if (context.querystring !== 'worklet') return undefined;
      const file = new URL(`.${context.path}`, `file://${rootDir}/`).pathname;
      return { body: toModule(await bundleWorklet(file)), type: 'js' };
    },
  };
}
