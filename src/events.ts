import type { VoiceAgentErrorCode } from './errors.js';

/** The element's status, reflected as the `status` attribute. */
export type VoiceAgentStatus = 'idle' | 'connecting' | 'connected' | 'ready' | 'ended' | 'error';

/** Why a session ended: the server's `session_ended` reason, or one of ours. */
export type VoiceAgentEndReason =
  'agent_disconnected' | 'session_closed' | 'server_shutdown' | 'user' | 'connection_lost' | 'error' | (string & {});

export interface VoiceAgentErrorDetail {
  code: VoiceAgentErrorCode;
  message: string;
  /** For `server_error`: the server's own `code`. */
  serverCode?: string;
  /** For `token_request_failed`: the HTTP status, when there was one. */
  httpStatus?: number;
  /** For `connection_lost`: the WebSocket close code and reason. */
  closeCode?: number;
  closeReason?: string;
}

/** `detail` of each event the element fires. */
export interface VoiceAgentEventDetails {
  'voice-agent-status': { status: VoiceAgentStatus };
  'voice-agent-connected': undefined;
  'voice-agent-ready': undefined;
  'voice-agent-ended': { reason: VoiceAgentEndReason };
  'voice-agent-error': VoiceAgentErrorDetail;
  'voice-agent-message': { message: Record<string, unknown> & { type: string } };
}

export type VoiceAgentEventName = keyof VoiceAgentEventDetails;

// A record, not an array, so the compiler fails here if an event is added to or dropped from the map.
const EVENTS: Record<VoiceAgentEventName, true> = {
  'voice-agent-status': true,
  'voice-agent-connected': true,
  'voice-agent-ready': true,
  'voice-agent-ended': true,
  'voice-agent-error': true,
  'voice-agent-message': true,
};

/** Every event `<voice-agent>` fires (for logging all of them, as the demo does). */
export const VOICE_AGENT_EVENTS = Object.keys(EVENTS) as readonly VoiceAgentEventName[];

/** Typed `CustomEvent`s, so `el.addEventListener('voice-agent-error', e => e.detail.code)` type-checks. */
export type VoiceAgentEventMap = {
  [K in VoiceAgentEventName]: CustomEvent<VoiceAgentEventDetails[K]>;
};

/** Creates one of the element's events: bubbling and composed, so a page hears it through the shadow root. */
export function voiceAgentEvent<K extends VoiceAgentEventName>(
  name: K,
  ...detail: VoiceAgentEventDetails[K] extends undefined ? [] : [VoiceAgentEventDetails[K]]
): VoiceAgentEventMap[K] {
  return new CustomEvent(name, { bubbles: true, composed: true, detail: detail[0] }) as VoiceAgentEventMap[K];
}

declare global {
  interface GlobalEventHandlersEventMap extends VoiceAgentEventMap {}
}
