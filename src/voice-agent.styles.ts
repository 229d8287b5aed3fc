import { css } from 'lit';

/** The element's look; every colour and size is a `--voice-agent-*` custom property with a default here. */
export const styles = css`
  :host {
    --voice-agent-accent: #4f46e5;
    --voice-agent-accent-contrast: #fff;
    --voice-agent-live: #dc2626;
    --voice-agent-input-color: #16a34a;
    --voice-agent-track: rgb(127 127 127 / 0.25);
    --voice-agent-error-color: #dc2626;
    --voice-agent-radius: 999px;
    --voice-agent-gap: 0.5rem;
    --voice-agent-font: inherit;

    display: inline-flex;
    flex-direction: column;
    gap: var(--voice-agent-gap);
    font: var(--voice-agent-font);
    color: inherit;
  }
  :host([hidden]) {
    display: none;
  }
  .row {
    display: flex;
    align-items: center;
    gap: var(--voice-agent-gap);
  }
  button {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    padding: 0.6em 1.1em;
    border: 0;
    border-radius: var(--voice-agent-radius);
    font: inherit;
    font-weight: 600;
    cursor: pointer;
    color: var(--voice-agent-accent-contrast);
    background: var(--voice-agent-accent);
  }
  button svg {
    fill: currentColor;
  }
  button[aria-pressed='true'][part='button'] {
    background: var(--voice-agent-live);
  }
  [part='mute-button'] {
    color: inherit;
    background: var(--voice-agent-track);
  }
  [part='mute-button'][aria-pressed='true'] {
    color: var(--voice-agent-accent-contrast);
    background: var(--voice-agent-live);
  }
  button:focus-visible {
    outline: 2px solid var(--voice-agent-accent);
    outline-offset: 2px;
  }
  [part='meter'] {
    display: inline-flex;
    flex-direction: column;
    gap: 3px;
    width: 4rem;
  }
  .bar {
    display: block;
    height: 4px;
    border-radius: 2px;
    overflow: hidden;
    background: var(--voice-agent-track);
  }
  .bar > span {
    display: block;
    height: 100%;
    transform-origin: left;
    /* Set from script once per frame at most; a transform needs no layout. */
    transform: scaleX(0);
    will-change: transform;
  }
  [part='meter-input'] {
    background: var(--voice-agent-input-color);
  }
  [part='meter-output'] {
    background: var(--voice-agent-accent);
  }
  p {
    margin: 0;
    font-size: 0.875em;
  }
  [part='error'] {
    color: var(--voice-agent-error-color);
  }
`;
