import { VoiceAgentError } from '../errors.js';

/** What `getUserMedia` gets unless the caller's constraints say otherwise. */
export const DEFAULT_AUDIO_CONSTRAINTS: Readonly<MediaTrackConstraints> = {
  channelCount: 1,
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

/** Maps a `getUserMedia` rejection to the error the user sees. */
export function microphoneError(err: unknown): VoiceAgentError {
  const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new VoiceAgentError('microphone_denied');
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new VoiceAgentError('microphone_not_found');
    default:
      return new VoiceAgentError('microphone_unavailable');
  }
}

/** Asks for the microphone with `constraints` merged over the defaults; rejects with a `VoiceAgentError`. */
export async function openMicrophone(constraints: MediaTrackConstraints): Promise<MediaStream> {
  // mediaDevices is undefined outside secure contexts (http: other than localhost).
  if (!navigator.mediaDevices?.getUserMedia) throw new VoiceAgentError('microphone_unavailable/insecure');
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: { ...DEFAULT_AUDIO_CONSTRAINTS, ...constraints } });
  } catch (err) {
    throw microphoneError(err);
  }
}
