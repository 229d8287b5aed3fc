import type { PropertyValues } from 'lit';
import { html, nothing } from 'lit/html.js';
import { ElementBase } from './element-base.js';
import { AudioEngine } from './audio/audio-engine.js';
import type { VoiceAgentErrorDetail, VoiceAgentStats, VoiceAgentStatus } from './events.js';
import { VoiceSession, type VoiceSessionOptions } from './session/voice-session.js';
import { errorText, mergeLabels, type VoiceAgentLabelOverrides } from './labels.js';
import { styles } from './voice-agent.styles.js';
import type { MeterCommand, MeterStyle } from './meter-painter.js';
import type { SessionAudio } from './session/session-audio.js';

/** Clicks closer together than this are one double click. */
const DOUBLE_CLICK_MS = 400;

const LIVE: ReadonlySet<VoiceAgentStatus> = new Set(['connecting', 'connected', 'ready', 'reconnecting']);

/** The element's layouts, its corners in the floating layout, and its microphone modes. */
export type VoiceAgentLayout = 'inline' | 'floating';
export type VoiceAgentPosition = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
export type VoiceAgentMode = 'hands-free' | 'push-to-talk';

// 24 × 24 icon paths: microphone, stop, close.
const MIC =
  'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3Zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2Z';
const STOP = 'M8 6h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2Z';
const CLOSE = 'm6.4 5-1.4 1.4 5.6 5.6-5.6 5.6 1.4 1.4 5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6 5.6-5.6-1.4-1.4-5.6 5.6Z';

// One html`` template: the HTML parser puts a <path> inside <svg> in the SVG namespace (no svg`` needed).
const icon = (d: string) => html`<svg aria-hidden="true" viewBox="0 0 24 24"><path d=${d} /></svg>`;

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
 * @csspart talk-button - The push-to-talk control, held to talk (`mode="push-to-talk"`, during a session).
 * @csspart meter - The level meter: an orb whose halos (drawn on a canvas, off the main thread) breathe with the levels.
 * @csspart status - The status text (a polite live region).
 * @csspart error - The error text, present while there is one.
 * @csspart launcher - The round button that opens and closes the panel (`layout="floating"`).
 * @csspart panel - The panel holding the controls, status, meter and error (`layout="floating"`).
 * @csspart close-button - The panel's close control (`layout="floating"`).
 *
 * @cssprop [--voice-agent-accent=#4f46e5] - Button and launcher background, the orb, and the agent's halo.
 * @cssprop [--voice-agent-accent-contrast=#fff] - Text and icon colour on the accent.
 * @cssprop [--voice-agent-live=#dc2626] - The end button (and the launcher) during a session.
 * @cssprop [--voice-agent-input-color=#16a34a] - The microphone's halo.
 * @cssprop [--voice-agent-track=rgb(127 127 127 / 0.16)] - Background of the secondary buttons.
 * @cssprop [--voice-agent-error-color=#dc2626] - Error text.
 * @cssprop [--voice-agent-surface=Canvas] - Background of the inline bar and the floating panel.
 * @cssprop [--voice-agent-border=rgb(127 127 127 / 0.28)] - Their border.
 * @cssprop [--voice-agent-radius=999px] - Button corner radius.
 * @cssprop [--voice-agent-gap=0.5rem] - Space between the pieces.
 * @cssprop [--voice-agent-font=inherit] - Font of the whole element.
 * @cssprop [--voice-agent-z-index=2147480000] - Stacking order of the floating layout.
 */
export class VoiceAgent extends ElementBase {
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
    layout: { reflect: true },
    position: { reflect: true },
    mode: { reflect: true },
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

  /** `inline` (in the page's flow) or `floating` (a launcher in a corner of the viewport that opens a panel). */
  declare layout: VoiceAgentLayout;

  /** The viewport corner of the floating layout. */
  declare position: VoiceAgentPosition;

  /** `hands-free`, or `push-to-talk`: the microphone sends silence unless the talk control or Space is held. */
  declare mode: VoiceAgentMode;
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
      workletUrl: this.workletUrl,
    }),
    createAudio: () => new AudioEngine({ workletUrl: this.workletUrl }),
  });

  /** The floating panel is open. */
  #open = false;
  /** Push-to-talk: the talk control or Space is held. */
  #talking = false;

  constructor() {
    super();
    this.muted = false;
    this.layout = 'inline';
    this.position = 'bottom-right';
    this.mode = 'hands-free';
    this.reconnect = false;
    this.volume = 1;
  }

  /** `idle`, `connecting`, `connected`, `ready`, `reconnecting`, `ended` or `error`; reflected as the `status` attribute. */
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
    if (!this.#pushToTalk()) this.#talking = false;
    // Push-to-talk gates the microphone through the same silence as mute: the frames keep their timing.
    const muted = this.muted || (this.mode === 'push-to-talk' && !this.#talking);
    if (session.muted !== muted) session.muted = muted;
    if (changed.has('volume')) session.volume = this.volume;
    if (changed.has('microphoneId')) session.microphoneId = this.microphoneId || undefined;
    if (changed.has('speakerId')) session.speakerId = this.speakerId || undefined;
  }

  protected override updated(): void {
    if (this.getAttribute('status') !== this.status) this.setAttribute('status', this.status);
    this.#updateMeter();
  }

  protected override render() {
    const live = LIVE.has(this.status);
    const error = this.#session.error;
    const labels = mergeLabels(this.labels);
    const statusText = this.#session.needsGesture ? labels.resume : labels.status[this.status];
    const body = html`<div class="body">
      <div part="meter" aria-hidden="true">
        <span class="orb"></span>
      </div>
      <div class="text">
        <p part="status" aria-live="polite">${statusText}</p>
        ${error ? html`<p part="error" role="alert">${this.#errorText(error)}</p>` : nothing}
      </div>
      <div class="controls">
        ${
          this.#pushToTalk()
            ? html`<button
                part="talk-button"
                type="button"
                aria-pressed=${this.#talking}
                @pointerdown=${this.#hold}
                @pointerup=${this.#release}
                @pointerleave=${this.#release}
                @pointercancel=${this.#release}
                @contextmenu=${(e: Event) => e.preventDefault()}
              >
                ${icon(MIC)}${labels.talk}
              </button>`
            : nothing
        }
        ${
          live
            ? html`<button part="mute-button" type="button" aria-pressed=${this.muted} @click=${this.#toggleMute}>
                ${labels.mute}
              </button>`
            : nothing
        }
        <button part="button" type="button" aria-pressed=${live} @click=${this.#toggle}>
          ${icon(live ? STOP : MIC)}<span>${live ? labels.stop : labels.start}</span>
        </button>
      </div>
    </div>`;
    return html`<div class="root" @keydown=${this.#key} @keyup=${this.#key} @focusout=${this.#focusOut}>
      ${
        this.layout === 'floating'
          ? html`<div part="panel" id="panel" role="dialog" aria-label=${labels.assistant} ?hidden=${!this.#open}>
                <div class="head">
                  <span>${labels.assistant}</span>
                  <button part="close-button" type="button" aria-label=${labels.close} @click=${this.#close}>
                    ${icon(CLOSE)}
                  </button>
                </div>
                ${body}
              </div>
              <button
                part="launcher"
                type="button"
                class=${live ? 'live' : ''}
                aria-label=${labels.assistant}
                aria-expanded=${this.#open}
                aria-controls="panel"
                @click=${() => this.#setOpen(!this.#open)}
              >
                ${icon(this.#open ? CLOSE : MIC)}
              </button>
              ${
                // The status line is hidden with the collapsed panel: this one speaks for it meanwhile.
                this.#open ? nothing : html`<p class="sr-only" aria-live="polite">${statusText}</p>`
              }`
          : body
      }
    </div>`;
  }

  /** The site's translation of the error (its key, else its code), else the built-in message. */
  #errorText(error: VoiceAgentErrorDetail): string {
    return errorText(this.labels?.errors, this.#session.errorKey, { ...error }, error.message);
  }

  #pushToTalk(): boolean {
    return this.mode === 'push-to-talk' && LIVE.has(this.status);
  }

  /** Opens or collapses the floating panel, moving focus into it or back to the launcher, as a dialog does. */
  async #setOpen(open: boolean): Promise<void> {
    this.#open = open;
    this.requestUpdate();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(open ? '[part=button]' : '[part=launcher]')?.focus();
  }

  #close(): void {
    void this.#setOpen(false);
  }

  #talk(talking: boolean): void {
    if (this.#talking === talking || !this.#pushToTalk()) return;
    this.#talking = talking;
    this.requestUpdate();
  }

  #hold(): void {
    this.#talk(true);
  }

  #release(): void {
    this.#talk(false);
  }

  /** Escape collapses the panel; in a push-to-talk session, Space anywhere in the element talks. */
  #key(event: KeyboardEvent): void {
    if (event.key === 'Escape' && event.type === 'keydown' && this.#open) {
      event.stopPropagation();
      this.#close();
    } else if (event.key === ' ' && this.#pushToTalk()) {
      // Also keeps the focused button from activating on Space: holding Space never ends the session.
      event.preventDefault();
      this.#talk(event.type === 'keydown');
    }
  }

  /** Focus left the element (its keyup will not reach us): stop talking. */
  #focusOut(event: FocusEvent): void {
    if (!this.renderRoot.contains(event.relatedTarget as Node | null)) this.#release();
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

  #reducedMotion?: MediaQueryList;
  /** The live session's meter: its audio engine (each session has a canvas of its own), the last style sent. */
  #meter?: { audio: SessionAudio; canvas: HTMLCanvasElement; style?: string };

  /**
   * Gives each session's meter a fresh canvas behind the orb, and its style whenever it changes (layout,
   * theme, pixel ratio, the panel opening). The canvas goes to the socket core as an OffscreenCanvas, and
   * the playback worklet sends the core both levels: where the core runs in its Worker, the meter costs
   * the page's main thread nothing, and moves while that thread is busy. A canvas can be handed over
   * only once, hence one per session.
   */
  #updateMeter(): void {
    const audio = this.#session.audio;
    const live = audio && LIVE.has(this.status);
    let meter = this.#meter;
    if (meter && (meter.audio !== audio || !live)) {
      meter.canvas.remove();
      meter = this.#meter = undefined;
    }
    if (!live) return;
    const box = this.renderRoot.querySelector<HTMLElement>('[part=meter]')!;
    let handOver: MeterCommand['canvas'];
    if (!meter) {
      const canvas = document.createElement('canvas');
      box.prepend(canvas);
      meter = this.#meter = { audio, canvas };
      // A browser without OffscreenCanvas (Safari before 16.4) shows the orb without halos.
      handOver = canvas.transferControlToOffscreen?.();
    }
    // Queried lazily: importing the module must not need a window (server-side rendering, tests in Node).
    this.#reducedMotion ??= matchMedia('(prefers-reduced-motion: reduce)');
    // The halos' colours are the canvas's own `color` and `outline-color` (see the styles), resolved.
    const { color, outlineColor } = getComputedStyle(meter.canvas);
    const style: MeterStyle = {
      size: (box.offsetWidth * 2 * devicePixelRatio) | 0, // whole pixels, as canvas.width keeps
      colors: [color, outlineColor],
      // The inline bar leaves the orb less room than the floating panel does.
      swell: this.layout === 'floating' ? 0.8 : 0.45,
      still: this.#reducedMotion.matches,
    };
    const key = JSON.stringify(style);
    if (key === meter.style) return;
    meter.style = key;
    this.#session.drawMeter({ type: 'meter', canvas: handOver, ...style });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'voice-agent': VoiceAgent;
  }
}
