// Turns `import code from './x.worklet.ts?worklet'` into the worklet's bundled, minified source as a
// string, so `audioWorklet.addModule()` can load it from a Blob URL and the widget stays one script.
// One helper serves Vite (build and dev server) and web-test-runner, which knows no `?` suffixes.
import { build } from 'esbuild';
import type { Plugin } from 'vite';

const SUFFIX = '?worklet';

/** Bundles one worklet entry (and the pure DSP modules it imports) into a single ES2022 string. */
export async function bundleWorklet(file: string): Promise<string> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    target: 'es2022',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
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
