import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadGreeting } from '../../server/index.js';
import {
  API_KEY,
  serviceToken,
  silenceFrames,
  sleep,
  startServer,
  TestClient,
  type TestServer,
} from '../helpers/server.js';

describe('session socket protocol', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ authTimeoutMs: 300 });
  });
  after(() => server.close());

  /** Opens a socket with a fresh, valid token's ws_url, but sends nothing. */
  async function openRaw(): Promise<TestClient> {
    const { ws_url } = await serviceToken(server.base);
    const client = new TestClient(ws_url);
    await client.opened;
    return client;
  }

  it('sends connected, then agent_ready after a short setup, then agent audio', async () => {
    const { token, ws_url } = await serviceToken(server.base);
    const client = await TestClient.connect(ws_url, token);
    await client.message('agent_ready');
    assert.deepEqual(client.messages.slice(0, 2), [{ type: 'connected' }, { type: 'agent_ready' }]);
    await client.until(() => client.audio.length >= 5, 'greeting frames');
    client.ws.close(1000);
    await client.closed;
  });

  const badFirstMessages: [string, string | Buffer][] = [
    ['text that is not JSON', 'hello'],
    ['JSON without a token', JSON.stringify({ hello: 'x' })],
    ['an empty token', JSON.stringify({ token: '' })],
    ['audio before the token', Buffer.alloc(640)],
  ];
  for (const [what, first] of badFirstMessages) {
    it(`refuses ${what} as the first message: invalid_token, close 1008`, async () => {
      const client = await openRaw();
      client.ws.send(first);
      const error = await client.message('error');
      assert.equal(error.code, 'invalid_token');
      assert.match(String(error.message), /first message/);
      assert.deepEqual(await client.closed, { code: 1008, reason: 'invalid_token' });
    });
  }

  it('closes a socket that sends no token in time', async () => {
    const client = await openRaw();
    assert.equal((await client.message('error')).code, 'invalid_token');
    assert.equal((await client.closed).code, 1008);
  });

  it('reports frames that are not 640 bytes (invalid_frame) and stray text (unexpected_message); the session goes on', async () => {
    const { token, ws_url } = await serviceToken(server.base);
    const client = await TestClient.connect(ws_url, token);
    await client.message('agent_ready');
    client.ws.send(Buffer.alloc(638));
    client.ws.send(Buffer.alloc(641));
    client.ws.send(JSON.stringify({ type: 'hello' }));
    client.sendFrames(silenceFrames(0.2));
    await client.until(() => client.messages.filter((m) => m.type === 'error').length >= 3, 'three errors');
    await sleep(100);
    const errors = client.messages.filter((m) => m.type === 'error');
    assert.deepEqual(
      errors.map((e) => e.code),
      ['invalid_frame', 'invalid_frame', 'unexpected_message'],
    );
    assert.match(String(errors[0].message), /640 bytes; got 638/);
    assert.equal(client.ws.readyState, client.ws.OPEN, 'still open');
    client.ws.close(1000);
    assert.equal((await client.closed).code, 1000);
  });

  it('ends a session that reaches its maximum length with session_closed', async () => {
    const short = await startServer({ maxSessionMs: 300 });
    try {
      const { token, ws_url } = await serviceToken(short.base);
      const client = await TestClient.connect(ws_url, token);
      assert.deepEqual(await client.message('session_ended'), { type: 'session_ended', reason: 'session_closed' });
      assert.equal((await client.closed).code, 1000);
    } finally {
      await short.close();
    }
  });

  it('on server shutdown sends session_ended server_shutdown to every live session, then closes', async () => {
    const other = await startServer();
    const clients = await Promise.all(
      [1, 2].map(async () => {
        const { token, ws_url } = await serviceToken(other.base);
        const client = await TestClient.connect(ws_url, token);
        await client.message('agent_ready');
        return client;
      }),
    );
    await other.close();
    for (const client of clients) {
      assert.deepEqual(client.messages.at(-1), { type: 'session_ended', reason: 'server_shutdown' });
      assert.equal((await client.closed).code, 1000);
    }
    // After shutdown, new sockets are refused.
    const { token, ws_url } = { token: 'x', ws_url: `ws://127.0.0.1:${other.port}/api/v1/sdk/ws` };
    await assert.rejects(TestClient.connect(ws_url, token));
  });

  it('logs one line per session, with its end and reason, never the token or the key', async () => {
    const logged = server.logs.length;
    const { token, ws_url } = await serviceToken(server.base);
    const client = await TestClient.connect(ws_url, token);
    await client.message('connected');
    client.ws.close(1000);
    await client.closed;
    await sleep(50);
    const lines = server.logs.slice(logged);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /session #\d+ .*started .*lasted .* s, socket closed \(1000\)/);
    for (const line of server.logs) {
      assert.ok(!line.includes(token) && !line.includes(API_KEY), `secret in log: ${line}`);
    }
  });
});

describe('greeting', () => {
  it('arrives as 640-byte frames paced in real time', async () => {
    const greeting = loadGreeting();
    const seconds = greeting.length / 16000;
    assert.ok(seconds > 2 && seconds < 4, `the shipped greeting lasts ${seconds} s`);
    const server = await startServer({ greeting });
    try {
      const { token, ws_url } = await serviceToken(server.base);
      const client = await TestClient.connect(ws_url, token);
      await client.until(() => client.audio.length >= 51, 'a second of greeting', 5000);
      assert.ok(client.audio.every((f) => f.bytes.length === 640));
      // 1 s of audio (50 frame periods) takes at least 0.8 s.
      const span = client.audio[50].at - client.audio[0].at;
      assert.ok(span >= 800, `1 s of greeting sent in ${span.toFixed(0)} ms`);
      // It is the shipped clip, frame for frame.
      const clip = Buffer.from(greeting.buffer);
      client.audio.forEach((f, i) => assert.ok(f.bytes.equals(clip.subarray(i * 640, i * 640 + 640)), `frame ${i}`));
      client.ws.close(1000);
      await client.closed;
    } finally {
      await server.close();
    }
  });
});
