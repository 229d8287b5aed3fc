import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XSS_PROBE } from '../../server/emulator.js';
import { FAULTS, isFaultName } from '../../server/faults.js';
import { loadGreeting } from '../../server/index.js';
import { silenceFrames, sleep, startServer, TestClient, type TestServer } from '../helpers/server.js';

describe('fault injection (POST /api/voice-token?fault=NAME)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      faultDelayMs: 300,
      slowTokenMs: 600,
      connectedDelayMs: 400,
      outageMs: 500,
      greeting: loadGreeting(),
    });
  });
  after(() => server.close());

  /** The site backend's token request, as the widget makes it. */
  const siteToken = (fault: string) =>
    fetch(`${server.base}/api/voice-token?fault=${fault}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });

  /** A session started through the site backend with `fault`. */
  async function faultySession(fault: string): Promise<TestClient> {
    const res = await siteToken(fault);
    assert.equal(res.status, 200);
    const { token, ws_url } = (await res.json()) as { token: string; ws_url: string };
    const client = await TestClient.connect(ws_url, token);
    await client.message('connected');
    return client;
  }

  it('has a catalogue entry for every fault, with unique names', () => {
    const names = FAULTS.map((f) => f.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of [
      'slow-token',
      'token-500',
      'token-bad-json',
      'token-no-token',
      'token-insecure-url',
      'refuse-socket',
      'drop',
      'slow-connected',
      'outage',
      'server-error',
      'malformed',
      'jitter',
      'ended-agent_disconnected',
      'ended-session_closed',
      'ended-server_shutdown',
    ]) {
      assert.ok(isFaultName(name), name);
    }
    assert.equal(isFaultName('nope'), false);
  });

  it('unknown fault: 400', async () => {
    const res = await siteToken('nope');
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /Unknown fault/);
  });

  it('slow-token: the token comes, late', async () => {
    const started = performance.now();
    const res = await siteToken('slow-token');
    assert.ok(performance.now() - started >= 550);
    assert.equal(res.status, 200);
    assert.ok(((await res.json()) as { token: string }).token);
  });

  it('token-500: the site backend answers 500 JSON', async () => {
    const res = await siteToken('token-500');
    assert.equal(res.status, 500);
    assert.match(((await res.json()) as { error: string }).error, /token-500/);
  });

  it('token-bad-json: 200 with a body that does not parse', async () => {
    const res = await siteToken('token-bad-json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /json/);
    const text = await res.text();
    assert.throws(() => JSON.parse(text), SyntaxError);
  });

  it('token-no-token: 200 JSON with a ws_url and no token', async () => {
    const res = await siteToken('token-no-token');
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.token, undefined);
    assert.match(String(body.ws_url), /^ws:/);
  });

  it('token-insecure-url: the ws_url is http:', async () => {
    const body = (await (await siteToken('token-insecure-url')).json()) as Record<string, string>;
    assert.ok(body.token);
    assert.match(body.ws_url, /^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('refuse-socket: the WebSocket upgrade is rejected with 403', async () => {
    const { token, ws_url } = (await (await siteToken('refuse-socket')).json()) as Record<string, string>;
    await assert.rejects(TestClient.connect(ws_url, token), /upgrade refused: 403/);
  });

  it('drop: the socket is destroyed after the delay, without session_ended', async () => {
    const client = await faultySession('drop');
    const { code } = await client.closed;
    assert.equal(code, 1006);
    assert.ok(!client.messages.some((m) => m.type === 'session_ended'));
  });

  it('slow-connected: connected comes late, and frames sent meanwhile are not refused', async () => {
    const res = await siteToken('slow-connected');
    const { token, ws_url } = (await res.json()) as { token: string; ws_url: string };
    const started = performance.now();
    const client = await TestClient.connect(ws_url, token);
    await client.message('connected');
    assert.ok(performance.now() - started >= 350);
    client.sendFrames(silenceFrames(0.2));
    await client.message('agent_ready');
    assert.ok(!client.messages.some((m) => m.type === 'error'));
    client.ws.close(1000);
    await client.closed;
  });

  it('outage: the socket drops, then the token API answers 503 for this fault until the outage is over', async () => {
    const client = await faultySession('outage');
    assert.equal((await client.closed).code, 1006);
    const down = await siteToken('outage');
    assert.equal(down.status, 502);
    assert.match(((await down.json()) as { error: string }).error, /503/);
    assert.equal((await siteToken('drop')).status, 200, 'other faults are not affected');
    await sleep(550);
    assert.equal((await siteToken('outage')).status, 200, 'back up after outageMs');
  });

  it('server-error: an HTML-shaped error message mid-session; the session goes on', async () => {
    const client = await faultySession('server-error');
    const error = await client.message('error', 2000);
    assert.equal(error.code, 'internal_error');
    assert.ok(String(error.message).includes(XSS_PROBE));
    const framesBefore = client.audio.length;
    await sleep(200);
    assert.ok(client.audio.length > framesBefore, 'the agent keeps talking');
    assert.equal(client.ws.readyState, client.ws.OPEN);
    client.ws.close(1000);
    await client.closed;
  });

  it('malformed: non-JSON text, JSON without type, an odd-length frame and an unknown type; the session goes on', async () => {
    const client = await faultySession('malformed');
    await client.message('transcript', 2000);
    assert.deepEqual(client.rawText, ['this is not JSON {']);
    assert.ok(client.messages.some((m) => m.type === undefined && typeof m.message === 'string'));
    assert.ok(
      client.audio.some((f) => f.bytes.length % 2 === 1),
      'an odd-length binary frame',
    );
    client.sendFrames(silenceFrames(0.1));
    await sleep(100);
    assert.ok(!client.messages.some((m) => m.type === 'error'));
    assert.equal(client.ws.readyState, client.ws.OPEN);
    client.ws.close(1000);
    await client.closed;
  });

  it('jitter: agent frames arrive irregularly and in bursts, in order, at about the same overall pace', async () => {
    const client = await faultySession('jitter');
    await client.until(() => client.audio.length >= 100, '100 frames', 5000);
    const gaps = client.audio.slice(1, 100).map((f, i) => f.at - client.audio[i].at);
    assert.ok(gaps.filter((g) => g < 3).length >= 9, 'bursts: frames arriving back to back');
    assert.ok(
      gaps.some((g) => g > 45),
      'late frames',
    );
    const span = client.audio[99].at - client.audio[0].at;
    assert.ok(span > 1500 && span < 2800, `100 frames over ${span.toFixed(0)} ms`);
    // Same frames, same order as the plain greeting.
    const greeting = Buffer.from(loadGreeting().buffer);
    client.audio.slice(0, 100).forEach((f, i) => assert.ok(f.bytes.equals(greeting.subarray(i * 640, i * 640 + 640))));
    client.ws.close(1000);
    await client.closed;
  });

  for (const reason of ['agent_disconnected', 'session_closed', 'server_shutdown']) {
    it(`ended-${reason}: session_ended with that reason, then close 1000`, async () => {
      const client = await faultySession(`ended-${reason}`);
      assert.deepEqual(await client.message('session_ended', 2000), { type: 'session_ended', reason });
      assert.equal((await client.closed).code, 1000);
    });
  }
});
