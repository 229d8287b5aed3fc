/** A themed variant of `<voice-agent>`: a class for the element and the exact CSS that styles it. */
export interface Theme {
  /** Class put on the element; every rule in `css` is scoped by it. */
  className: string;
  /** Heading shown above the variant. */
  title: string;
  /** One line on when a site would use it. */
  blurb: string;
  /** Injected into a `<style>` and shown verbatim in a `<pre><code>`, so the two cannot diverge. */
  css: string;
  /** For an inline variant: text before the element, so it is seen in running text. */
  sentence?: string;
}

// Only custom properties, ::part() and the host's own box: nothing reaches into the shadow DOM.
export const themes: readonly Theme[] = [
  {
    className: 'theme-teal',
    title: 'Brand teal pill',
    blurb: 'A bigger call-to-action in the brand colour, with a glow while the agent listens.',
    css: `voice-agent.theme-teal {
  --voice-agent-accent: #0f766e;
  --voice-agent-live: #be123c;
  --voice-agent-input-color: #14b8a6;
  --voice-agent-radius: 999px;
  --voice-agent-gap: 0.75rem;
}
voice-agent.theme-teal::part(button) {
  padding: 0.85em 1.6em;
  font-size: 1.05rem;
  box-shadow: 0 6px 18px rgb(15 118 110 / 0.35);
}
voice-agent.theme-teal[status='ready']::part(button) {
  box-shadow: 0 0 0 5px rgb(20 184 166 / 0.35);
}`,
  },
  {
    className: 'theme-card',
    title: 'Dark card',
    blurb: 'A self-contained panel for a sidebar or a help widget, dark in both colour schemes.',
    css: `voice-agent.theme-card {
  --voice-agent-accent: #a78bfa;
  --voice-agent-accent-contrast: #1e1b4b;
  --voice-agent-live: #f472b6;
  --voice-agent-input-color: #34d399;
  --voice-agent-track: rgb(255 255 255 / 0.16);
  --voice-agent-error-color: #fca5a5;
  --voice-agent-radius: 10px;
  --voice-agent-gap: 0.75rem;
  padding: 1.25rem 1.5rem;
  border-radius: 16px;
  background: #111827;
  color: #f9fafb;
  border: 1px solid rgb(255 255 255 / 0.08);
  box-shadow: 0 10px 30px rgb(0 0 0 / 0.25);
}
voice-agent.theme-card::part(status) {
  color: #cbd5e1;
  letter-spacing: 0.02em;
}`,
  },
  {
    className: 'theme-inline',
    title: 'Minimal inline',
    blurb: 'A quiet link that sits in running text; its status joins it once a conversation starts.',
    sentence: 'Need help?',
    css: `voice-agent.theme-inline {
  --voice-agent-accent: light-dark(#1d4ed8, #93c5fd);
  --voice-agent-gap: 0.4rem;
  padding: 0;
  border: 0;
  background: none;
  box-shadow: none;
  vertical-align: middle;
}
voice-agent.theme-inline::part(button) {
  padding: 0;
  background: none;
  color: var(--voice-agent-accent);
  font-weight: 500;
  text-decoration: underline;
  text-underline-offset: 3px;
}
voice-agent.theme-inline::part(meter),
voice-agent.theme-inline::part(mute-button) {
  display: none;
}
voice-agent.theme-inline::part(status) {
  opacity: 0.75;
}
voice-agent.theme-inline[status='idle']::part(status) {
  display: none;
}`,
  },
];
