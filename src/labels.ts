import type { VoiceAgentErrorCode } from './errors.js';
import type { VoiceAgentStatus } from './events.js';

/**
 * Every error message, in English, by key: an error code, or `code/variant` where one code has several
 * causes worth telling apart. `{name}` is filled from the error's fields (e.g. `{closeCode}`); these are
 * the only error texts in the widget, so `labels.errors` can translate all of them.
 */
export const ERROR_MESSAGES = {
  token_request_failed: 'The token request failed',
  'token_request_failed/http': 'The token endpoint answered HTTP {httpStatus}',
  'token_request_failed/timeout': 'The token request timed out after {timeoutMs} ms',
  'token_request_failed/cancelled': 'The token request was cancelled',
  'token_request_failed/fetch_token': 'fetchToken() failed',
  'token_request_failed/no_source': 'No token source: set the token-url attribute or the fetchToken property',
  token_invalid: 'The token response is invalid',
  'token_invalid/not_object': 'The token response is invalid: not a JSON object',
  'token_invalid/not_json': 'The token response is invalid: the body is not JSON',
  'token_invalid/token_missing': 'The token response is invalid: `token` is missing',
  'token_invalid/token_type': 'The token response is invalid: `token` is not a string',
  'token_invalid/token_empty': 'The token response is invalid: `token` is empty',
  'token_invalid/url_missing': 'The token response is invalid: `ws_url` is missing or not a string',
  'token_invalid/url_relative': 'The token response is invalid: `ws_url` is not an absolute URL',
  'token_invalid/url_insecure':
    'The token response is invalid: `ws_url` uses unencrypted ws: for the non-local host {host}; use wss:',
  'token_invalid/url_scheme': 'The token response is invalid: `ws_url` must be a wss: URL, not {protocol}',
  'token_invalid/url_fragment': 'The token response is invalid: `ws_url` must not contain a #fragment',
  socket_failed: 'Could not open the connection to the voice service',
  'socket_failed/timeout': 'The voice service did not answer within {seconds} s',
  'socket_failed/closed': 'Could not connect to the voice service (close code {closeCode})',
  connection_lost: 'The connection to the voice service was lost (close code {closeCode})',
  server_error: 'The voice service reported an error',
  microphone_denied: 'Microphone access was denied. Allow it in the browser’s site settings, then try again.',
  microphone_not_found: 'No microphone was found. Connect one, then try again.',
  microphone_unavailable: 'The microphone could not be started. Another application may be using it.',
  'microphone_unavailable/insecure': 'The microphone can only be used on a secure (https) page.',
  'microphone_unavailable/ended': 'The microphone stopped working (unplugged or in use by another app).',
  audio_failed: 'Audio could not be started in this browser',
  'audio_failed/blocked': 'The browser did not let audio start. Click to try again.',
  'audio_failed/engine': 'The audio engine failed',
  'audio_failed/speaker': 'The chosen speaker is not available; the agent plays on the current one',
} satisfies Record<VoiceAgentErrorCode, string> & Record<`${VoiceAgentErrorCode}/${string}`, string>;

/** A key of {@link ERROR_MESSAGES}: an error code, or `code/variant`. */
export type ErrorMessageKey = keyof typeof ERROR_MESSAGES;

/** Every text the element shows, so a site can translate or reword them through `labels`. */
export interface VoiceAgentLabels {
  /** The button while idle. */
  start: string;
  /** The button during a session. */
  stop: string;
  /** The mute toggle (its pressed state says whether the microphone is muted). */
  mute: string;
  /** The push-to-talk control, held to talk. */
  talk: string;
  /** The floating layout's launcher and the name of its panel. */
  assistant: string;
  /** The control that collapses the floating panel. */
  close: string;
  /** The status line, per status. */
  status: Record<VoiceAgentStatus, string>;
  /** The status line while the browser holds the audio suspended until the visitor taps or presses a key. */
  resume: string;
  /**
   * Error messages by code (or `code/variant`, see `ERROR_MESSAGES`), `{field}` filled from the error's
   * detail. The event detail keeps the built-in English message.
   */
  errors: Partial<Record<ErrorMessageKey, string>>;
}

/** What a site passes as `labels`: any subset, status texts included. */
export type VoiceAgentLabelOverrides = Partial<Omit<VoiceAgentLabels, 'status'>> & {
  status?: Partial<Record<VoiceAgentStatus, string>>;
};

export const DEFAULT_LABELS: VoiceAgentLabels = {
  start: 'Talk to the agent',
  stop: 'End conversation',
  mute: 'Mute',
  talk: 'Hold to talk',
  assistant: 'Voice assistant',
  close: 'Close',
  resume: 'Audio paused by the browser: tap to resume',
  status: {
    idle: 'Not connected',
    connecting: 'Connecting…',
    connected: 'Connected, waiting for the agent…',
    ready: 'Listening',
    reconnecting: 'Connection lost, reconnecting…',
    ended: 'Conversation ended',
    error: 'Something went wrong',
  },
  errors: ERROR_MESSAGES,
};

/** The defaults with a site's overrides on top (error texts: see {@link errorText}). */
export function mergeLabels(overrides: VoiceAgentLabelOverrides = {}): Omit<VoiceAgentLabels, 'errors'> {
  return { ...DEFAULT_LABELS, ...overrides, status: { ...DEFAULT_LABELS.status, ...overrides.status } };
}

/** Fills each `{name}` in `template` from `fields`; an unknown name stays as written. */
export function formatMessage(template: string, fields: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in fields ? String(fields[name]) : whole));
}

/**
 * The text shown for an error: the site's own message for its key, else for its code, else `fallback`
 * (the built-in message, already formatted, with any cause appended).
 */
export function errorText(
  overrides: VoiceAgentLabelOverrides['errors'],
  key: ErrorMessageKey,
  fields: Readonly<Record<string, unknown>>,
  fallback: string,
): string {
  const code = key.split('/')[0] as VoiceAgentErrorCode;
  const own = overrides?.[key] ?? overrides?.[code];
  return own === undefined ? fallback : formatMessage(own, fields);
}
