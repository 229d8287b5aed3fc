/**
 * The site's own token endpoint, as a site integrating `<voice-agent>` would write it: the browser
 * calls `POST /api/voice-token`; this calls the voice service's token API with the secret key and
 * returns `{ token, ws_url }` only. Every upstream failure becomes a clean 502/504 `{ error }` that
 * names the failure and never the key. With no upstream configured it calls the emulator on this same
 * server through a real HTTP request, so the local path exercises exactly this code.
 *
 * No CORS here on purpose: only pages of the site itself may mint tokens with its key.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { FAULTS, isFaultName } from './faults.js';
import { header, HttpError, readJsonObject, sendJson } from './http.js';
import { TOKEN_PATH } from './emulator.js';

/** The site backend's token endpoint. */
export const SITE_TOKEN_PATH = '/api/voice-token';

/** Options of {@link createSiteBackend}. */
export interface SiteBackendOptions {
  /** Base URL of the voice service (`VOICE_API_URL`); undefined: the emulator on this server. */
  upstreamUrl: string | undefined;
  /** The secret API key (`VOICE_API_KEY`). */
  apiKey: string;
  /** Give up on the voice service after this long (ms). */
  timeoutMs: number;
  /** Receives one line per failed token request. */
  log: (line: string) => void;
}

/** The address this request arrived on: how the server reaches itself without trusting the Host header. */
function selfOrigin(req: IncomingMessage): string {
  const { localAddress, localPort } = req.socket;
  const host = localAddress?.includes(':') ? `[${localAddress}]` : localAddress;
  return `${(req.socket as TLSSocket).encrypted ? 'https' : 'http'}://${host}:${localPort}`;
}

/** Gets `{ token, ws_url }` from the voice service, or throws an HttpError 502/504 naming the failure. */
async function requestToken(
  req: IncomingMessage,
  options: SiteBackendOptions,
  fault: string | undefined,
): Promise<{ token: string; ws_url: string }> {
  const self = options.upstreamUrl === undefined;
  const base = (options.upstreamUrl ?? selfOrigin(req)).replace(/\/+$/, '');
  const headers: Record<string, string> = {
    Authorization: `Bearer ${options.apiKey}`,
    'Content-Type': 'application/json',
  };
  if (self) {
    // The emulator builds ws_url from the host the browser used, not the loopback address we call it on.
    headers['X-Forwarded-Host'] = header(req, 'host') ?? '';
    headers['X-Forwarded-Proto'] = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  }
  const seconds = options.timeoutMs / 1000;
  let status: number;
  let text: string;
  try {
    const res = await fetch(`${base}${TOKEN_PATH}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(fault ? { fault } : {}),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') {
      throw new HttpError(504, `Voice service did not answer within ${seconds} s.`);
    }
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new HttpError(502, `Voice service unreachable (${cause?.code ?? (err as Error).name}).`);
  }
  if (status < 200 || status > 299) {
    const hint = status === 401 || status === 403 ? ' Check VOICE_API_KEY.' : '';
    throw new HttpError(502, `Voice service answered HTTP ${status}.${hint}`);
  }
  let body: { token?: unknown; ws_url?: unknown } | null;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(502, 'Voice service answered with invalid JSON.');
  }
  if (typeof body?.token !== 'string' || !body.token) throw new HttpError(502, 'Voice service answer has no token.');
  if (typeof body.ws_url !== 'string' || !body.ws_url) throw new HttpError(502, 'Voice service answer has no ws_url.');
  return { token: body.token, ws_url: body.ws_url };
}

/** Creates the `POST /api/voice-token` handler; `?fault=NAME` picks a fault for the session. */
export function createSiteBackend(
  options: SiteBackendOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      if (req.method !== 'POST') throw new HttpError(405, 'Use POST.');
      await readJsonObject(req); // the widget sends {}; a real site would read its own fields here
      const fault = new URL(req.url ?? '/', 'http://x').searchParams.get('fault') || undefined;
      if (fault !== undefined && !isFaultName(fault))
        throw new HttpError(400, `Unknown fault ${JSON.stringify(fault)}.`);
      if (fault === 'token-500') throw new HttpError(500, 'Simulated site backend failure (fault token-500).');
      const layer = FAULTS.find((f) => f.name === fault)?.layer;
      const { token, ws_url } = await requestToken(req, options, layer === 'site-backend' ? undefined : fault);

      if (fault === 'token-bad-json') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end('{"token": '); // cut off mid-answer
      } else if (fault === 'token-no-token') sendJson(res, 200, { ws_url });
      else if (fault === 'token-insecure-url') sendJson(res, 200, { token, ws_url: ws_url.replace(/^wss?:/, 'http:') });
      else sendJson(res, 200, { token, ws_url });
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : 'Internal error.';
      options.log(`${SITE_TOKEN_PATH}: ${status} ${message}`);
      sendJson(res, status, { error: message });
    }
  };
}
