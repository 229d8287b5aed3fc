// Server-side rendering: a Next.js or Nuxt server imports the ES build while it renders the page, in
// Node, with no DOM. The import must not throw (the element is defined only where `customElements`
// exists, and nothing touches the DOM at module load). Run in a child process, so no test globals help.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

const ROOT = new URL('../../', import.meta.url);

function node(code: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
}

describe('dist/voice-agent.mjs in Node (server-side rendering)', () => {
  it('imports without a DOM and exports the element class', () => {
    const out = node(`
      const before = typeof HTMLElement;
      const m = await import('./dist/voice-agent.mjs');
      console.log(JSON.stringify({ before, ctor: typeof m.VoiceAgent, labels: typeof m.DEFAULT_LABELS.start }));
    `);
    assert.deepEqual(JSON.parse(out), { before: 'undefined', ctor: 'function', labels: 'string' });
  });

  it('leaves Lit to the bundler: the ES build imports `lit` rather than carrying a browser-only copy', () => {
    const out = node(`
      const { readFileSync } = await import('node:fs');
      console.log(/from\\s*"lit"/.test(readFileSync('./dist/voice-agent.mjs', 'utf8')));
    `);
    assert.equal(out.trim(), 'true');
  });
});
