import type { VoiceAgentEventName } from '../src/events.js';

// A record, not an array, so the compiler fails here if an event is added to or dropped from src/events.ts.
const EVENTS: Record<VoiceAgentEventName, true> = {
  'voice-agent-status': true,
  'voice-agent-connected': true,
  'voice-agent-ready': true,
  'voice-agent-ended': true,
  'voice-agent-error': true,
  'voice-agent-message': true,
};

/** Every event `<voice-agent>` fires. */
export const EVENT_NAMES = Object.keys(EVENTS) as VoiceAgentEventName[];

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
