import type { VoiceAgentErrorCode } from './errors.js';

/** The element's status, reflected as the `status` attribute. */
export type VoiceAgentStatus = 'idle' | 'connecting' | 'connected' | 'ready' | 'reconnecting' | 'ended' | 'error';

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

/** What `getStats()` returns: counters of the current session, or of the last one once it is over. */
export interface VoiceAgentStats {
  /** Microphone frames (640 bytes, 20 ms) handed to the socket, over every connection of the session. */
  framesSent: number;
  /** Microphone frames never sent: dropped while the socket's send buffer stayed full, or older than the 2 s kept while (re)connecting. */
  framesDropped: number;
  /** Binary frames of agent audio received. */
  framesReceived: number;
  /** Successful reconnections after a drop (`reconnect` attribute). */
  reconnects: number;
  /** Times agent playback ran dry mid-stream. */
  underruns: number;
  /** Agent audio queued for playback and not yet played, in ms. */
  bufferedMs: number;
  /** The AudioContext's sample rate, in Hz (0 before it exists); it may differ from device to device. */
  sampleRate: number;
  /** The context's reported output latency plus base latency, in ms (0 where the browser does not report it). */
  outputLatencyMs: number;
  /** The last measured turn: from the visitor going quiet to the agent's first sound, in ms (null until one). */
  turnLatencyMs: number | null;
  /** What the browser says it applies to the microphone (`track.getSettings()`), null when it does not say. */
  echoCancellation: boolean | null;
  /** Where the socket runs: `worker` (its own thread), `main` (where no Worker can start), null before any session. */
  transport: 'worker' | 'main' | null;
}

/** `detail` of each event the element fires. */
export interface VoiceAgentEventDetails {
  'voice-agent-status': { status: VoiceAgentStatus };
  'voice-agent-connected': undefined;
  'voice-agent-ready': undefined;
  'voice-agent-ended': { reason: VoiceAgentEndReason };
  'voice-agent-error': VoiceAgentErrorDetail;
  'voice-agent-message': { message: Record<string, unknown> & { type: string } };
  'voice-agent-reconnecting': { attempt: number; delayMs: number };
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
  'voice-agent-reconnecting': true,
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
