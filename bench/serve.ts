// The bench's local voice server and its pages (our element's, the quick-start's), and the log of when it
// took and sent each frame. Free of Playwright: the busy-page bench runs it in a process of its own.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createVoiceServer, type VoiceServer, type VoiceServerOptions } from '../server/index.js';
import { quickstartPageHtml } from './quickstart.js';

const elementPage = (css = '') => `<!doctype html>
<html><head><meta charset="utf-8"><title>voice-agent bench</title><style>${css}</style></head>
<body><voice-agent token-url="/api/voice-token"></voice-agent><script src="/voice-agent.js"></script></body></html>`;

/** The voice server on a free port, plus the two pages and the built widget. */
export async function serve(
  widgetPath: string,
  options: VoiceServerOptions = {},
): Promise<{ server: Server; voice: VoiceServer; origin: string }> {
  const voice = createVoiceServer({ log: () => {}, ...options });
  const widget = readFileSync(widgetPath);
  const server = createServer((req, res) => {
    const html = (body: string) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(body);
    if (req.url === '/') html(elementPage());
    else if (req.url === '/?meter=hidden') html(elementPage('voice-agent::part(meter) { display: none }'));
    else if (req.url === '/quickstart.html') html(quickstartPageHtml(origin, voice.apiKey));
    else if (req.url === '/voice-agent.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(widget);
    else if (!voice.handle(req, res)) res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    if (!voice.upgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { server, voice, origin };
}

/** Epoch ms, as the pages' marks are: both clocks are this machine's. */
export const epoch = () => performance.timeOrigin + performance.now();

/** When the server accepted each microphone frame (`in`) and sent each agent frame (`out`), epoch ms. */
export class FrameLog {
  readonly in: number[] = [];
  readonly out: number[] = [];
  readonly onFrame = (direction: 'in' | 'out') => this.add(direction, epoch());
  /** Records a frame timed elsewhere (the busy-page bench's server runs in a process of its own). */
  add(direction: 'in' | 'out', at: number) {
    this[direction].push(at);
  }
  firstAfter(direction: 'in' | 'out', t: number): number | undefined {
    return this[direction].find((at) => at >= t);
  }
  count(direction: 'in' | 'out', from: number, to: number): number {
    return this[direction].filter((at) => at >= from && at < to).length;
  }
  /** The longest time between two microphone frames (or agent frames sent, `out`) in [from, to), ms. */
  longestHole(from: number, to: number, direction: 'in' | 'out' = 'in'): number {
    const times = this[direction].filter((at) => at >= from && at < to);
    return times.slice(1).reduce((max, at, i) => Math.max(max, at - times[i]), 0);
  }
}
