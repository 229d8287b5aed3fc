// Part 5: the routes agent audio can take to the speakers, and what each costs in latency. Browsers' echo
// cancellers take their reference from different places (see README, "Reliability: echo on speakers"),
// and voice widgets route around that: ElevenLabs through a MediaStreamDestination into an <audio>
// element, Hubs through an RTCPeerConnection loopback. This measures, in headless Chromium, how much
// later a tone burst arrives through each route than through the direct one (what the widget does),
// all inside one AudioContext, so the figures are differences of one clock.
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, chromiumFlags } from '../tools/chromium.js';
import { fixed, median, type Section } from './report.js';

/** Bursts per route; each is matched to its own arrival. */
const BURSTS = 12;
const SPACING_S = 0.4;

/**
 * Runs in the page. One context; a 10 ms 1 kHz burst every SPACING_S goes out through each route and
 * comes back into the same context, where a recorder worklet notes the context frame of each onset:
 * - direct: source → tap (the tap is where context.destination would be);
 * - stream: source → MediaStreamAudioDestinationNode → MediaStreamAudioSourceNode → tap (the round
 *   trip through a MediaStream alone, which the two routes below also contain: the calibration);
 * - element: … → MediaStreamDestination → <audio>.srcObject, playing → audio.captureStream() → tap;
 * - webrtc: … → MediaStreamDestination → RTCPeerConnection → loopback peer → remote track → tap.
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>echo routes</title><script type="module">
const RECORDER = \`registerProcessor('onsets', class extends AudioWorkletProcessor {
  constructor() { super(); this.quiet = 1e9; }
  process(inputs) {
    const x = inputs[0][0];
    if (!x) return true;
    for (let i = 0; i < x.length; i++) {
      if (Math.abs(x[i]) > 0.05) { if (this.quiet > 0.2 * sampleRate) this.port.postMessage(currentFrame + i); this.quiet = 0; }
      else this.quiet++;
    }
    return true;
  }
});\`;
window.run = async (bursts, spacing) => {
  // A granted microphone lifts Chromium's mDNS masking of host candidates, so the loopback can connect.
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  const ctx = new AudioContext();
  await ctx.resume();
  await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([RECORDER], { type: 'text/javascript' })));
  const onsets = {};
  const tap = (name, node) => {
    onsets[name] = [];
    const t = new AudioWorkletNode(ctx, 'onsets', { numberOfOutputs: 0 });
    t.port.onmessage = (e) => onsets[name].push(e.data);
    node.connect(t);
  };
  const bus = new GainNode(ctx);
  tap('direct', bus);
  const dest = new MediaStreamAudioDestinationNode(ctx);
  bus.connect(dest);
  tap('stream', new MediaStreamAudioSourceNode(ctx, { mediaStream: dest.stream }));
  const element = new Audio();
  element.srcObject = dest.stream;
  await element.play();
  tap('element', new MediaStreamAudioSourceNode(ctx, { mediaStream: element.captureStream() }));
  let webrtc = 'connected';
  try {
    const a = new RTCPeerConnection(), b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
    const remote = new Promise((resolve) => (b.ontrack = (e) => resolve(e.streams[0] ?? new MediaStream([e.track]))));
    a.addTrack(dest.stream.getAudioTracks()[0], dest.stream);
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription);
    const stream = await Promise.race([remote, new Promise((_, no) => setTimeout(() => no(new Error('no track')), 5000))]);
    // Chromium pulls a remote track only while a media element plays it.
    const sink = new Audio();
    sink.muted = true;
    sink.srcObject = stream;
    await sink.play();
    tap('webrtc', new MediaStreamAudioSourceNode(ctx, { mediaStream: stream }));
  } catch (err) {
    webrtc = String(err);
  }
  const burst = new AudioBuffer({ length: Math.round(ctx.sampleRate / 100), sampleRate: ctx.sampleRate });
  burst.getChannelData(0).forEach((_, i, d) => (d[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / ctx.sampleRate)));
  const start = ctx.currentTime + 1.5; // after every route has started flowing
  for (let k = 0; k < bursts; k++) {
    const src = new AudioBufferSourceNode(ctx, { buffer: burst });
    src.connect(bus);
    src.start(start + k * spacing);
  }
  await new Promise((r) => setTimeout(r, (1.5 + bursts * spacing + 1) * 1000));
  const rate = ctx.sampleRate;
  const settings = mic.getAudioTracks()[0].getSettings();
  mic.getTracks().forEach((t) => t.stop());
  await ctx.close();
  return { onsets, rate, webrtc, echoCancellation: settings.echoCancellation ?? null, outputLatency: ctx.outputLatency ?? 0 };
};
</script>`;

interface Result {
  onsets: Record<string, number[]>;
  rate: number;
  webrtc: string;
  echoCancellation: boolean | null;
}

/** Runs part 5. */
export async function echoPart(): Promise<Section> {
  const server = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: chromiumFlags() });
  let result: Result;
  try {
    const page = await browser.newPage();
    await page.goto(origin);
    await page.waitForFunction(() => 'run' in window);
    result = (await page.evaluate(
      ([bursts, spacing]) =>
        (window as unknown as { run(b: number, s: number): Promise<unknown> }).run(bursts, spacing),
      [BURSTS, SPACING_S],
    )) as Result;
  } finally {
    await browser.close();
    server.close();
  }

  const { onsets, rate } = result;
  const direct = onsets.direct;
  /** Per burst: how much later than the direct route it arrived, in ms (bursts the route lost are skipped). */
  const delays = (name: string) =>
    (onsets[name] ?? []).flatMap((frame) => {
      const sent = direct.filter((d) => d <= frame).at(-1);
      return sent !== undefined && frame - sent < SPACING_S * rate ? [((frame - sent) * 1000) / rate] : [];
    });
  const routes: [string, string, string][] = [
    ['direct: worklet → context.destination (ours, every engine)', 'direct', ''],
    ['calibration: through a MediaStream and back into the context', 'stream', ''],
    ['MediaStreamDestination → <audio> element (ElevenLabs)', 'element', ''],
    ['MediaStreamDestination → RTCPeerConnection loopback → <audio> (Hubs)', 'webrtc', result.webrtc],
  ];
  const calibration = median(delays('stream')) ?? NaN;
  const rows = routes.map(([label, name, problem]) => {
    const d = delays(name);
    if (!d.length) return [label, '—', '—', '—', problem || 'no burst arrived'];
    const extra = name === 'direct' || name === 'stream' ? '—' : `${fixed(median(d)! - calibration)} ms`;
    return [label, `${fixed(median(d)!)} ms`, `${fixed(Math.max(...d))} ms`, extra, `${d.length}/${BURSTS}`];
  });
  return {
    title: 'Echo routes: latency of each way to the speakers (headless Chromium)',
    header: ['route', 'later than direct: median', 'max', 'of which the route itself (less calibration)', 'bursts'],
    rows,
    notes: [
      `${BURSTS} bursts of 10 ms at 1 kHz, ${SPACING_S * 1000} ms apart, into every route at once in one AudioContext ` +
        `(${rate / 1000} kHz); each route comes back into the same context, where a worklet notes the frame of each ` +
        'onset, so every figure is a difference on one clock.',
      'The element and WebRTC routes can only be observed by bringing their stream back into the context, which costs ' +
        'the calibration row itself; the last column subtracts it. Each route then adds its own device buffer (the ' +
        "context's outputLatency for the direct route), which no page can measure.",
      `Chromium's echoCancellation for the fake microphone: ${result.echoCancellation}. What each engine's canceller ` +
        'takes as its reference is documented in the README (Reliability: echo on speakers); the widget keeps the direct route.',
    ],
    failures: [],
    data: { ...result, delays: Object.fromEntries(routes.map(([, name]) => [name, delays(name)])) },
  };
}
