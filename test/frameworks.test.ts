import { expect, fixture, html } from '@open-wc/testing';
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { createApp, nextTick } from 'vue';
import '../src/index.js';
import type { VoiceAgent, VoiceAgentEventMap, VoiceAgentStatus } from '../src/index.js';

// The element used as each framework's documentation (README, "Frameworks") says: properties set as
// properties (a function cannot be an attribute), and the typed `voice-agent-*` events received.
// The token request fails on purpose: the session reaches `connecting`, then `error`, with no socket.

const failingToken = async (): Promise<never> => {
  throw new Error('no token in this test');
};

/** A container in the page, removed after the test. */
function container(): HTMLDivElement {
  const div = document.createElement('div');
  document.body.append(div);
  after(() => div.remove());
  return div;
}

describe('frameworks', () => {
  it('React 19: properties, and an `on` handler for a custom event', async () => {
    const statuses: VoiceAgentStatus[] = [];
    const onStatus = (e: VoiceAgentEventMap['voice-agent-status']) => statuses.push(e.detail.status);
    const root = createRoot(container());
    flushSync(() =>
      root.render(
        createElement('voice-agent', {
          layout: 'floating',
          mode: 'push-to-talk',
          fetchToken: failingToken,
          labels: { assistant: 'Hilfe' },
          'onvoice-agent-status': onStatus,
        }),
      ),
    );
    const el = document.querySelector('voice-agent')!;
    await el.updateComplete;
    expect(el.fetchToken).to.equal(failingToken); // a property, not an attribute
    expect(el.getAttribute('layout')).to.equal('floating');
    expect(el.shadowRoot!.querySelector('[part=launcher]')!.getAttribute('aria-label')).to.equal('Hilfe');
    await el.start();
    expect(statuses).to.deep.equal(['connecting', 'error']);
    root.unmount();
    expect(document.querySelector('voice-agent')).to.equal(null);
  });

  it('Vue 3: isCustomElement, .prop bindings and @voice-agent-status', async () => {
    const warnings: string[] = [];
    const statuses: VoiceAgentStatus[] = [];
    const app = createApp({
      template: `<voice-agent layout="floating" position="top-left" :fetchToken.prop="fetchToken"
        @voice-agent-status="onStatus" />`,
      setup: () => ({
        fetchToken: failingToken,
        onStatus: (e: VoiceAgentEventMap['voice-agent-status']) => statuses.push(e.detail.status),
      }),
    });
    app.config.compilerOptions.isCustomElement = (tag) => tag === 'voice-agent';
    app.config.warnHandler = (msg) => warnings.push(msg);
    app.mount(container());
    await nextTick();
    const el = document.querySelector('voice-agent')!;
    await el.updateComplete;
    expect(warnings).to.deep.equal([]); // no "Failed to resolve component"
    expect(el.fetchToken).to.equal(failingToken);
    expect(el.position).to.equal('top-left');
    await el.start();
    expect(statuses).to.deep.equal(['connecting', 'error']);
    app.unmount();
  });

  it('plain HTML: attributes in markup, properties and listeners from a script', async () => {
    const el = await fixture<VoiceAgent>(html`<voice-agent layout="floating" mode="push-to-talk"></voice-agent>`);
    const codes: string[] = [];
    el.addEventListener('voice-agent-error', (e) => codes.push(e.detail.code));
    el.fetchToken = failingToken;
    expect([el.layout, el.mode, el.position]).to.deep.equal(['floating', 'push-to-talk', 'bottom-right']);
    await el.start();
    expect(codes).to.deep.equal(['token_request_failed']);
  });
});
