import { ERROR_MESSAGES } from '../labels.js';

/** A server → client text frame, parsed (see the README's protocol section). */
export type ServerMessage =
  | { type: 'connected' }
  | { type: 'agent_ready' }
  | { type: 'session_ended'; reason: string }
  | { type: 'error'; code: string; message: string }
  /** A type this version does not know, passed on whole for `voice-agent-message`. */
  | { type: 'unknown'; message: Record<string, unknown> & { type: string } };

/** `session_ended` without a usable `reason`: the server closed it, whatever it meant. */
export const DEFAULT_END_REASON = 'session_closed';

/**
 * Parses a server text frame. Returns null for a frame that is not a JSON object with a string
 * `type` (the caller warns and ignores it). Missing or non-string fields of known types get
 * defaults rather than failing: the message still means what its type says.
 */
export function parseServerMessage(data: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const message = value as Record<string, unknown>;
  const type = message.type;
  if (typeof type !== 'string') return null;
  switch (type) {
    case 'connected':
    case 'agent_ready':
      return { type };
    case 'session_ended':
      return { type, reason: nonEmptyString(message.reason) ?? DEFAULT_END_REASON };
    case 'error':
      return {
        type,
        code: nonEmptyString(message.code) ?? 'unknown',
        message: nonEmptyString(message.message) ?? ERROR_MESSAGES.server_error,
      };
    default:
      return { type: 'unknown', message: { ...message, type } };
  }
}

/** The client's first frame on an open socket: the session token and nothing else. */
export function tokenMessage(token: string): string {
  return JSON.stringify({ token });
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
