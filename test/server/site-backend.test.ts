import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { API_KEY, startServer, TestClient, type TestServer } from '../helpers/server.js';

/** POST /api/voice-token as the widget does it. */
const siteToken = (base: string) =>
  fetch(`${base}/api/voice-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });

describe('site backend: POST /api/voice-token against the built-in emulator', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('returns only { token, ws_url } (never the key), and the token opens a session', async () => {
    const res = await siteToken(server.base);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('access-control-allow-origin'), null, 'no CORS on the site endpoint');
    const text = await res.text();
    assert.ok(!text.includes(API_KEY));
    const body = JSON.parse(text) as { token: string; ws_url: string };
    assert.deepEqual(Object.keys(body).sort(), ['token', 'ws_url']);
    const client = await TestClient.connect(body.ws_url, body.token);
    await client.message('agent_ready');
    client.ws.close(1000);
    await client.closed;
  });

  it('gives a ws_url on the host the browser used, not the loopback address it called itself on', async () => {
    // fetch() may not set Host; node:http may.
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${server.base}/api/voice-token`, {
        method: 'POST',
        headers: { Host: `localhost:${server.port}` },
      });
      req.on('response', (res) => res.setEncoding('utf8').on('data', resolve));
      req.on('error', reject);
      req.end('{}');
    });
    assert.equal((JSON.parse(body) as { ws_url: string }).ws_url, `ws://localhost:${server.port}/api/v1/sdk/ws`);
  });

  it('answers 405 to anything but POST', async () => {
    const res = await fetch(`${server.base}/api/voice-token`);
    assert.equal(res.status, 405);
    assert.ok(((await res.json()) as { error: string }).error);
  });
});

describe('site backend: upstream failures become clean 502/504 errors', () => {
  let fake: Server;
  let fakeUrl: string;
  /** What the fake upstream does with the next request. */
  let behave: (req: IncomingMessage, res: ServerResponse) => void;
  const seen: { path?: string; auth?: string; body: string }[] = [];

  before(async () => {
    fake = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ path: req.url, auth: req.headers.authorization, body });
        behave(req, res);
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  after(() => {
    fake.closeAllConnections();
    fake.close();
  });

  /** A voice server whose site backend calls `upstream`, and its answer to one token request. */
  async function proxied(upstream: string, options = {}) {
    const server = await startServer({ voiceApiUrl: upstream, upstreamTimeoutMs: 400, ...options });
    try {
      const res = await siteToken(server.base);
      const text = await res.text();
      assert.ok(!text.includes(API_KEY), 'the key never reaches the browser');
      for (const line of server.logs) assert.ok(!line.includes(API_KEY), `key in log: ${line}`);
      return { status: res.status, body: JSON.parse(text) as Record<string, string>, logs: server.logs };
    } finally {
      await server.close();
    }
  }

  const answer = (status: number, body: string) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(body);
  };

  it('passes a good answer through, calling the service with the key, keeping a path prefix', async () => {
    behave = answer(200, JSON.stringify({ token: 'upstream-token', ws_url: 'wss://voice.example/ws', extra: 1 }));
    const { status, body } = await proxied(`${fakeUrl}/prefix/`);
    assert.equal(status, 200);
    assert.deepEqual(body, { token: 'upstream-token', ws_url: 'wss://voice.example/ws' });
    assert.deepEqual(seen.at(-1), { path: '/prefix/api/v1/sdk/token', auth: `Bearer ${API_KEY}`, body: '{}' });
  });

  it('passes a socket-layer fault upstream in the request body', async () => {
    behave = answer(200, JSON.stringify({ token: 't', ws_url: 'wss://voice.example/ws' }));
    const server = await startServer({ voiceApiUrl: fakeUrl });
    try {
      await fetch(`${server.base}/api/voice-token?fault=drop`, { method: 'POST', body: '{}' });
      assert.equal(seen.at(-1)!.body, '{"fault":"drop"}');
    } finally {
      await server.close();
    }
  });

  it('connection refused → 502 naming it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { status, body, logs } = await proxied(`http://127.0.0.1:${port}`);
    assert.equal(status, 502);
    assert.match(body.error, /unreachable \(ECONNREFUSED\)/);
    assert.ok(
      logs.some((line) => line.includes('ECONNREFUSED')),
      'the failure is logged',
    );
  });

  it('HTTP 500 → 502 naming the status', async () => {
    behave = answer(500, '{"error":"boom"}');
    const { status, body } = await proxied(fakeUrl);
    assert.equal(status, 502);
    assert.match(body.error, /HTTP 500/);
  });

  it('HTTP 401 → 502 pointing at VOICE_API_KEY without showing it', async () => {
    behave = answer(401, `{"error":"bad key ${API_KEY}"}`);
    const { status, body } = await proxied(fakeUrl);
    assert.equal(status, 502);
    assert.match(body.error, /HTTP 401.*VOICE_API_KEY/);
  });

  it('invalid JSON → 502', async () => {
    behave = answer(200, '<html>gateway</html>');
    const { status, body } = await proxied(fakeUrl);
    assert.equal(status, 502);
    assert.match(body.error, /invalid JSON/);
  });

  it('missing token or ws_url → 502 naming the field', async () => {
    behave = answer(200, JSON.stringify({ ws_url: 'wss://voice.example/ws' }));
    assert.match((await proxied(fakeUrl)).body.error, /no token/);
    behave = answer(200, JSON.stringify({ token: 'x' }));
    assert.match((await proxied(fakeUrl)).body.error, /no ws_url/);
    behave = answer(200, 'null');
    assert.match((await proxied(fakeUrl)).body.error, /no token/);
  });

  it('no answer in time → 504', async () => {
    behave = () => {}; // never answers
    const started = performance.now();
    const { status, body } = await proxied(fakeUrl);
    assert.equal(status, 504);
    assert.match(body.error, /did not answer within 0.4 s/);
    assert.ok(performance.now() - started < 3000);
  });
});
