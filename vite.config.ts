import { defineConfig } from 'vite';
import { viteWorklet } from './tools/worklet-plugin.mjs';

// One library build, two outputs: `voice-agent.js` (classic IIFE for <script src>) and
// `voice-agent.mjs` (ES module for bundlers). Lit and the worklets are bundled into both.
export default defineConfig({
  plugins: [viteWorklet({ emit: { 'voice-agent.worklet.js': 'src/audio/processors.worklet.ts' } })],
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
