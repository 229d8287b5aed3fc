import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadGreeting } from '../../server/index.js';
import { FRAME_SAMPLES } from '../../src/wire.js';
import {
  samplesOf,
  serviceToken,
  silenceFrames,
  sleep,
  startServer,
  TestClient,
  toneFrames,
  type TestServer,
} from '../helpers/server.js';

/** Index of `needle` inside `haystack`, or -1. */
function indexOf(haystack: Int16Array, needle: Int16Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('echo agent over the socket', () => {
  let quiet: TestServer; // greets with 0.1 s of silence
  let talky: TestServer; // greets with the real 3.6 s clip
  before(async () => {
    [quiet, talky] = await Promise.all([startServer(), startServer({ greeting: loadGreeting() })]);
  });
  after(() => Promise.all([quiet.close(), talky.close()]));

  /** A live session on `server`; on the quiet server, once its greeting has been sent. */
  async function session(server: TestServer): Promise<TestClient> {
    const { token, ws_url } = await serviceToken(server.base);
    const client = await TestClient.connect(ws_url, token);
    await client.message('agent_ready');
    if (server === quiet) {
      await client.until(() => client.audio.length >= 5, 'the short greeting');
      await sleep(100);
    }
    return client;
  }

  it('says an utterance back once the user stops talking: about as much audio, same samples, in real time', async () => {
    const client = await session(quiet);
    const greetingFrames = client.audio.length;
    const tone = toneFrames(1);
    client.sendFrames([...silenceFrames(0.5), ...tone, ...silenceFrames(0.8)]);
    await client.until(() => client.audio.length >= greetingFrames + 50, 'the echo', 5000);
    await sleep(600); // let the rest of the echo arrive
    const echo = client.audio.slice(greetingFrames);
    assert.ok(echo.every((f) => f.bytes.length === 640));
    const seconds = echo.length * 0.02;
    // 1 s of speech + 200 ms pre-roll + 100 ms tail.
    assert.ok(seconds >= 1 && seconds <= 1.5, `echo lasted ${seconds} s`);
    const sent = samplesOf(tone.map((bytes) => ({ bytes, at: 0 })));
    assert.notEqual(indexOf(samplesOf(echo), sent), -1, 'the tone comes back sample for sample');
    const span = echo.at(-1)!.at - echo[0].at;
    assert.ok(span >= 0.8 * (seconds - 0.02) * 1000, `echo of ${seconds} s sent in ${span} ms`);
    client.ws.close(1000);
    await client.closed;
  });

  it('ignores a blip shorter than the minimum utterance', async () => {
    const client = await session(quiet);
    const heard = client.audio.length;
    client.sendFrames([...silenceFrames(0.2), ...toneFrames(0.1), ...silenceFrames(0.8)]);
    await sleep(700);
    assert.equal(client.audio.length, heard, 'no echo of a 100 ms blip');
    client.ws.close(1000);
    await client.closed;
  });

  it('barge-in: the agent stops speaking as soon as the user starts talking, then answers', async () => {
    const client = await session(talky);
    await client.until(() => client.audio.length >= 10, 'the greeting to be under way');
    const greetingFrames = Math.ceil(loadGreeting().length / FRAME_SAMPLES);
    client.sendFrames(toneFrames(0.1)); // the user starts talking (and keeps going: no silence yet)
    const talkedAt = performance.now();
    await sleep(500);
    const heard = client.audio.length;
    assert.ok(heard < greetingFrames - 50, `greeting cut short (${heard} of ${greetingFrames} frames)`);
    assert.ok(
      client.audio.every((f) => f.at < talkedAt + 250),
      'nothing sent more than 250 ms after the user started talking',
    );
    // The user finishes; the agent now answers with the (400 ms) utterance.
    client.sendFrames([...toneFrames(0.3), ...silenceFrames(0.8)]);
    await client.until(() => client.audio.length >= heard + 20, 'the echo after the barge-in', 3000);
    client.ws.close(1000);
    await client.closed;
  });
});
