// The demo page's wiring: themed variants, the event log and the fault picker. Dynamic text goes in
// through textContent only; nothing the server sends is ever parsed as HTML.
import type { FaultInfo } from '../server/faults.js';
import { VOICE_AGENT_EVENTS } from '../src/events.js';
import { clockTime, formatDetail } from './event-format.js';
import { themes } from './themes.js';

const TOKEN_URL = '/api/voice-token';
const LOG_LIMIT = 200;

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo: #${id} is missing from index.html`);
  return el as T;
}

function renderThemes(): void {
  const template = byId<HTMLTemplateElement>('theme-template');
  const host = byId('themes');
  for (const theme of themes) {
    const style = document.createElement('style');
    style.textContent = theme.css;
    document.head.append(style);

    const card = template.content.firstElementChild!.cloneNode(true) as HTMLElement;
    card.querySelector('h3')!.textContent = theme.title;
    card.querySelector('.blurb')!.textContent = theme.blurb;
    card.querySelector('code')!.textContent = theme.css;

    const agent = document.createElement('voice-agent');
    agent.className = theme.className;
    agent.dataset.label = theme.title;
    agent.setAttribute('token-url', TOKEN_URL);
    const stage = card.querySelector<HTMLElement>('.theme-stage')!;
    if (theme.sentence) {
      const line = document.createElement('p');
      line.className = 'sentence';
      line.append(`${theme.sentence} `, agent);
      stage.append(line);
    } else {
      stage.append(agent);
    }
    host.append(card);
  }
}

function wireLog(): void {
  const list = byId<HTMLOListElement>('event-log');
  const empty = byId('log-empty');
  const clear = byId<HTMLButtonElement>('clear-log');

  const add = (event: Event) => {
    const source = event.target instanceof HTMLElement ? (event.target.dataset.label ?? event.target.id) : '?';
    const item = document.createElement('li');
    item.dataset.event = event.type;
    const cells: [string, string][] = [
      ['time', clockTime(new Date())],
      ['source', source],
      ['name', event.type.replace('voice-agent-', '')],
      ['detail', formatDetail((event as CustomEvent).detail)],
    ];
    for (const [cls, text] of cells) {
      const span = document.createElement('span');
      span.className = cls;
      span.textContent = text;
      item.append(span);
    }
    list.prepend(item);
    while (list.childElementCount > LOG_LIMIT) list.lastElementChild!.remove();
    empty.hidden = true;
  };
  for (const name of VOICE_AGENT_EVENTS) document.addEventListener(name, add);

  clear.addEventListener('click', () => {
    list.replaceChildren();
    empty.hidden = false;
  });
}

async function wireFaults(): Promise<void> {
  const select = byId<HTMLSelectElement>('fault');
  const description = byId('fault-description');
  const expected = byId('fault-expected');
  const urlText = byId('fault-url');
  const plain = { description: description.textContent ?? '', expect: expected.textContent ?? '' };

  let faults: FaultInfo[];
  try {
    const res = await fetch('/api/faults');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    faults = (await res.json()) as FaultInfo[];
  } catch (err) {
    description.textContent = `The fault catalogue could not be loaded (${String(err)}); is this page served by npm start?`;
    return;
  }

  for (const fault of faults) {
    // The option says what the fault does, so the list reads without the panel below it.
    select.add(new Option(`${fault.name}: ${fault.description}`, fault.name));
  }
  select.disabled = false;

  select.addEventListener('change', () => {
    const fault = faults.find((f) => f.name === select.value);
    const url = fault ? `${TOKEN_URL}?fault=${encodeURIComponent(fault.name)}` : TOKEN_URL;
    for (const agent of document.querySelectorAll('voice-agent')) agent.setAttribute('token-url', url);
    description.textContent = fault ? `${fault.description} (layer: ${fault.layer})` : plain.description;
    expected.textContent = fault ? fault.expect : plain.expect;
    urlText.textContent = `token-url="${url}"`;
  });
}

renderThemes();
wireLog();
void wireFaults();
