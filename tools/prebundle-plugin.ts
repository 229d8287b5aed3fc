// React ships only CommonJS, and Vue's browser-ready builds need their flags defined: the test runner
// serves neither as it is. This web-test-runner plugin bundles each such package into one ES module
// with esbuild, on first request, and points the bare imports at it, so tests import them as a site does.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

/** Per bundle: the bare specifiers it answers, and what they resolve to when that differs. */
export type Prebundles = Record<string, { specifiers: string[]; alias?: Record<string, string> }>;

const PREFIX = '/__prebundled/';

export function prebundlePlugin(bundles: Prebundles, rootDir: string) {
  const built = new Map<string, Promise<string>>();

  /** One module re-exporting every named export of every specifier (names read from the CommonJS build). */
  const bundle = async (name: string): Promise<string> => {
    const { specifiers, alias = {} } = bundles[name];
    // The export names, from a child Node process: loading React here would write to the runner's console.
    const list = `console.log(JSON.stringify(${JSON.stringify(specifiers)}.flatMap((s) => Object.keys(require(s)))))`;
    const keys = JSON.parse(
      execFileSync(process.execPath, ['-e', list], { cwd: rootDir, encoding: 'utf8' }),
    ) as string[];
    const names = new Set(keys.filter((key) => /^[A-Za-z_$][\w$]*$/.test(key)));
    const lines = specifiers.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};`);
    const merged = specifiers.map((_, i) => `...m${i}`).join(', ');
    const result = await build({
      stdin: {
        contents: `${lines.join('\n')}\nexport const { ${[...names].join(', ')} } = { ${merged} };`,
        resolveDir: rootDir,
      },
      bundle: true,
      write: false,
      format: 'esm',
      alias,
      logLevel: 'silent',
      define: {
        'process.env.NODE_ENV': '"development"',
        __VUE_OPTIONS_API__: 'true',
        __VUE_PROD_DEVTOOLS__: 'false',
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
      },
    });
    return result.outputFiles[0].text;
  };

  return {
    name: 'prebundle',
    resolveImport({ source }: { source: string }) {
      const name = Object.keys(bundles).find((n) => bundles[n].specifiers.includes(source));
      return name ? `${PREFIX}${name}.js` : undefined;
    },
    serve(context: { path: string }) {
      if (!context.path.startsWith(PREFIX)) return undefined;
      const name = context.path.slice(PREFIX.length, -'.js'.length);
      if (!bundles[name]) return undefined;
      if (!built.has(name)) built.set(name, bundle(name));
      return built.get(name)!.then((body) => ({ body, type: 'js' }));
    },
  };
}
