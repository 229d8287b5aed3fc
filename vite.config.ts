import minifyHtmlLiterals from '@lit-labs/rollup-plugin-minify-html-literals';
import { defineConfig } from 'vite';
import { viteWorklet } from './tools/worklet-plugin.js';

// One library build, two outputs: `voice-agent.js` (classic IIFE for <script src>) and
// `voice-agent.mjs` (ES module for bundlers). Lit and the worklets are bundled into both.
export default defineConfig({
  plugins: [
    viteWorklet({ emit: { 'voice-agent.worklet.js': 'src/audio/worklets/processors.worklet.ts' } }),
    // Lit's html`` and css`` templates keep their source indentation otherwise: a fifth of the script.
    { ...minifyHtmlLiterals({ include: ['src/**/*.ts'], failOnError: true }), enforce: 'pre' },
  ],
  build: {
    target: 'es2022',
    lib: {
      entry: 'src/index.ts',
      name: 'VoiceAgent',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'voice-agent.mjs' : 'voice-agent.js'),
    },
    sourcemap: true,
    reportCompressedSize: false,
  },
});
