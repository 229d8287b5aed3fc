// The voice service's wire format, both ways, defined once: the widget's worklets and session and the
// local server (server/) all import it from here. Pure data: no DOM, no Node.

/** Sample rate of the audio on the socket, both ways, in Hz. */
export const WIRE_RATE = 16_000;
/** Samples per microphone frame: 20 ms. */
export const FRAME_SAMPLES = 320;
/** Bytes per sample: signed 16-bit PCM, little-endian, mono. */
export const BYTES_PER_SAMPLE = 2;
/** Bytes per microphone frame (640): the only binary frame size the client may send. */
export const FRAME_BYTES = FRAME_SAMPLES * BYTES_PER_SAMPLE;
/** Duration of one microphone frame, in ms. */
export const FRAME_MS = (FRAME_SAMPLES / WIRE_RATE) * 1000;
/** Bytes of audio per second on the wire (32 000). */
export const BYTES_PER_SECOND = WIRE_RATE * BYTES_PER_SAMPLE;
/** Byte order of the samples: typed-array views are little-endian on every platform browsers ship on. */
export const LITTLE_ENDIAN = true;

/** `session_ended` reasons the service sends. */
export type SessionEndedReason = 'agent_disconnected' | 'session_closed' | 'server_shutdown';

/** Server → client text frames (JSON with a `type`), as the service sends them. */
export type ServerTextMessage =
  | { type: 'connected' }
  | { type: 'agent_ready' }
  | { type: 'session_ended'; reason: SessionEndedReason }
  | { type: 'error'; code: string; message: string };

/** The one client → server text frame: the session token, first and only once. */
export interface TokenTextMessage {
  token: string;
}
