import minifyHtmlLiterals from '@lit-labs/rollup-plugin-minify-html-literals';
import { defineConfig } from 'vite';
import { viteWorklet } from './tools/worklet-plugin.js';

// Two library builds into dist/: `vite build` gives `voice-agent.js`, the classic IIFE for <script src>,
// with Lit and the worklets inside; `vite build --mode esm` gives `voice-agent.mjs` for bundlers, with
// the worklets inside and `lit` left as an import. A bundler then shares one Lit with the site's other
// elements, and Node resolves Lit's server build, so a server that renders the page can import it.
// Members that only our own modules use on each other (the session's per-run records, the engine's and
// transport's callbacks), shortened in the bundle: -150 B gzip. Never list a name of the public API
// (API.md: properties, event details, stats keys, `VoiceAgentError`'s fields), of a port message or wire
// message, of Lit, or of a DOM object; test/bundle.test.ts runs a whole session on the result.
const INTERNAL_MEMBERS =
  /^(openSettled|link|early|wasConnected|releasePage|opening|settle|timer|sent|received|drawMeter|attach|ready|onError|onSuspended|setMicrophone|setSpeaker|stats|errorKey|needsGesture|createAudio|attempts|firstDelayMs|maxDelayMs|windowMs|tokenTimeoutMs|connectTimeoutMs)$/;

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
      rolldownOptions: {
        external: esm ? [/^lit($|\/)/] : [],
        output: {
          generatedCode: { symbols: false },
          minify: { compress: true, mangle: true, mangleProps: { include: INTERNAL_MEMBERS } },
        },
      },
      sourcemap: true,
      reportCompressedSize: false,
    },
  };
});
