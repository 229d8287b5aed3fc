import { LitElement, html, nothing, svg, type PropertyValues } from 'lit';
import { AudioEngine } from './audio/audio-engine.js';
import type { VoiceAgentErrorDetail, VoiceAgentStats, VoiceAgentStatus } from './events.js';
import { VoiceSession, type VoiceSessionOptions } from './session/voice-session.js';
import { errorText, mergeLabels, type VoiceAgentLabelOverrides } from './labels.js';
import { styles } from './voice-agent.styles.js';

/** The meter redraws at most this often: smooth to the eye, cheap for the page's main thread. */
const METER_INTERVAL_MS = 50;

/** Clicks closer together than this are one double click. */
const DOUBLE_CLICK_MS = 400;

const LIVE: ReadonlySet<VoiceAgentStatus> = new Set(['connecting', 'connected', 'ready', 'reconnecting']);

/**
 * A drop-in voice conversation with an AI agent. It fetches a session token from the site's
 * `token-url`, opens the voice service's WebSocket, streams the microphone up and plays the agent back.
 *
 * @summary Talk to an AI voice agent from any page.
 *
 * @fires {CustomEvent<{status: VoiceAgentStatus}>} voice-agent-status - Every status change.
 * @fires {CustomEvent<void>} voice-agent-connected - The server sent `connected`; the microphone streams.
 * @fires {CustomEvent<void>} voice-agent-ready - The server sent `agent_ready`; the agent listens and answers.
 * @fires {CustomEvent<{reason: string}>} voice-agent-ended - The session is over (exactly once per session).
 * @fires {CustomEvent<VoiceAgentErrorDetail>} voice-agent-error - A failure, with a stable `code`.
 * @fires {CustomEvent<{message: object}>} voice-agent-message - A server message of a type this version does not know.
 * @fires {CustomEvent<{attempt: number, delayMs: number}>} voice-agent-reconnecting - Before each reconnect attempt (`reconnect`).
 *
 * @csspart button - The start/stop `<button>`.
 * @csspart mute-button - The microphone mute toggle, shown during a session.
 * @csspart meter - The level meter (holds `meter-input` and `meter-output`).
 * @csspart meter-input - The microphone level bar.
 * @csspart meter-output - The agent level bar.
 * @csspart status - The status text (a polite live region).
 * @csspart error - The error text, present while there is one.
 *
 * @cssprop [--voice-agent-accent=#4f46e5] - Button background while idle, and the agent's level bar.
 * @cssprop [--voice-agent-accent-contrast=#fff] - Text and icon colour on the accent.
 * @cssprop [--voice-agent-live=#dc2626] - Button background during a session (the "end" action).
 * @cssprop [--voice-agent-input-color=#16a34a] - The microphone level bar.
 * @cssprop [--voice-agent-track=rgb(127 127 127 / 0.25)] - The meter's empty track.
 * @cssprop [--voice-agent-error-color=#dc2626] - Error text.
 * @cssprop [--voice-agent-radius=999px] - Button corner radius.
 * @cssprop [--voice-agent-gap=0.5rem] - Space between the pieces.
 * @cssprop [--voice-agent-font=inherit] - Font of the whole element.
 */
export class VoiceAgent extends LitElement {
  static override styles = styles;

  // Declared with `static properties` rather than decorators: the decorator helpers cost bytes in the
  // one-script bundle and buy nothing here.
  static override properties = {
    tokenUrl: { attribute: 'token-url' },
    fetchToken: { attribute: false },
    audioConstraints: { attribute: false },
    muted: { type: Boolean, reflect: true },
    labels: { attribute: false },
    workletUrl: { attribute: 'worklet-url' },
    reconnect: { type: Boolean },
    volume: { type: Number },
    microphoneId: { attribute: false },
    speakerId: { attribute: false },
  };

  /** The site's endpoint that answers `POST` with `{ token, ws_url }`. */
  declare tokenUrl?: string;

  /** Replaces the built-in token request (custom headers, auth). */
  declare fetchToken?: VoiceSessionOptions['fetchToken'];

  /** Merged over the default microphone constraints (mono, echo cancellation, noise suppression, AGC). */
  declare audioConstraints?: MediaTrackConstraints;

  /** Microphone muted: the session goes on and sends silence. */
  declare muted: boolean;

  /**
   * Loads the audio worklet from this URL (a copy of `dist/voice-agent.worklet.js` on the site) instead of
   * from the script itself, for a Content-Security-Policy that does not allow `blob:`.
   */
  declare workletUrl?: string;

  /** Replaces any of the texts the element shows (button, mute toggle, status, error messages by code). */
  declare labels?: VoiceAgentLabelOverrides;

  /** After an unexpected drop, reconnect with a fresh token and backoff (see README, "Reliability"); read at start(). */
  declare reconnect: boolean;

  /** Gain of the agent's voice, 0..1 (default 1), applied smoothly; `outputLevel` follows it. */
  declare volume: number;

  /** `deviceId` of the microphone; changing it mid-session switches the input without dropping the socket. */
  declare microphoneId?: string;

  /** `deviceId` of the speaker, where the browser can route audio (`AudioContext.setSinkId`); ignored elsewhere. */
  declare speakerId?: string;

  readonly #session = new VoiceSession(this, {
    options: () => ({
      tokenUrl: this.tokenUrl,
      fetchToken: this.fetchToken,
      audioConstraints: this.audioConstraints,
      reconnect: this.reconnect,
    }),
    createAudio: () => {
      const engine = new AudioEngine({ workletUrl: this.workletUrl });
      engine.onLevels = (input, output) => this.#drawLevels(input, output);
      return engine;
    },
  });

  constructor() {
    super();
    this.muted = false;
    this.reconnect = false;
    this.volume = 1;
  }

  /** `idle`, `connecting`, `connected`, `ready`, `ended` or `error`; reflected as the `status` attribute. */
  get status(): VoiceAgentStatus {
    return this.#session.status;
  }

  /** Current microphone level, 0..1. */
  get inputLevel(): number {
    return this.#session.audio?.inputLevel ?? 0;
  }

  /** Current agent level, 0..1. */
  get outputLevel(): number {
    return this.#session.audio?.outputLevel ?? 0;
  }

  /** Begins a session; a no-op while one is connecting or live. Never rejects. */
  start(): Promise<void> {
    return this.#session.start();
  }

  /** Ends the session, closing the socket with 1000 and releasing every resource. */
  stop(): Promise<void> {
    return this.#session.stop();
  }

  /** Drops the agent audio queued for playback at once, with a short fade (barge-in). */
  interrupt(): void {
    this.#session.interrupt();
  }

  /** Counters of the current session (or the last one): frames, underruns, buffering, latency, echo cancellation. */
  getStats(): VoiceAgentStats {
    return this.#session.getStats();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const session = this.#session;
    if (changed.has('muted')) session.muted = this.muted;
    if (changed.has('volume')) session.volume = this.volume;
    if (changed.has('microphoneId')) session.microphoneId = this.microphoneId || undefined;
    if (changed.has('speakerId')) session.speakerId = this.speakerId || undefined;
  }

  protected override updated(): void {
    if (this.getAttribute('status') !== this.status) this.setAttribute('status', this.status);
    if (!LIVE.has(this.status)) this.#drawLevels(0, 0);
  }

  protected override render() {
    const live = LIVE.has(this.status);
    const error = this.#session.error;
    const labels = mergeLabels(this.labels);
    return html`
      <div class="row">
        <button part="button" type="button" aria-pressed=${live ? 'true' : 'false'} @click=${this.#toggle}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
            ${
              live
                ? svg`<rect x="6" y="6" width="12" height="12" rx="2" />`
                : svg`<path
                  d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3Zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2Z"
                />`
            }
          </svg>
          <span>${live ? labels.stop : labels.start}</span>
        </button>
        ${
          live
            ? html`<button
                part="mute-button"
                type="button"
                aria-pressed=${this.muted ? 'true' : 'false'}
                @click=${this.#toggleMute}
              >
                ${labels.mute}
              </button>`
            : nothing
        }
        <div part="meter" aria-hidden="true">
          <span class="bar"><span part="meter-input"></span></span>
          <span class="bar"><span part="meter-output"></span></span>
        </div>
      </div>
      <p part="status" aria-live="polite">${this.#session.needsGesture ? labels.resume : labels.status[this.status]}</p>
      ${error ? html`<p part="error" role="alert">${this.#errorText(error)}</p>` : nothing}
    `;
  }

  /** The site's translation of the error (its key, else its code), else the built-in message. */
  #errorText(error: VoiceAgentErrorDetail): string {
    return errorText(this.labels?.errors, this.#session.errorKey, { ...error }, error.message);
  }

  #lastToggle = -Infinity;

  #toggle(event: MouseEvent): void {
    // The second click of a double click would cancel the session it just started: ignore it.
    if (event.timeStamp - this.#lastToggle < DOUBLE_CLICK_MS) return;
    this.#lastToggle = event.timeStamp;
    // start() must run synchronously inside the click so the AudioContext is created during the gesture.
    if (LIVE.has(this.status)) void this.stop();
    else void this.start();
  }

  #toggleMute(): void {
    this.muted = !this.muted;
  }

  #levels = [0, 0];
  #levelFrame = 0;
  #lastDraw = -Infinity;
  #reducedMotion?: MediaQueryList;

  /**
   * Levels arrive with every microphone frame (50 a second) and from playback (30 a second): draw them
   * in an animation frame at most every METER_INTERVAL_MS, outside Lit's render cycle, as a transform,
   * and only when a bar moves a visible step (a coarse one under `prefers-reduced-motion`).
   */
  #drawLevels(input: number, output: number): void {
    this.#levels = [input, output];
    // Levels keep arriving while anything is audible, so one skipped here is drawn by a later one; no
    // animation frame is asked for until a draw is due (each would cost the page a main-thread frame).
    const due = performance.now() - this.#lastDraw >= METER_INTERVAL_MS || !this.#levels.some(Boolean);
    if (!due || this.#levelFrame) return;
    this.#levelFrame = requestAnimationFrame((now) => {
      this.#levelFrame = 0;
      this.#lastDraw = now;
      // Queried lazily: importing the module must not need a window (server-side rendering, tests in Node).
      this.#reducedMotion ??= matchMedia('(prefers-reduced-motion: reduce)');
      const steps = this.#reducedMotion.matches ? 4 : 50;
      this.renderRoot.querySelectorAll<HTMLElement>('.bar > span').forEach((bar, i) => {
        const transform = `scaleX(${Math.round(this.#levels[i] * steps) / steps})`;
        if (bar.style.transform !== transform) bar.style.transform = transform;
      });
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'voice-agent': VoiceAgent;
  }
}
