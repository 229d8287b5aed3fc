// The sheet's text (ElementBase adopts it); tagged so that the build's minifier, which knows CSS
// templates by their tag's name, minifies it.
const css = (strings: TemplateStringsArray) => strings[0];

/** The element's look; every colour and size is a `--voice-agent-*` custom property with a default here. */
export const styles = css`
  :host {
    --voice-agent-accent: #4f46e5;
    --voice-agent-accent-contrast: #fff;
    --voice-agent-live: #dc2626;
    --voice-agent-input-color: #16a34a;
    --voice-agent-track: rgb(127 127 127 / 0.16);
    --voice-agent-error-color: #dc2626;
    --voice-agent-surface: Canvas;
    --voice-agent-border: rgb(127 127 127 / 0.28);
    --voice-agent-radius: 999px;
    --voice-agent-gap: 0.5rem;
    --voice-agent-font: inherit;
    /* Near the top of the 32-bit range, in the 6 significant digits the CSS minifier keeps. */
    --voice-agent-z-index: 2147480000;

    font: var(--voice-agent-font);
  }
  /* The inline bar is the host's own box, so a page restyles it (or removes it) with plain CSS. */
  :host(:not([layout='floating'])) {
    display: inline-block;
    padding: 0.5rem;
    border: 1px solid var(--voice-agent-border);
    border-radius: 1.75rem;
    background: var(--voice-agent-surface);
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.08);
  }
  [hidden],
  :host([hidden]) {
    display: none !important;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .body {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.625rem;
  }
  .text {
    flex: 1 1 auto;
    display: grid;
    gap: 0.125rem;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    gap: var(--voice-agent-gap);
    margin-inline-start: auto;
  }
  p {
    margin: 0;
    font-size: 0.9375em;
    font-weight: 500;
  }
  [part='error'] {
    font-size: 0.8125em;
    font-weight: 400;
    color: var(--voice-agent-error-color);
  }
  button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4em;
    min-height: 2.5rem;
    padding: 0 1em;
    border: 1px solid transparent;
    border-radius: var(--voice-agent-radius);
    font: inherit;
    font-size: 0.9375em;
    font-weight: 600;
    white-space: nowrap;
    cursor: pointer;
    color: var(--voice-agent-accent-contrast);
    background: var(--voice-agent-accent);
  }
  button:focus-visible {
    outline: 2px solid var(--voice-agent-accent);
    outline-offset: 2px;
  }
  svg {
    flex: none;
    width: 1.25em;
    height: 1.25em;
    fill: currentColor;
  }
  [part='mute-button'],
  [part='talk-button'] {
    color: inherit;
    background: var(--voice-agent-track);
  }
  /* Pressed: the end button and the mute toggle in the live colour, the talk control in the input's. */
  [aria-pressed='true'],
  .live {
    color: var(--voice-agent-accent-contrast);
    background: var(--voice-agent-live);
  }
  [part='talk-button'] {
    /* Held, not clicked: no text selection, callout or scrolling under a finger. */
    touch-action: none;
    user-select: none;
    -webkit-user-select: none;
    -webkit-touch-callout: none;
  }
  [part='talk-button'][aria-pressed='true'] {
    background: var(--voice-agent-input-color);
  }

  /* The meter: an orb, and behind it a canvas (twice its size) where the two halos swell and fade. */
  [part='meter'] {
    --size: 2.5rem;
    position: relative;
    flex: none;
    width: var(--size);
    height: var(--size);
  }
  [part='meter'] > * {
    position: absolute;
    border-radius: 50%;
  }
  /* The halos' colours, read by script: the microphone's is the canvas's colour, the agent's its outline colour. */
  canvas {
    /* A replaced element: inset alone would not size it. */
    inset: -50%;
    width: 200%;
    height: 200%;
    color: var(--voice-agent-input-color);
    outline-color: var(--voice-agent-accent);
  }
  .orb {
    inset: 0;
    background: var(--voice-agent-accent);
    background:
      radial-gradient(circle at 32% 28%, rgb(255 255 255 / 0.7), transparent 50%),
      linear-gradient(150deg, color-mix(in srgb, var(--voice-agent-accent) 45%, #fff), var(--voice-agent-accent));
    box-shadow: 0 0 0 4px color-mix(in srgb, var(--voice-agent-accent) 14%, transparent);
  }

  /* Floating: a launcher fixed to a corner, above the page, clear of notches and home indicators. */
  :host([layout='floating']) {
    position: fixed;
    z-index: var(--voice-agent-z-index);
    right: max(1rem, env(safe-area-inset-right));
    bottom: max(1rem, env(safe-area-inset-bottom));
  }
  :host([layout='floating'][position^='top']) {
    top: max(1rem, env(safe-area-inset-top));
    bottom: auto;
  }
  :host([layout='floating'][position$='left']) {
    left: max(1rem, env(safe-area-inset-left));
    right: auto;
  }
  [part='launcher'] {
    width: 3.5rem;
    height: 3.5rem;
    padding: 0;
    border-radius: 50%;
    box-shadow: 0 6px 20px rgb(0 0 0 / 0.22);
  }
  [part='launcher'] svg {
    width: 1.6rem;
    height: 1.6rem;
  }
  [part='panel'] {
    position: absolute;
    right: 0;
    bottom: calc(100% + 0.75rem);
    box-sizing: border-box;
    /* On a phone the panel takes the width it needs and no more of the height. */
    width: min(21rem, 100vw - 2rem);
    max-height: calc(100vh - 6.5rem);
    overflow: auto;
    padding: 0.75rem 1rem 1.25rem;
    border: 1px solid var(--voice-agent-border);
    border-radius: 1.25rem;
    background: var(--voice-agent-surface);
    box-shadow: 0 16px 48px rgb(0 0 0 / 0.22);
  }
  :host([position^='top']) [part='panel'] {
    top: calc(100% + 0.75rem);
    bottom: auto;
  }
  :host([position$='left']) [part='panel'] {
    left: 0;
    right: auto;
  }
  .head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    font-weight: 600;
  }
  [part='close-button'] {
    min-height: 2.25rem;
    width: 2.25rem;
    padding: 0;
    color: inherit;
    background: none;
  }
  [part='panel'] .body {
    flex-direction: column;
    gap: 1rem;
    padding-top: 1.5rem;
    text-align: center;
  }
  [part='panel'] [part='meter'] {
    --size: 5rem;
    margin: 0.75rem;
  }
  [part='panel'] .controls {
    justify-content: center;
    margin: 0;
  }
  [part='panel'] [part='talk-button'] {
    flex: 1 0 100%;
    min-height: 3.25rem;
  }

  /* Forced colours drop backgrounds: borders and system colours keep every control and the meter visible. */
  @media (forced-colors: active) {
    button {
      border-color: ButtonText;
    }
    button:focus-visible {
      outline-color: Highlight;
    }
    [part='meter'] > * {
      forced-color-adjust: none;
      color: Highlight;
      outline-color: Highlight;
    }
    .orb {
      background: Highlight;
    }
    :host,
    .orb {
      border: 2px solid CanvasText;
    }
  }
`;
