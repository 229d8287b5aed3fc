import type { Plugin } from 'vite';
export function bundleWorklet(file: string): Promise<string>;
export function viteWorklet(): Plugin;
export function wtrWorklet(options: { rootDir: string }): { name: string; serve(context: unknown): Promise<unknown> };
