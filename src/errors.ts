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

/** A failure with a stable `code` and a message fit to show the user (never contains the token). */
export class VoiceAgentError extends Error {
  override name = 'VoiceAgentError';
  constructor(
    readonly code: VoiceAgentErrorCode,
    message: string,
    /** Extra, code-specific fields copied into the event detail (e.g. `serverCode`, `status`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** `err` itself when it is already a `VoiceAgentError`, else one with `code` and `context` plus its message. */
export function toVoiceAgentError(err: unknown, code: VoiceAgentErrorCode, context: string): VoiceAgentError {
  if (err instanceof VoiceAgentError) return err;
  const cause = err instanceof Error ? err.message : String(err);
  return new VoiceAgentError(code, cause ? `${context}: ${cause}` : context);
}
