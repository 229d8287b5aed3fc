// The README's API tables against dist/custom-elements.json (made from the element's JSDoc by
// `npm run manifest`, which `npm test` runs first): every attribute, property, method, event, part
// and custom property is in both, with the same attribute ↔ property pairs and the same defaults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const ROOT = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', ROOT), 'utf8');

interface Named {
  name: string;
  fieldName?: string;
  default?: string;
  kind?: string;
  privacy?: string;
  static?: boolean;
}
interface Declaration {
  tagName?: string;
  attributes?: Named[];
  members?: Named[];
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}
const manifest = JSON.parse(readFileSync(new URL('dist/custom-elements.json', ROOT), 'utf8')) as {
  modules: { declarations?: Declaration[] }[];
};
const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'voice-agent')!;

/** The text of the README section under `heading`, up to the next heading of any level. */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has no "${heading}" section`);
  const rest = readme.slice(start + heading.length + 2);
  return rest.slice(0, rest.search(/\n#{2,4} /) >>> 0);
}

/** The body rows of the tables in `text` (not headers or separators), split into cells; `\|` is a pipe in a cell. */
function rows(text: string): string[][] {
  const lines = text.split('\n');
  const separator = (line = '') => /^\|\s*-/.test(line);
  return lines
    .filter((line, i) => line.startsWith('|') && !separator(line) && !separator(lines[i + 1]))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

/** The backticked names in a cell (`—` for none). */
const names = (cell: string) => [...cell.matchAll(/`([\w-]+)`/g)].map((m) => m[1]);
const sorted = (list: string[]) => [...new Set(list)].sort();

describe('README API tables match custom-elements.json', () => {
  it('attributes and properties', () => {
    const table = rows(section('### Attributes and properties'));
    // A read-only property's attribute (`status`) is a reflection the element writes, not an input.
    const pairs = table.flatMap(([attribute, property]) =>
      names(property).map((p) => `${property.includes('read-only') ? '—' : (names(attribute)[0] ?? '—')} ↔ ${p}`),
    );
    const members = (element.members ?? []).filter((m) => m.kind === 'field' && m.privacy !== 'private' && !m.static);
    const attributeOf = new Map((element.attributes ?? []).map((a) => [a.fieldName, a.name]));
    assert.deepEqual(sorted(pairs), sorted(members.map((m) => `${attributeOf.get(m.name) ?? '—'} ↔ ${m.name}`)));
  });

  it('methods', () => {
    const documented = [...section('### Methods').matchAll(/^- `(\w+)\(/gm)].map((m) => m[1]);
    const methods = (element.members ?? []).filter((m) => m.kind === 'method' && m.privacy !== 'private');
    assert.deepEqual(sorted(documented), sorted(methods.map((m) => m.name)));
  });

  it('events', () => {
    const documented = rows(section('### Events')).map(([event]) => names(event)[0]);
    assert.deepEqual(sorted(documented), sorted((element.events ?? []).map((e) => e.name)));
  });

  it('parts and custom properties, with their defaults', () => {
    const styling = rows(section('### Styling'));
    const parts = styling.filter(([name]) => !name.startsWith('`--')).map(([name]) => names(name)[0]);
    assert.deepEqual(sorted(parts), sorted((element.cssParts ?? []).map((p) => p.name)));
    const props = styling
      .filter(([name]) => name.startsWith('`--'))
      .map(([name, value]) => `${names(name)[0]} = ${value.replace(/^`|`$/g, '')}`);
    const declared = (element.cssProperties ?? []).map((p) => `${p.name} = ${p.default}`);
    assert.deepEqual(sorted(props), sorted(declared));
  });
});
