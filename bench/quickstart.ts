// The voice service's browser quick-start, its audio methods re-implemented (in our words) as the
// baseline the bench compares against. Kept faithful on purpose, flaws included.

/** The quick-start captures with `createScriptProcessor(4096, 1, 1)`: one callback per 4096 samples. */
export const QUICKSTART_BLOCK = 4096;

/**
 * The quick-start's downsampling of one block: sample `i` of the output is input sample
 * `floor(i * ratio)`, no filter, and the input left over after the last whole output sample is dropped,
 * block by block (so the output count drifts whenever the block is not a multiple of the ratio).
 */
export function quickstartDownsample(input: Float32Array, inRate: number, outRate: number): Float32Array {
  const ratio = inRate / outRate;
  const out = new Float32Array(Math.floor(input.length / ratio));
  for (let i = 0; i < out.length; i++) out[i] = input[Math.floor(i * ratio)];
  return out;
}

/**
 * The quick-start's playback: each arriving frame becomes an AudioBufferSourceNode started at
 * `nextStartTime = max(nextStartTime, now)`. There is no prebuffer, so every frame that arrives after
 * the previous one has finished leaves an audible gap (a click at each edge), and a queue, once built
 * by a burst, is never drained faster than real time: the latency stays.
 */
export class QuickstartScheduler {
  /** When the next frame will start, in context seconds. */
  nextStartTime = 0;
  /** Frames that arrived after the previous one had finished playing (after the first frame). */
  gaps = 0;
  /** Silence heard between frames, in seconds. */
  silence = 0;
  private started = false;

  /** Schedules a frame of `duration` seconds arriving at context time `now`; returns when it starts. */
  schedule(now: number, duration: number): number {
    if (this.nextStartTime < now) {
      // Float noise in the arrival times must not count as a gap.
      if (this.started && now - this.nextStartTime > 1e-9) {
        this.gaps++;
        this.silence += now - this.nextStartTime;
      }
      this.nextStartTime = now;
    }
    this.started = true;
    const start = this.nextStartTime;
    this.nextStartTime += duration;
    return start;
  }

  /** Audio scheduled but not yet played at time `now`, in seconds. */
  queuedAt(now: number): number {
    return Math.max(0, this.nextStartTime - now);
  }
}

/**
 * The quick-start's complete example page, re-typed: API key in the page, a ScriptProcessor on the
 * main thread capturing at a 16 kHz context, an AudioBufferSourceNode per agent frame, and a cleanup
 * that leaves the playback context open. `start()` / `stop()` are also on `window.quickstart` so the
 * bench can drive it without clicking 50 times.
 */
export function quickstartPageHtml(apiUrl: string, apiKey: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>quick-start baseline</title></head>
<body>
<button id="start">Start</button> <button id="stop" disabled>Stop</button>
<script>
const API_URL = ${JSON.stringify(apiUrl)};
const API_KEY = ${JSON.stringify(apiKey)};
const RATE = 16000;
let ws, micStream, audioCtx, processor, playbackCtx, nextStart = 0;
const startButton = document.getElementById('start');
const stopButton = document.getElementById('stop');

async function start() {
  const res = await fetch(API_URL + '/api/v1/sdk/token', { method: 'POST', headers: { Authorization: 'Bearer ' + API_KEY } });
  const { token, ws_url } = await res.json();
  ws = new WebSocket(ws_url);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => ws.send(JSON.stringify({ token }));
  ws.onmessage = (e) => {
    if (typeof e.data === 'string') {
      const msg = JSON.parse(e.data);
      if (msg.type === 'connected') startMic();
      if (msg.type === 'session_ended') stop();
    } else {
      playPcm(e.data);
    }
  };
  startButton.disabled = true;
  stopButton.disabled = false;
}

async function startMic() {
  micStream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  audioCtx = new AudioContext({ sampleRate: RATE });
  if (audioCtx.state === 'suspended') await audioCtx.resume();
  const source = audioCtx.createMediaStreamSource(micStream);
  processor = audioCtx.createScriptProcessor(4096, 1, 1);
  let residual = new Float32Array(0);
  processor.onaudioprocess = (event) => {
    const input = event.inputBuffer.getChannelData(0);
    let samples;
    if (Math.abs(audioCtx.sampleRate - RATE) > 1) {
      const ratio = audioCtx.sampleRate / RATE;
      samples = new Float32Array(Math.floor(input.length / ratio));
      for (let i = 0; i < samples.length; i++) samples[i] = input[Math.floor(i * ratio)];
    } else {
      samples = new Float32Array(input);
    }
    const joined = new Float32Array(residual.length + samples.length);
    joined.set(residual);
    joined.set(samples, residual.length);
    let offset = 0;
    for (; offset + 320 <= joined.length; offset += 320) {
      const frame = joined.subarray(offset, offset + 320);
      const pcm = new Int16Array(320);
      for (let i = 0; i < 320; i++) {
        const s = Math.max(-1, Math.min(1, frame[i]));
        pcm[i] = s < 0 ? s * 0x8000 : s * 0x7fff;
      }
      ws.send(pcm.buffer.slice(0));
    }
    residual = joined.slice(offset);
  };
  source.connect(processor);
  processor.connect(audioCtx.destination);
}

function playPcm(buffer) {
  if (!playbackCtx) playbackCtx = new AudioContext({ sampleRate: RATE });
  const pcm = new Int16Array(buffer);
  const samples = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / (pcm[i] < 0 ? 0x8000 : 0x7fff);
  const audio = playbackCtx.createBuffer(1, samples.length, RATE);
  audio.getChannelData(0).set(samples);
  const node = playbackCtx.createBufferSource();
  node.buffer = audio;
  node.connect(playbackCtx.destination);
  const now = playbackCtx.currentTime;
  if (nextStart < now) nextStart = now;
  node.start(nextStart);
  nextStart += audio.duration;
}

function stop() {
  processor?.disconnect();
  micStream?.getTracks().forEach((t) => t.stop());
  audioCtx?.close();
  ws?.close();
  startButton.disabled = false;
  stopButton.disabled = true;
}

startButton.onclick = start;
stopButton.onclick = stop;
window.quickstart = { start, stop };
</script>
</body></html>`;
}
