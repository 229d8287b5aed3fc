import minifyHtmlLiterals from '@lit-labs/rollup-plugin-minify-html-literals';
import { defineConfig } from 'vite';
import { viteWorklet } from './tools/worklet-plugin.js';

// Two library builds into dist/: `vite build` gives `voice-agent.js`, the classic IIFE for <script src>,
// with Lit and the worklets inside; `vite build --mode esm` gives `voice-agent.mjs` for bundlers, with
// the worklets inside and `lit` left as an import. A bundler then shares one Lit with the site's other
// elements, and Node resolves Lit's server build, so a server that renders the page can import it.
export default defineConfig(({ mode }) => {
  const esm = mode === 'esm';
  return {
    plugins: [
      // The worklet processors and the socket core, as one file for worklet-url (see standalone.worklet.ts).
      viteWorklet({ emit: esm ? {} : { 'voice-agent.worklet.js': 'src/audio/worklets/standalone.worklet.ts' } }),
      // Lit's html`` and css`` templates keep their source indentation otherwise: a fifth of the script.
      { ...minifyHtmlLiterals({ include: ['src/**/*.ts'], failOnError: true }), enforce: 'pre' },
    ],
    build: {
      target: 'es2022',
      emptyOutDir: !esm,
      lib: {
        entry: 'src/index.ts',
        name: 'VoiceAgent',
        formats: [esm ? 'es' : 'iife'],
        fileName: () => (esm ? 'voice-agent.mjs' : 'voice-agent.js'),
      },
      rolldownOptions: { external: esm ? [/^lit($|\/)/] : [] },
      sourcemap: true,
      reportCompressedSize: false,
    },
  };
});
