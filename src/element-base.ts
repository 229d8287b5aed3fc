import type { PropertyValues, ReactiveController, ReactiveControllerHost } from 'lit';
import { render } from 'lit/html.js';

/** How one reactive property is declared: as Lit's `static properties`, the subset the element uses. */
export interface PropertyDeclaration {
  /** The observed attribute's name (default, or `true`: the property's name in lower case); `false`: none. */
  attribute?: string | boolean;
  /** How the attribute's text becomes the value: `Boolean` (present or not), `Number`, else the text. */
  type?: typeof Boolean | typeof Number;
  /** The property writes its value back to the attribute. */
  reflect?: boolean;
}

const attributeOf = (name: string, { attribute }: PropertyDeclaration) =>
  typeof attribute === 'string' ? attribute : name.toLowerCase();

// Defined where there is no DOM too, so the module imports in Node (server-side rendering).
const HTMLElementOrNothing = (globalThis.HTMLElement ?? Object) as typeof HTMLElement;

/**
 * The part of Lit's ReactiveElement and LitElement the widget uses, in a fifth of the bytes: reactive
 * properties with attribute conversion and reflection, one batched update per microtask (`willUpdate`,
 * lit-html `render()` into an open shadow root, `updated`), `updateComplete`, reactive controllers, and
 * the styles as one shared constructable sheet (a `<style>` where there is none: Safari before 16.4).
 * Lit's decorators, `shouldUpdate`, `firstUpdated`, custom converters and `hasChanged` are left out.
 */
export abstract class ElementBase extends HTMLElementOrNothing implements ReactiveControllerHost {
  static properties: Record<string, PropertyDeclaration>;
  /** The shadow root's CSS text. */
  static styles: string;
  static #sheet?: CSSStyleSheet;
  /** Attribute name → property name, filled when the element is defined (one element class uses this base). */
  static #attributes = new Map<string, string>();

  static get observedAttributes(): string[] {
    for (const [name, declaration] of Object.entries(this.properties)) {
      const key = Symbol(name);
      Object.defineProperty(this.prototype, name, {
        get(this: Record<symbol, unknown>) {
          return this[key];
        },
        set(this: ElementBase & Record<symbol, unknown>, value: unknown) {
          const old = this[key];
          this[key] = value;
          this.requestUpdate(name, old);
        },
        configurable: true,
        enumerable: true,
      });
      if (declaration.attribute !== false) ElementBase.#attributes.set(attributeOf(name, declaration), name);
    }
    return [...ElementBase.#attributes.keys()];
  }

  /** An update is queued and not yet done. */
  #pending = false;
  #changed: PropertyValues = new Map();
  #reflect = new Set<string>();
  /** The property being set from its attribute: not reflected back. */
  #fromAttribute?: string;
  #controllers = new Set<ReactiveController>();
  #connected!: () => void;
  #update: Promise<unknown> = new Promise<void>((resolve) => (this.#connected = resolve));

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const { styles } = this.constructor as typeof ElementBase;
    try {
      if (!ElementBase.#sheet) (ElementBase.#sheet = new CSSStyleSheet()).replaceSync(styles);
      root.adoptedStyleSheets = [ElementBase.#sheet];
    } catch {
      root.append(Object.assign(document.createElement('style'), { textContent: styles }));
    }
    // A page may set properties before the script defines the element: those values win over defaults.
    const early = new Map<string, unknown>();
    for (const name of Object.keys((this.constructor as typeof ElementBase).properties)) {
      if (Object.hasOwn(this, name)) {
        early.set(name, this[name as keyof this]);
        delete this[name as keyof this];
      }
    }
    this.#update = this.#update.then(() => early.forEach((value, name) => (this[name as keyof this] = value as never)));
    this.requestUpdate();
  }

  // Members as LitElement has them, left out of the manifest and the README's API tables as LitElement's are.
  /** @internal The open shadow root the element renders into. */
  get renderRoot(): ShadowRoot {
    return this.shadowRoot!;
  }

  /** @internal Resolves when the queued update has rendered: `true` unless another is queued. */
  get updateComplete(): Promise<boolean> {
    return this.#update.then(() => !this.#pending);
  }

  /** @internal */
  addController(controller: ReactiveController): void {
    this.#controllers.add(controller);
    if (this.isConnected) controller.hostConnected?.();
  }

  /** @internal */
  removeController(controller: ReactiveController): void {
    this.#controllers.delete(controller);
  }

  connectedCallback(): void {
    this.#connected();
    this.#controllers.forEach((controller) => controller.hostConnected?.());
  }

  disconnectedCallback(): void {
    this.#controllers.forEach((controller) => controller.hostDisconnected?.());
  }

  attributeChangedCallback(attribute: string, _old: string | null, value: string | null): void {
    const name = ElementBase.#attributes.get(attribute)!;
    if (this.#fromAttribute === name) return;
    const { type } = (this.constructor as typeof ElementBase).properties[name];
    this.#fromAttribute = name;
    this[name as keyof this] = (
      type === Boolean ? value !== null : type === Number && value !== null ? Number(value) : value
    ) as never;
    this.#fromAttribute = undefined;
  }

  /** @internal Queues an update; with `name`, records that property's old value (ignored when it did not change). */
  requestUpdate(name?: string, old?: unknown): void {
    if (name !== undefined) {
      if (Object.is(this[name as keyof this], old)) return;
      if (!this.#changed.has(name)) this.#changed.set(name, old);
      if ((this.constructor as typeof ElementBase).properties[name]?.reflect && this.#fromAttribute !== name) {
        this.#reflect.add(name);
      }
    }
    if (this.#pending) return;
    this.#pending = true;
    // After a failed update (its promise rejected) the next one still runs, as in Lit.
    const perform = () => this.#performUpdate();
    this.#update = this.#update.then(perform, perform);
  }

  #performUpdate(): void {
    const changed = this.#changed;
    try {
      this.willUpdate(changed);
      for (const name of this.#reflect) {
        const value = this[name as keyof this];
        const attribute = attributeOf(name, (this.constructor as typeof ElementBase).properties[name]);
        this.#fromAttribute = name;
        if (value === false || value == null) this.removeAttribute(attribute);
        else this.setAttribute(attribute, value === true ? '' : String(value));
        this.#fromAttribute = undefined;
      }
      this.#reflect.clear();
      render(this.render(), this.renderRoot, { host: this });
    } finally {
      this.#changed = new Map();
      this.#pending = false;
    }
    this.updated(changed);
  }

  protected willUpdate(_changed: PropertyValues): void {}

  protected abstract render(): unknown;

  protected updated(_changed: PropertyValues): void {}
}
