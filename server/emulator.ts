/**
 * Emulator of the voice service's own API, as its browser quick-start calls it: `POST
 * /api/v1/sdk/token` (Bearer API key → `{ token, ws_url }`, CORS-enabled so the quick-start page works
 * from any origin) and the session WebSocket (token first, then `connected`, `agent_ready`, audio both
 * ways, `session_ended`). Each session talks to an {@link EchoAgent} and may play out a fault.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { EchoAgent } from './agent.js';
import { endedReason, isFaultName, type FaultName } from './faults.js';
import { header, HttpError, readJsonObject, requestPath, sendJson } from './http.js';
import { FRAME_BYTES } from '../src/wire.js';
import { bytesToSamples } from './pcm.js';
import { TokenStore } from './tokens.js';
import type { VadOptions } from './vad.js';

/** The token endpoint. */
export const TOKEN_PATH = '/api/v1/sdk/token';
/** The session socket. */
export const SOCKET_PATH = '/api/v1/sdk/ws';
/** A socket path whose upgrade is always rejected (the `refuse-socket` fault). */
export const REFUSED_SOCKET_PATH = '/api/v1/sdk/ws-refused';

/** Text of the `server-error` fault: HTML-shaped, so a widget that renders it as HTML shows it. */
export const XSS_PROBE = '<img src=x onerror=alert(1)>';

/** Options of {@link VoiceServiceEmulator}; all durations in ms. */
export interface EmulatorOptions {
  /** The only API key the token endpoint accepts. */
  apiKey: string;
  /** What the agent says when the session is ready. */
  greeting: Int16Array;
  /** Token lifetime. */
  tokenTtlMs: number;
  /** Clock for token expiry (epoch ms). */
  now: () => number;
  /** Between `connected` and `agent_ready`. */
  readyDelayMs: number;
  /** From `connected` to the fault of a socket-layer fault. */
  faultDelayMs: number;
  /** Delay of the `slow-token` fault. */
  slowTokenMs: number;
  /** How late `connected` comes with the `slow-connected` fault. */
  connectedDelayMs: number;
  /** How long the token API refuses `outage` tokens after an `outage` session dropped. */
  outageMs: number;
  /** How long a new socket may take to send its token. */
  authTimeoutMs: number;
  /** A session is ended (`session_closed`) after this long. */
  maxSessionMs: number;
  /** Agent VAD tuning. */
  vad?: Partial<VadOptions>;
  /** Receives one line per session. */
  log: (line: string) => void;
  /**
   * Called for every microphone frame accepted (`in`) and agent frame sent (`out`), with the id of the
   * session (socket) it was on: the bench and the soak time them.
   */
  onFrame?: (direction: 'in' | 'out', session: number) => void;
}

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Max-Age': '600',
};

/** SHA-256 both sides so the comparison is constant-time whatever the lengths. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** `ws(s)://host/path` for the host the client reached us by (a proxy in front may say so). */
function socketUrl(req: IncomingMessage, path: string): string {
  const host = header(req, 'x-forwarded-host') ?? header(req, 'host');
  if (!host) throw new HttpError(400, 'Missing Host header.');
  const secure = header(req, 'x-forwarded-proto') === 'https' || (req.socket as TLSSocket).encrypted === true;
  try {
    return new URL(path, `${secure ? 'wss' : 'ws'}://${host}`).href;
  } catch {
    throw new HttpError(400, 'Invalid Host header.');
  }
}

/** The voice service's token API and session sockets. */
export class VoiceServiceEmulator {
  private readonly tokens: TokenStore;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly sessions = new Set<Session>();
  private nextId = 1;
  private closed: Promise<void> | undefined;
  /** Until when (epoch ms, the options' clock) the `outage` fault keeps the token API down. */
  private outageUntil = 0;

  constructor(readonly options: EmulatorOptions) {
    this.tokens = new TokenStore(options.tokenTtlMs, options.now);
  }

  /** Handles `OPTIONS` and `POST` on {@link TOKEN_PATH}. */
  async handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'OPTIONS') {
      // Chrome's Private Network Access asks before a public page may call a local server.
      const pna = header(req, 'access-control-request-private-network') === 'true';
      res.writeHead(204, { ...CORS_HEADERS, ...(pna ? { 'Access-Control-Allow-Private-Network': 'true' } : {}) });
      res.end();
      return;
    }
    try {
      if (req.method !== 'POST') throw new HttpError(405, 'Use POST.');
      const auth = header(req, 'authorization') ?? '';
      const match = /^Bearer (.+)$/i.exec(auth);
      if (!match || !sameSecret(match[1].trim(), this.options.apiKey)) {
        throw new HttpError(401, 'Missing or invalid API key (Authorization: Bearer <key>).');
      }
      const { fault } = await readJsonObject(req);
      if (fault !== undefined && !isFaultName(fault))
        throw new HttpError(400, `Unknown fault ${JSON.stringify(fault)}.`);
      if (fault === 'slow-token') await new Promise((resolve) => setTimeout(resolve, this.options.slowTokenMs));
      if (fault === 'outage' && this.options.now() < this.outageUntil) {
        throw new HttpError(503, 'Simulated outage (fault outage).');
      }
      const path = fault === 'refuse-socket' ? REFUSED_SOCKET_PATH : SOCKET_PATH;
      const ws_url = socketUrl(req, path);
      sendJson(res, 200, { token: this.tokens.issue(fault), ws_url }, CORS_HEADERS);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      sendJson(res, status, { error: err instanceof HttpError ? err.message : 'Internal error.' }, CORS_HEADERS);
    }
  }

  /** Takes over an HTTP upgrade on one of our socket paths; returns false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = requestPath(req);
    if (path !== SOCKET_PATH && path !== REFUSED_SOCKET_PATH) return false;
    if (path === REFUSED_SOCKET_PATH || this.closed) {
      const status = this.closed ? '503 Service Unavailable' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(this.nextId++, ws, req.socket.remoteAddress ?? '?', this);
      this.sessions.add(session);
      ws.once('close', () => this.sessions.delete(session));
    });
    return true;
  }

  /** The `outage` fault: the service is down for `outageMs` from now. */
  startOutage(): void {
    this.outageUntil = this.options.now() + this.options.outageMs;
  }

  /** Redeems a session's token (once). */
  redeem(token: string) {
    return this.tokens.redeem(token);
  }

  /**
   * Ends every session with `session_ended: server_shutdown` and waits (≤ 2 s) for the sockets to
   * close; later upgrades are refused. Idempotent.
   */
  close(): Promise<void> {
    this.closed ??= Promise.all([...this.sessions].map((s) => s.shutDown())).then(() => this.wss.close());
    return this.closed;
  }
}

type SessionState = 'awaiting-token' | 'live' | 'ended';

/** One client socket, from the token message to the close. */
class Session {
  private state: SessionState = 'awaiting-token';
  private agent: EchoAgent | undefined;
  private fault: FaultName | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly startedAt = new Date();
  private outcome: string | undefined;
  private framesIn = 0;
  private framesOut = 0;

  constructor(
    private readonly id: number,
    private readonly ws: WebSocket,
    private readonly remote: string,
    private readonly service: VoiceServiceEmulator,
  ) {
    const { authTimeoutMs } = service.options;
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code) => this.finish(`socket closed (${code})`));
    ws.on('error', () => {}); // a 'close' always follows; the log line says how it ended
    this.after(authTimeoutMs, () => this.refuse('invalid_token', `No token within ${authTimeoutMs / 1000} s.`));
  }

  /** Ends the session for a server shutdown and resolves once the socket is closed (or forced shut). */
  shutDown(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === this.ws.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      if (this.state === 'live') this.end('server_shutdown');
      else this.ws.close(1001, 'server shutdown');
      setTimeout(() => this.ws.terminate(), 2000).unref();
    });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (this.state === 'awaiting-token') this.authenticate(bytes, isBinary);
    else if (this.state !== 'live') return;
    else if (!isBinary) this.error('unexpected_message', 'Only 640-byte audio frames are expected after the token.');
    else if (bytes.length !== FRAME_BYTES) {
      this.error('invalid_frame', `Audio frames must be exactly ${FRAME_BYTES} bytes; got ${bytes.length}.`);
    } else {
      this.framesIn++;
      this.service.options.onFrame?.('in', this.id);
      this.agent?.hear(bytesToSamples(bytes));
    }
  }

  private authenticate(bytes: Buffer, isBinary: boolean): void {
    const usage = 'The first message must be the text {"token": "..."}.';
    if (isBinary) return this.refuse('invalid_token', `${usage} Got audio.`);
    let token: unknown;
    try {
      token = (JSON.parse(bytes.toString('utf8')) as { token?: unknown } | null)?.token;
    } catch {
      return this.refuse('invalid_token', `${usage} Got text that is not JSON.`);
    }
    if (typeof token !== 'string' || !token) return this.refuse('invalid_token', usage);
    const redemption = this.service.redeem(token);
    if (!redemption.ok) return this.refuse(redemption.code, redemption.message);
    this.begin(redemption.fault);
  }

  private begin(fault: FaultName | undefined): void {
    const { options } = this.service;
    this.clearTimers(); // the auth timeout
    this.state = 'live';
    this.fault = fault;
    this.agent = new EchoAgent((frame) => this.sendAudio(frame), {
      greeting: options.greeting,
      jitterMs: fault === 'jitter' ? 50 : 0,
      vad: options.vad,
    });
    const connectedAt = fault === 'slow-connected' ? options.connectedDelayMs : 0;
    this.after(connectedAt, () => this.send({ type: 'connected' }));
    this.after(connectedAt + options.readyDelayMs, () => {
      this.send({ type: 'agent_ready' });
      this.agent?.greet();
    });
    this.after(options.maxSessionMs, () => this.end('session_closed'));
    const reason = endedReason(fault);
    if (reason) this.after(options.faultDelayMs, () => this.end(reason));
    if (fault === 'drop' || fault === 'outage') {
      this.after(options.faultDelayMs, () => {
        this.outcome = `dropped (fault ${fault})`;
        if (fault === 'outage') this.service.startOutage();
        this.ws.terminate(); // no close frame, no session_ended: an unexpected drop for the client
      });
    }
    if (fault === 'server-error') {
      this.after(options.faultDelayMs, () => this.error('internal_error', `Simulated service error ${XSS_PROBE}`));
    }
    if (fault === 'malformed') this.after(options.faultDelayMs, () => this.sendMalformed());
  }

  /** One of each thing a client must survive: not JSON, no type, odd-length audio, an unknown type. */
  private sendMalformed(): void {
    this.ws.send('this is not JSON {');
    this.ws.send(JSON.stringify({ message: 'JSON without a type' }));
    this.ws.send(Buffer.alloc(FRAME_BYTES + 1), { binary: true });
    this.ws.send(JSON.stringify({ type: 'transcript', role: 'agent', text: 'An extension message.' }));
  }

  private sendAudio(frame: Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(frame, { binary: true });
    this.framesOut++;
    this.service.options.onFrame?.('out', this.id);
  }

  private send(message: { type: string } & Record<string, unknown>): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  private error(code: string, message: string): void {
    this.send({ type: 'error', code, message });
  }

  /** Token problems: an `error`, then a policy-violation close. */
  private refuse(code: string, message: string): void {
    this.state = 'ended';
    this.outcome = `refused: ${code}`;
    this.error(code, message);
    this.ws.close(1008, code);
  }

  /** The agent's side ends the session: `session_ended`, then a normal close. */
  private end(reason: string): void {
    if (this.state !== 'live') return;
    this.state = 'ended';
    this.outcome = `session_ended: ${reason}`;
    this.agent?.stop();
    this.send({ type: 'session_ended', reason });
    this.ws.close(1000, reason);
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Socket closed, whoever closed it: release everything and write the session's one log line. */
  private finish(closedHow: string): void {
    this.state = 'ended';
    this.clearTimers();
    this.agent?.stop();
    const seconds = ((Date.now() - this.startedAt.getTime()) / 1000).toFixed(1);
    const fault = this.fault ? `, fault ${this.fault}` : '';
    this.service.options.log(
      `session #${this.id} from ${this.remote} started ${this.startedAt.toISOString()}, lasted ${seconds} s, ` +
        `${this.outcome ?? closedHow}${fault}; audio frames in ${this.framesIn}, out ${this.framesOut}`,
    );
  }
}
