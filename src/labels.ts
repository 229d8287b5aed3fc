import type { VoiceAgentErrorCode } from './errors.js';
import type { VoiceAgentStatus } from './events.js';

/** Every text the element shows, so a site can translate or reword them through `labels`. */
export interface VoiceAgentLabels {
  /** The button while idle. */
  start: string;
  /** The button during a session. */
  stop: string;
  /** The mute toggle (its pressed state says whether the microphone is muted). */
  mute: string;
  /** The status line, per status. */
  status: Record<VoiceAgentStatus, string>;
  /** Shown instead of the built-in (English) message of an error code; the event detail keeps the original. */
  errors: Partial<Record<VoiceAgentErrorCode, string>>;
}

/** What a site passes as `labels`: any subset, status texts included. */
export type VoiceAgentLabelOverrides = Partial<Omit<VoiceAgentLabels, 'status'>> & {
  status?: Partial<Record<VoiceAgentStatus, string>>;
};

export const DEFAULT_LABELS: VoiceAgentLabels = {
  start: 'Talk to the agent',
  stop: 'End conversation',
  mute: 'Mute',
  status: {
    idle: 'Not connected',
    connecting: 'Connecting…',
    connected: 'Connected, waiting for the agent…',
    ready: 'Listening',
    ended: 'Conversation ended',
    error: 'Something went wrong',
  },
  errors: {},
};

/** The defaults with a site's overrides on top. */
export function mergeLabels(overrides: VoiceAgentLabelOverrides = {}): VoiceAgentLabels {
  return {
    ...DEFAULT_LABELS,
    ...overrides,
    status: { ...DEFAULT_LABELS.status, ...overrides.status },
    errors: { ...overrides.errors },
  };
}
