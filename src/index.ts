import { VoiceAgent } from './voice-agent.js';

export { VoiceAgent } from './voice-agent.js';
export { VoiceAgentError, type VoiceAgentErrorCode } from './errors.js';
export type {
  VoiceAgentStatus,
  VoiceAgentEndReason,
  VoiceAgentErrorDetail,
  VoiceAgentEventDetails,
  VoiceAgentEventMap,
  VoiceAgentStats,
} from './events.js';
export type { VoiceSessionOptions } from './session/voice-session.js';
export { DEFAULT_LABELS, type VoiceAgentLabels, type VoiceAgentLabelOverrides } from './labels.js';

// Guarded, so a page that loads the script twice does not throw.
if (!customElements.get('voice-agent')) customElements.define('voice-agent', VoiceAgent);
