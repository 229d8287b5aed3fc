import type { Plugin } from 'vite';
export function bundleWorklet(file: string): Promise<string>;
/** `emit`: output file name → worklet source path (its ending), e.g. `{ 'voice-agent.worklet.js': 'src/audio/processors.worklet.ts' }`. */
export function viteWorklet(options?: { emit?: Record<string, string> }): Plugin;
export function wtrWorklet(options: { rootDir: string }): { name: string; serve(context: unknown): Promise<unknown> };
