import { VoiceAgent } from './voice-agent.js';

export { VoiceAgent, type VoiceAgentLayout, type VoiceAgentMode, type VoiceAgentPosition } from './voice-agent.js';
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
export {
  DEFAULT_LABELS,
  type ErrorMessageKey,
  type VoiceAgentLabels,
  type VoiceAgentLabelOverrides,
} from './labels.js';

// Guarded, so a page that loads the script twice does not throw, and a server that renders the page
// (where there is no `customElements`) can import the module.
if (typeof customElements !== 'undefined' && !customElements.get('voice-agent')) {
  customElements.define('voice-agent', VoiceAgent);
}
