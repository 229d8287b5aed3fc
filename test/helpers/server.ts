// Shared by the server tests: a real voice server on an ephemeral 127.0.0.1 port, a `ws` client that
// records everything it receives, and signal generators for 20 ms frames.
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createVoiceServer, listenVoiceServer, type VoiceServer, type VoiceServerOptions } from '../../server/index.js';
import { FRAME_SAMPLES, WIRE_RATE } from '../../src/wire.js';
import { bytesToSamples, toFrames } from '../../server/pcm.js';
import { floatToInt16 } from '../../src/dsp/pcm.js';
import { sine } from '../../tools/signals.js';

export const API_KEY = 'test-key-0123456789';

export interface TestServer {
  voice: VoiceServer;
  /** `http://127.0.0.1:PORT` */
  base: string;
  port: number;
  /** Every line the server logged. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * Starts a server with test-friendly defaults: a known key, a 0.1 s silent greeting, a quick
 * agent_ready. Override any option (e.g. `greeting: loadGreeting()`).
 */
export async function startServer(options: VoiceServerOptions = {}): Promise<TestServer> {
  const logs: string[] = [];
  const voice = createVoiceServer({
    apiKey: API_KEY,
    greeting: new Int16Array(FRAME_SAMPLES * 5),
    readyDelayMs: 20,
    log: (line) => logs.push(line),
    ...options,
  });
  const http = await listenVoiceServer(voice, 0, '127.0.0.1');
  const { port } = http.address() as AddressInfo;
  return {
    voice,
    base: `http://127.0.0.1:${port}`,
    port,
    logs,
    async close() {
      await voice.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

/** `POST /api/v1/sdk/token` with the test key; returns the parsed answer. */
export async function serviceToken(base: string, body: unknown = {}): Promise<{ token: string; ws_url: string }> {
  const res = await fetch(`${base}/api/v1/sdk/token`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; ws_url: string };
}

/** A received binary frame and when it arrived (performance.now()). */
export interface AudioFrame {
  bytes: Buffer;
  at: number;
}

/** A `ws` client that records every message and the close. */
export class TestClient {
  readonly ws: WebSocket;
  readonly messages: ({ type?: unknown } & Record<string, unknown>)[] = [];
  /** Text frames that were not JSON. */
  readonly rawText: string[] = [];
  readonly audio: AudioFrame[] = [];
  /** Resolves on close with its code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.notify();
      });
    });
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.audio.push({ bytes: data, at: performance.now() });
      else {
        const text = data.toString();
        try {
          this.messages.push(JSON.parse(text));
        } catch {
          this.rawText.push(text);
        }
      }
      this.notify();
    });
  }

  /** Opens a socket and sends the token as the first message. */
  static async connect(ws_url: string, token: string): Promise<TestClient> {
    const client = new TestClient(ws_url);
    await client.opened;
    client.ws.send(JSON.stringify({ token }));
    return client;
  }

  /** Resolves once `predicate` holds (checked after every message), or rejects after `timeoutMs`. */
  async until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for a text message of `type` and returns it. */
  async message(type: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
    await this.until(() => this.messages.some((m) => m.type === type), `a "${type}" message`, timeoutMs);
    return this.messages.find((m) => m.type === type)!;
  }

  /** Sends frames back to back (the VAD counts frames, not wall time). */
  sendFrames(frames: readonly Buffer[]): void {
    for (const frame of frames) this.ws.send(frame);
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Int16 samples at the wire rate of a sine tone. */
export function toneSamples(seconds: number, { freq = 440, amplitude = 0.3 } = {}): Int16Array {
  return floatToInt16(sine(freq, WIRE_RATE, Math.round(seconds * WIRE_RATE), { amplitude }));
}

/** 20 ms frames of a sine tone. */
export function toneFrames(seconds: number, options: { freq?: number; amplitude?: number } = {}): Buffer[] {
  return toFrames(toneSamples(seconds, options));
}

/** 20 ms frames of digital silence. */
export function silenceFrames(seconds: number): Buffer[] {
  return toFrames(new Int16Array(Math.round(seconds * WIRE_RATE)));
}

/** Samples of received audio frames, concatenated. */
export function samplesOf(frames: readonly AudioFrame[]): Int16Array {
  return bytesToSamples(Buffer.concat(frames.map((f) => f.bytes)));
}

export { sleep } from '../../tools/wait.js';
