// The local voice server mounted on the test runner (server/wtr-plugin.ts): a browser on the runner's
// origin gets a token from the site backend and talks to the emulated service over a real WebSocket.
import { expect } from '@open-wc/testing';

describe('local voice server, from the browser', () => {
  it('issues a token on /api/voice-token; the socket answers connected, agent_ready and the greeting', async () => {
    const res = await fetch('/api/voice-token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: '{}',
    });
    expect(res.status).to.equal(200);
    const { token, ws_url } = (await res.json()) as { token: string; ws_url: string };
    expect(token).to.be.a('string').and.not.be.empty;
    expect(new URL(ws_url).host).to.equal(location.host);
    expect(new URL(ws_url).protocol).to.equal('ws:');

    const ws = new WebSocket(ws_url);
    ws.binaryType = 'arraybuffer';
    const types: string[] = [];
    const frames: ArrayBuffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out; got ${types.join(', ')} and ${frames.length} frames`)),
        8000,
      );
      ws.onopen = () => ws.send(JSON.stringify({ token }));
      ws.onerror = () => reject(new Error('socket error'));
      ws.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
        if (typeof event.data === 'string') types.push((JSON.parse(event.data) as { type: string }).type);
        else frames.push(event.data);
        if (frames.length >= 10) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    ws.close(1000);

    expect(types).to.deep.equal(['connected', 'agent_ready']);
    expect(frames.every((frame) => frame.byteLength > 0 && frame.byteLength % 2 === 0)).to.equal(true);
    // The greeting is speech, not silence.
    const peak = Math.max(...frames.flatMap((frame) => Array.from(new Int16Array(frame), Math.abs)));
    expect(peak).to.be.greaterThan(1000);
  });
});
