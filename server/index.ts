/**
 * The local voice server: the voice-service emulator, the reference echo agent and the site backend's
 * token proxy, as one Node request handler plus one upgrade handler, so the same thing mounts on Vite's
 * dev server (`npm start`), a bare HTTP server (`npm run agent`) and the browser test runner.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { TOKEN_PATH, VoiceServiceEmulator, type EmulatorOptions } from './emulator.js';
import { FAULTS } from './faults.js';
import { requestPath, sendJson } from './http.js';
import { decodeWav } from './pcm.js';
import { createSiteBackend, SITE_TOKEN_PATH } from './site-backend.js';

/** Options of {@link createVoiceServer}; every field has a default fit for local development. */
export interface VoiceServerOptions extends Partial<Omit<EmulatorOptions, 'apiKey'>> {
  /** The API key the emulator accepts and the site backend sends; default: a random development key. */
  apiKey?: string;
  /** Base URL of the voice service the site backend asks for tokens; default: this server's emulator. */
  voiceApiUrl?: string;
  /** The site backend's timeout on the voice service, in ms. */
  upstreamTimeoutMs?: number;
}

/** A mounted voice server. */
export interface VoiceServer {
  /** The API key in force (the generated development key unless one was given). */
  readonly apiKey: string;
  /** Whether {@link apiKey} was generated here (and so may be printed). */
  readonly apiKeyGenerated: boolean;
  /** Handles the request if its path is ours and returns true; returns false (touching nothing) otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes over a WebSocket upgrade if its path is ours and returns true; false otherwise. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Ends every live session with `server_shutdown` and waits for the sockets to close. */
  close(): Promise<void>;
}

/** The greeting shipped with the repository (see assets/make-greeting.sh). */
export function loadGreeting(): Int16Array {
  return decodeWav(readFileSync(new URL('./assets/greeting.wav', import.meta.url)));
}

/** Options from the environment: `VOICE_API_KEY` and `VOICE_API_URL`, as a real site backend reads them. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): VoiceServerOptions {
  return { apiKey: env.VOICE_API_KEY || undefined, voiceApiUrl: env.VOICE_API_URL || undefined };
}

/** Writes a line to stderr with the server's prefix. */
const defaultLog = (line: string) => console.error(`[voice] ${line}`);

/** Creates the voice server: `POST /api/v1/sdk/token`, its socket, `POST /api/voice-token`, `GET /api/faults`. */
export function createVoiceServer(options: VoiceServerOptions = {}): VoiceServer {
  const apiKey = options.apiKey ?? `dev_${randomBytes(16).toString('hex')}`;
  const log = options.log ?? defaultLog;
  const emulator = new VoiceServiceEmulator({
    apiKey,
    greeting: options.greeting ?? loadGreeting(),
    tokenTtlMs: options.tokenTtlMs ?? 60_000,
    now: options.now ?? Date.now,
    readyDelayMs: options.readyDelayMs ?? 250,
    faultDelayMs: options.faultDelayMs ?? 3_000,
    slowTokenMs: options.slowTokenMs ?? 3_000,
    connectedDelayMs: options.connectedDelayMs ?? 1_000,
    outageMs: options.outageMs ?? 30_000,
    authTimeoutMs: options.authTimeoutMs ?? 10_000,
    maxSessionMs: options.maxSessionMs ?? 10 * 60_000,
    vad: options.vad,
    log,
    onFrame: options.onFrame,
  });
  const siteBackend = createSiteBackend({
    upstreamUrl: options.voiceApiUrl,
    apiKey,
    timeoutMs: options.upstreamTimeoutMs ?? 8_000,
    log,
  });

  return {
    apiKey,
    apiKeyGenerated: options.apiKey === undefined,
    handle(req, res) {
      const path = requestPath(req);
      if (path === TOKEN_PATH) void emulator.handleToken(req, res);
      else if (path === SITE_TOKEN_PATH) void siteBackend(req, res);
      else if (path === '/api/faults' && req.method === 'GET') sendJson(res, 200, FAULTS);
      else return false;
      return true;
    },
    upgrade: (req, socket, head) => emulator.handleUpgrade(req, socket, head),
    close: () => emulator.close(),
  };
}

/** Serves only the voice server on a bare HTTP server (other paths 404; foreign upgrades are refused). */
export async function listenVoiceServer(voice: VoiceServer, port: number, host?: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (!voice.handle(req, res)) sendJson(res, 404, { error: `No route for ${req.method} ${requestPath(req)}.` });
  });
  server.on('upgrade', (req, socket, head) => {
    if (!voice.upgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
