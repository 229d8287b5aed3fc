/**
 * The faults the local server can inject, one per session, so the widget's failure paths can be seen
 * and tested without a real outage. The demo page picks one and asks for a token with `?fault=NAME`;
 * the catalogue is plain data (also served as JSON at `GET /api/faults`) so pickers and docs list it.
 */
import type { VoiceAgentErrorCode } from '../src/errors.js';
import type { VoiceAgentEndReason, VoiceAgentEventName, VoiceAgentStatus } from '../src/events.js';

/** Where a fault acts: the site backend's answer, the voice service's token API, or the live socket. */
export type FaultLayer = 'site-backend' | 'token-api' | 'socket';

/**
 * What the widget must end up doing for a fault, as data a check can compare against (the demo check
 * does); `expect` says the same to a person.
 */
export interface FaultOutcome {
  /** The element's status once the fault has played out (`ready`: the conversation goes on). */
  readonly status: VoiceAgentStatus;
  /** The one `voice-agent-error` code it fires, if any. */
  readonly code?: VoiceAgentErrorCode;
  /** The `voice-agent-ended` reason, when the fault itself ends the session. */
  readonly reason?: VoiceAgentEndReason;
  /** Other events it fires, with an exact count when one is documented. */
  readonly events?: readonly { readonly type: VoiceAgentEventName; readonly count?: number }[];
  /** No WebSocket may be opened. */
  readonly noSocket?: boolean;
  /** The element warns on the console about what it ignored. */
  readonly warns?: boolean;
  /** A status held at least about this long before the session goes on. */
  readonly holds?: { readonly status: VoiceAgentStatus; readonly seconds: number };
}

/** One injectable fault. */
export interface FaultInfo {
  /** The value of `?fault=` on `POST /api/voice-token`. */
  readonly name: string;
  /** Which part of the chain misbehaves. */
  readonly layer: FaultLayer;
  /** What the server does. */
  readonly description: string;
  /** What the widget should show for it, in words. */
  readonly expect: string;
  /** The same, as data. */
  readonly outcome: FaultOutcome;
}

/** Every fault, in the order a picker should list them. */
export const FAULTS = [
  {
    name: 'slow-token',
    layer: 'token-api',
    description: 'The token API answers after about 3 s.',
    expect: 'Status stays "connecting" for ~3 s, then the session starts normally.',
    outcome: { status: 'ready', holds: { status: 'connecting', seconds: 3 } },
  },
  {
    name: 'token-500',
    layer: 'site-backend',
    description: 'The site backend answers HTTP 500 without asking the voice service.',
    expect: 'Error token_request_failed (HTTP 500); status "error".',
    outcome: { status: 'error', code: 'token_request_failed' },
  },
  {
    name: 'token-bad-json',
    layer: 'site-backend',
    description: 'The site backend answers 200 with a body that is not JSON.',
    expect: 'Error token_invalid (not JSON); status "error".',
    outcome: { status: 'error', code: 'token_invalid' },
  },
  {
    name: 'token-no-token',
    layer: 'site-backend',
    description: 'The site backend answers 200 JSON with a ws_url but no token.',
    expect: 'Error token_invalid (missing token); status "error".',
    outcome: { status: 'error', code: 'token_invalid' },
  },
  {
    name: 'token-insecure-url',
    layer: 'site-backend',
    description: 'The site backend answers a ws_url with the http: scheme.',
    expect: 'Error token_invalid (insecure ws_url); no socket is opened; status "error".',
    outcome: { status: 'error', code: 'token_invalid', noSocket: true },
  },
  {
    name: 'refuse-socket',
    layer: 'token-api',
    description: 'The ws_url points at a path whose WebSocket upgrade is rejected (HTTP 403).',
    expect: 'Error socket_failed; status "error".',
    outcome: { status: 'error', code: 'socket_failed' },
  },
  {
    name: 'drop',
    layer: 'socket',
    description: 'The socket is destroyed ~3 s into the session, without session_ended.',
    expect: 'Error connection_lost (close code 1006); ended with reason "connection_lost".',
    outcome: { status: 'ended', code: 'connection_lost', reason: 'connection_lost' },
  },
  {
    name: 'slow-connected',
    layer: 'socket',
    description: 'The service accepts the token but says connected only after about 1 s.',
    expect: 'Status stays "connecting" for ~1 s; what the visitor said meanwhile reaches the agent first, in order.',
    outcome: { status: 'ready', holds: { status: 'connecting', seconds: 1 } },
  },
  {
    name: 'outage',
    layer: 'socket',
    description:
      'The socket is destroyed ~3 s into the session, then the token API answers HTTP 503 for this fault for 30 s.',
    expect:
      'Error connection_lost (close code 1006); ended with reason "connection_lost" (with reconnect: after every backoff attempt has failed).',
    outcome: { status: 'ended', code: 'connection_lost', reason: 'connection_lost' },
  },
  {
    name: 'server-error',
    layer: 'socket',
    description: 'An error message arrives mid-session (its text is HTML-shaped); the session goes on.',
    expect: 'Error server_error shown as plain text (no image, no alert); the conversation continues.',
    outcome: { status: 'ready', code: 'server_error' },
  },
  {
    name: 'malformed',
    layer: 'socket',
    description: 'Non-JSON text, JSON without type, an odd-length binary frame and an unknown "transcript" message.',
    expect: 'Console warnings and one voice-agent-message event; no error, the conversation continues.',
    outcome: { status: 'ready', events: [{ type: 'voice-agent-message', count: 1 }], warns: true },
  },
  {
    name: 'jitter',
    layer: 'socket',
    description: 'Agent audio frames arrive with ±50 ms jitter and in bursts.',
    expect: 'The agent still sounds smooth (the jitter buffer absorbs it).',
    outcome: { status: 'ready' },
  },
  {
    name: 'ended-agent_disconnected',
    layer: 'socket',
    description: 'session_ended with reason agent_disconnected after ~3 s.',
    expect: 'Status "ended", ended event with reason "agent_disconnected"; no error.',
    outcome: { status: 'ended', reason: 'agent_disconnected' },
  },
  {
    name: 'ended-session_closed',
    layer: 'socket',
    description: 'session_ended with reason session_closed after ~3 s.',
    expect: 'Status "ended", ended event with reason "session_closed"; no error.',
    outcome: { status: 'ended', reason: 'session_closed' },
  },
  {
    name: 'ended-server_shutdown',
    layer: 'socket',
    description: 'session_ended with reason server_shutdown after ~3 s.',
    expect: 'Status "ended", ended event with reason "server_shutdown"; no error.',
    outcome: { status: 'ended', reason: 'server_shutdown' },
  },
] as const satisfies readonly FaultInfo[];

/** The name of a known fault. */
export type FaultName = (typeof FAULTS)[number]['name'];

/** Whether `name` is a known fault. */
export function isFaultName(name: unknown): name is FaultName {
  return FAULTS.some((fault) => fault.name === name);
}

/** The session end reason a fault `ended-REASON` asks for, or undefined for other faults. */
export function endedReason(fault: FaultName | undefined): string | undefined {
  return fault?.startsWith('ended-') ? fault.slice('ended-'.length) : undefined;
}
