import { VoiceAgentError, toVoiceAgentError } from '../errors.js';

/** What a token source answers: the wire shape of the voice service's token endpoint. */
export interface TokenResponse {
  /** Opaque session token: sent once as the socket's first message, never shown or logged. */
  token: string;
  /** The voice service's WebSocket URL: `wss:`, or `ws:` on a loopback host. */
  ws_url: string;
}

/** Where the session gets its token: the integrator's function wins over the built-in request. */
export interface TokenSource {
  tokenUrl?: string;
  fetchToken?: () => Promise<TokenResponse>;
}

/** How long a token request may take before it fails, in milliseconds. */
export const DEFAULT_TOKEN_TIMEOUT_MS = 10_000;

// Plain `ws:` sends the token in clear text, which is only acceptable without a network in between.
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Checks `ws_url` and returns it normalised; throws `token_invalid` naming the problem (never echoing the URL). */
export function checkWsUrl(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new VoiceAgentError('token_invalid/url_missing');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new VoiceAgentError('token_invalid/url_relative');
  }
  if (url.protocol === 'ws:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new VoiceAgentError('token_invalid/url_insecure', { host: url.hostname });
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    throw new VoiceAgentError('token_invalid/url_scheme', { protocol: url.protocol });
  }
  // The WebSocket constructor throws on a fragment; say so here rather than as a socket failure.
  if (url.hash) throw new VoiceAgentError('token_invalid/url_fragment');
  return url.href;
}

/** Validates a token source's answer (already parsed from JSON); throws `token_invalid`. */
export function parseTokenResponse(value: unknown): TokenResponse {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new VoiceAgentError('token_invalid/not_object');
  const { token, ws_url } = value as Record<string, unknown>;
  if (token === undefined || token === null) throw new VoiceAgentError('token_invalid/token_missing');
  if (typeof token !== 'string') throw new VoiceAgentError('token_invalid/token_type');
  if (token === '') throw new VoiceAgentError('token_invalid/token_empty');
  return { token, ws_url: checkWsUrl(ws_url) };
}

/**
 * Turns the token endpoint's HTTP answer into a token: non-2xx is `token_request_failed` (with
 * `httpStatus`; the body is not quoted, it may be a whole HTML page), a bad body is `token_invalid`.
 */
export function parseTokenHttpResponse(status: number, body: string): TokenResponse {
  if (status < 200 || status > 299) {
    throw new VoiceAgentError('token_request_failed/http', { httpStatus: status });
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new VoiceAgentError('token_invalid/not_json');
  }
  return parseTokenResponse(value);
}

/**
 * Gets a validated token from `fetchToken` or by POSTing `{}` to `tokenUrl`. Fails with
 * `token_request_failed` after `timeoutMs`, or at once when `signal` aborts; either way the request
 * is aborted and the timer cleared.
 */
export async function obtainToken(source: TokenSource, timeoutMs: number, signal: AbortSignal): Promise<TokenResponse> {
  // A race, not just an abort: a custom fetchToken cannot be aborted, and must not hold the session.
  let fail!: (err: VoiceAgentError) => void;
  const deadline = new Promise<never>((_, reject) => (fail = reject));
  const timer = setTimeout(() => fail(new VoiceAgentError('token_request_failed/timeout', { timeoutMs })), timeoutMs);
  const cancel = () => fail(new VoiceAgentError('token_request_failed/cancelled'));
  signal.addEventListener('abort', cancel);
  const controller = new AbortController();
  try {
    return await Promise.race([fetchFromSource(source, controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', cancel);
    controller.abort();
  }
}

async function fetchFromSource(source: TokenSource, signal: AbortSignal): Promise<TokenResponse> {
  if (source.fetchToken) {
    let value: unknown;
    try {
      value = await source.fetchToken();
    } catch (err) {
      throw toVoiceAgentError(err, 'token_request_failed/fetch_token');
    }
    return parseTokenResponse(value);
  }
  if (!source.tokenUrl) {
    throw new VoiceAgentError('token_request_failed/no_source');
  }
  let status: number;
  let body: string;
  try {
    const response = await fetch(source.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
      signal,
    });
    status = response.status;
    body = await response.text();
  } catch (err) {
    throw toVoiceAgentError(err, 'token_request_failed');
  }
  return parseTokenHttpResponse(status, body);
}
