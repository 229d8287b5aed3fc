import { expect, fixture } from '@open-wc/testing';
import type { PropertyValues, ReactiveController } from 'lit';
import { html } from 'lit/html.js';
import { ElementBase } from '../src/element-base.js';

// A throwaway element on the base: one property of each kind the widget declares.
class TestElement extends ElementBase {
  static override properties = {
    label: {},
    tokenUrl: { attribute: 'token-url' },
    count: { type: Number },
    open: { type: Boolean, reflect: true },
    mode: { reflect: true },
    hidden2: { attribute: false },
  };
  static override styles = ':host{display:block;color:rgb(1, 2, 3)}';
  declare label: string;
  declare tokenUrl: string;
  declare count: number;
  declare open: boolean;
  declare mode: string;
  declare hidden2: unknown;
  renders = 0;
  willUpdates: PropertyValues[] = [];
  updates: PropertyValues[] = [];

  constructor() {
    super();
    this.label = 'default';
    this.open = false;
  }

  protected override willUpdate(changed: PropertyValues): void {
    this.willUpdates.push(new Map(changed));
  }

  protected override render() {
    this.renders++;
    return html`<span>${this.label}</span><b>${this.count}</b>`;
  }

  protected override updated(changed: PropertyValues): void {
    this.updates.push(new Map(changed));
  }
}
if (!customElements.get('element-base-test')) customElements.define('element-base-test', TestElement);

const create = (markup = '<element-base-test></element-base-test>') => fixture<TestElement>(markup);

describe('ElementBase', () => {
  it('renders into an open shadow root with its styles adopted', async () => {
    const el = await create();
    expect(el.shadowRoot!.querySelector('span')!.textContent).to.equal('default');
    expect(getComputedStyle(el).color).to.equal('rgb(1, 2, 3)');
  });

  it('converts attributes by type and by their declared names', async () => {
    const el = await create('<element-base-test label="hi" token-url="/t" count="3" open></element-base-test>');
    expect([el.label, el.tokenUrl, el.count, el.open]).to.deep.equal(['hi', '/t', 3, true]);
    el.removeAttribute('open');
    el.removeAttribute('count');
    expect([el.open, el.count]).to.deep.equal([false, null]);
    expect((TestElement as unknown as { observedAttributes: string[] }).observedAttributes).to.not.include('hidden2');
  });

  it('batches property changes into one update per microtask, with the old values', async () => {
    const el = await create();
    const before = el.renders;
    el.label = 'a';
    el.label = 'b';
    el.count = 2;
    expect(el.renders).to.equal(before);
    expect(await el.updateComplete).to.equal(true);
    expect(el.renders).to.equal(before + 1);
    expect(el.shadowRoot!.textContent).to.equal('b2');
    const changed = el.updates.at(-1)!;
    expect([...changed.keys()]).to.have.members(['label', 'count']);
    expect(changed.get('label')).to.equal('default');
    expect(el.willUpdates.at(-1)!.get('label')).to.equal('default');
  });

  it('skips an update when a value did not change', async () => {
    const el = await create();
    const before = el.renders;
    el.label = 'default';
    await el.updateComplete;
    expect(el.renders).to.equal(before);
  });

  it('reflects declared properties to attributes, and removes them when false or null', async () => {
    const el = await create();
    el.open = true;
    el.mode = 'push-to-talk';
    await el.updateComplete;
    expect(el.getAttribute('open')).to.equal('');
    expect(el.getAttribute('mode')).to.equal('push-to-talk');
    el.open = false;
    el.mode = null as unknown as string;
    await el.updateComplete;
    expect(el.hasAttribute('open')).to.equal(false);
    expect(el.hasAttribute('mode')).to.equal(false);
    el.label = 'not reflected';
    await el.updateComplete;
    expect(el.hasAttribute('label')).to.equal(false);
  });

  it('keeps properties a page set before the element was defined', async () => {
    const early = document.createElement('element-base-early') as HTMLElement & { label?: string; count?: number };
    early.label = 'set early';
    early.count = 7;
    document.body.append(early);
    class Early extends TestElement {}
    if (!customElements.get('element-base-early')) customElements.define('element-base-early', Early);
    const el = early as unknown as TestElement;
    await el.updateComplete;
    expect([el.label, el.count]).to.deep.equal(['set early', 7]);
    expect(el.shadowRoot!.textContent).to.equal('set early7');
    el.remove();
  });

  it('tells controllers when the host connects and disconnects', async () => {
    const el = await create();
    const calls: string[] = [];
    const controller: ReactiveController = {
      hostConnected: () => calls.push('connected'),
      hostDisconnected: () => calls.push('disconnected'),
    };
    el.addController(controller);
    el.remove();
    document.body.append(el);
    el.removeController(controller);
    el.remove();
    expect(calls).to.deep.equal(['connected', 'disconnected', 'connected']);
  });

  it('keeps updating after a render threw', async () => {
    const el = await create();
    const render = el['render'].bind(el);
    let fail = true;
    (el as unknown as { render: () => unknown }).render = () => {
      if (fail) throw new Error('render failed');
      return render();
    };
    el.label = 'x';
    await el.updateComplete.catch(() => {});
    fail = false;
    el.label = 'y';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('span')!.textContent).to.equal('y');
  });
});
