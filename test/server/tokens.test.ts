import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_KEY, serviceToken, startServer, TestClient, type TestServer } from '../helpers/server.js';

describe('token API (POST /api/v1/sdk/token)', () => {
  let clock = Date.now();
  let server: TestServer;
  before(async () => {
    server = await startServer({ now: () => clock });
  });
  after(() => server.close());

  it('refuses a missing or wrong API key with 401 JSON, CORS headers included', async () => {
    for (const headers of [{}, { Authorization: 'Bearer nope' }, { Authorization: API_KEY }] as Record<
      string,
      string
    >[]) {
      const res = await fetch(`${server.base}/api/v1/sdk/token`, { method: 'POST', headers });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const body = (await res.json()) as { error: string };
      assert.match(body.error, /API key/);
    }
  });

  it('answers the CORS preflight, including Private Network Access', async () => {
    const res = await fetch(`${server.base}/api/v1/sdk/token`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
        'Access-Control-Request-Private-Network': 'true',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-allow-methods')!, /POST/);
    assert.match(res.headers.get('access-control-allow-headers')!, /Authorization/i);
    assert.match(res.headers.get('access-control-allow-headers')!, /Content-Type/i);
    assert.equal(res.headers.get('access-control-allow-private-network'), 'true');
  });

  it('issues distinct random tokens with a ws_url on this server, as the quick-start calls it', async () => {
    // The complete example sends only Authorization and no body.
    const res = await fetch(`${server.base}/api/v1/sdk/token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const first = (await res.json()) as { token: string; ws_url: string };
    const second = await serviceToken(server.base); // section 1: Content-Type JSON
    assert.deepEqual(Object.keys(first).sort(), ['token', 'ws_url']);
    assert.match(first.token, /^[\w-]{32,}$/);
    assert.notEqual(first.token, second.token);
    assert.equal(first.ws_url, `ws://127.0.0.1:${server.port}/api/v1/sdk/ws`);
  });

  it('builds ws_url from the host the client used, and wss: behind an HTTPS proxy', async () => {
    const res = await fetch(`${server.base}/api/v1/sdk/token`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${API_KEY}`,
        'X-Forwarded-Host': 'voice.example.com',
        'X-Forwarded-Proto': 'https',
      },
    });
    assert.equal(((await res.json()) as { ws_url: string }).ws_url, 'wss://voice.example.com/api/v1/sdk/ws');
  });

  it('refuses a body that is not a JSON object, or an unknown fault, with 400', async () => {
    for (const body of ['not json', '[1]', JSON.stringify({ fault: 'nonsense' })]) {
      const res = await fetch(`${server.base}/api/v1/sdk/token`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
        body,
      });
      assert.equal(res.status, 400, body);
      assert.ok(((await res.json()) as { error: string }).error);
    }
  });

  it('a token opens one session only; reusing it is refused with token_reused and close 1008', async () => {
    const { token, ws_url } = await serviceToken(server.base);
    const first = await TestClient.connect(ws_url, token);
    await first.message('connected');
    const second = await TestClient.connect(ws_url, token);
    assert.deepEqual(await second.message('error'), {
      type: 'error',
      code: 'token_reused',
      message: 'This session token was already used.',
    });
    assert.equal((await second.closed).code, 1008);
    assert.ok(!second.messages.some((m) => m.type === 'connected'));
    first.ws.close();
    await first.closed;
  });

  it('an expired token is refused with token_expired (60 s lifetime, injected clock)', async () => {
    const { token, ws_url } = await serviceToken(server.base);
    clock += 59_000;
    const { token: fresh } = await serviceToken(server.base);
    clock += 2_000;
    const late = await TestClient.connect(ws_url, token);
    assert.equal((await late.message('error')).code, 'token_expired');
    assert.equal((await late.closed).code, 1008);
    // A token issued 2 s ago still works.
    const ok = await TestClient.connect(ws_url, fresh);
    await ok.message('connected');
    ok.ws.close();
    await ok.closed;
  });

  it('an unknown token is refused with invalid_token', async () => {
    const { ws_url } = await serviceToken(server.base);
    const client = await TestClient.connect(ws_url, 'made-up-token');
    assert.equal((await client.message('error')).code, 'invalid_token');
    assert.equal((await client.closed).code, 1008);
  });

  it('serves the fault catalogue at GET /api/faults', async () => {
    const res = await fetch(`${server.base}/api/faults`);
    const faults = (await res.json()) as { name: string; description: string; expect: string }[];
    assert.ok(faults.length >= 13);
    assert.ok(faults.every((f) => f.name && f.description && f.expect));
    assert.ok(faults.some((f) => f.name === 'drop'));
  });
});
