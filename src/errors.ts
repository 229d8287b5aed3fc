import { ERROR_MESSAGES, formatMessage, type ErrorMessageKey } from './labels.js';

/** Stable error codes carried by `voice-agent-error` (see README, "Errors"). */
export type VoiceAgentErrorCode =
  | 'token_request_failed'
  | 'token_invalid'
  | 'socket_failed'
  | 'connection_lost'
  | 'server_error'
  | 'microphone_denied'
  | 'microphone_not_found'
  | 'microphone_unavailable'
  | 'audio_failed';

/**
 * A failure with a stable `code`. Its message is the English text of its key in `ERROR_MESSAGES` (never
 * the token), with `fields` filled in and a technical `cause` appended when there is one.
 */
export class VoiceAgentError extends Error {
  override name = 'VoiceAgentError';
  readonly code: VoiceAgentErrorCode;

  constructor(
    /** Which message: the code, or `code/variant`. */
    readonly key: ErrorMessageKey,
    /** Values for the message's `{placeholders}`, also copied into the event detail (`httpStatus`, `closeCode`...). */
    readonly fields: Readonly<Record<string, string | number>> = {},
    cause?: string,
  ) {
    super(formatMessage(ERROR_MESSAGES[key], fields) + (cause ? `: ${cause}` : ''));
    this.code = key.split('/')[0] as VoiceAgentErrorCode;
  }
}

/** `err` itself when it is already a `VoiceAgentError`, else one with message `key` and `err`'s message as cause. */
export function toVoiceAgentError(err: unknown, key: ErrorMessageKey): VoiceAgentError {
  if (err instanceof VoiceAgentError) return err;
  return new VoiceAgentError(key, {}, err instanceof Error ? err.message : String(err));
}
