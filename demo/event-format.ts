/** `HH:MM:SS.mmm` in local time: enough to see how far apart events are. */
export function clockTime(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** An event's detail as one line, `key: value, …` with JSON values; events without a detail show a dash. */
export function formatDetail(detail: unknown): string {
  if (detail === undefined || detail === null) return '—';
  if (typeof detail !== 'object' || Array.isArray(detail)) return JSON.stringify(detail);
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join(', ');
}
