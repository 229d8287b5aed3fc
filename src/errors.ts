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

/** Fields of an error that are copied into the `voice-agent-error` detail (the rest only fill its message). */
const DETAIL_FIELDS = ['serverCode', 'httpStatus', 'closeCode', 'closeReason'] as const;

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
    /** Values for the message's `{placeholders}`; those named in the event detail are copied there. */
    readonly fields: Readonly<Record<string, string | number>> = {},
    cause?: string,
  ) {
    super(formatMessage(ERROR_MESSAGES[key], fields) + (cause ? `: ${cause}` : ''));
    this.code = key.split('/')[0] as VoiceAgentErrorCode;
  }

  /** The detail-worthy fields (`httpStatus`, `closeCode`, ...), for the event. */
  get extra(): Record<string, string | number> {
    const extra: Record<string, string | number> = {};
    for (const name of DETAIL_FIELDS) if (name in this.fields) extra[name] = this.fields[name];
    return extra;
  }
}

/** `err` itself when it is already a `VoiceAgentError`, else one with message `key` and `err`'s message as cause. */
export function toVoiceAgentError(err: unknown, key: ErrorMessageKey): VoiceAgentError {
  if (err instanceof VoiceAgentError) return err;
  return new VoiceAgentError(key, {}, err instanceof Error ? err.message : String(err));
}
