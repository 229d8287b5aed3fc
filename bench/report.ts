// What each bench part hands back to bench/run.ts: a markdown table for people, the raw figures for
// bench/results/latest.json, and the budgets it broke (the only thing that makes `npm run bench` fail).

/** One part of the bench, measured. */
export interface Section {
  /** Heading printed above the table. */
  title: string;
  /** Table header cells. */
  header: string[];
  /** Table rows, already formatted. */
  rows: string[][];
  /** Lines printed under the table: how a figure was obtained, caveats. */
  notes: string[];
  /** Broken budgets, one sentence each; empty when the part passes. */
  failures: string[];
  /** The raw figures, written to the JSON results. */
  data: unknown;
}

/** Renders a section as a markdown heading, table and notes. */
export function renderSection(s: Section): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `### ${s.title}`,
    '',
    line(s.header),
    line(s.header.map(() => '---')),
    ...s.rows.map(line),
    '',
    ...s.notes.map((n) => `- ${n}`),
    ...s.failures.map((f) => `- **FAIL**: ${f}`),
  ].join('\n');
}

/** The middle of `values` (the upper middle for an even count), without reordering them; undefined for none. */
export const median = (values: number[]): number | undefined => [...values].sort((a, b) => a - b)[values.length >> 1];

/** Bytes as KB with two decimals (1 KB = 1024 bytes). */
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(2)} KB`;

/** A number with a fixed count of decimals ("-0.0" printed as "0.0"). */
export const fixed = (value: number, digits = 1): string => value.toFixed(digits).replace(/^-(0\.?0*)$/, '$1');
