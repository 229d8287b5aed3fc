import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FramePacer } from '../../server/pacer.js';
import { sleep, until } from '../../tools/wait.js';

/** `count` distinct one-byte frames (the byte is the index), so order is checkable. */
const frames = (count: number, from = 0) => Array.from({ length: count }, (_, i) => Buffer.from([from + i]));

/** A pacer whose sends are recorded with their time relative to creation. */
function recorder(options: ConstructorParameters<typeof FramePacer>[1] = {}) {
  const t0 = performance.now();
  const sent: { index: number; at: number }[] = [];
  const pacer = new FramePacer((frame) => sent.push({ index: frame[0], at: performance.now() - t0 }), options);
  const done = (count: number, timeoutMs = 5000) => until(() => sent.length >= count, timeoutMs, `${count} frames`, 10);
  return { pacer, sent, done };
}

describe('FramePacer', () => {
  it('sends frames in order in real time: 1 s of frames takes about 1 s', async () => {
    const { pacer, sent, done } = recorder();
    pacer.enqueue(frames(51));
    assert.equal(pacer.busy, true);
    await done(51);
    assert.deepEqual(
      sent.map((s) => s.index),
      frames(51).map((f) => f[0]),
    );
    // Never early (frame k is due k × 20 ms after the enqueue), and not much late on the whole.
    const early = sent.filter((s) => s.at < s.index * 20 - 1);
    assert.deepEqual(early, [], 'frames sent before their time');
    assert.ok(sent[50].at < 1500, `the 1 s mark was reached at ${sent[50].at.toFixed(0)} ms`);
    assert.equal(pacer.busy, false);
  });

  it('keeps to the absolute schedule: a stalled event loop is caught up, not carried forward', async () => {
    const { pacer, sent, done } = recorder();
    pacer.enqueue(frames(50));
    const stallUntil = performance.now() + 600;
    while (performance.now() < stallUntil); // block the loop: ~30 frames become overdue
    await done(50);
    const afterStall = sent.filter((s) => s.at >= 600);
    // The overdue frames go out together, right after the stall...
    assert.ok(afterStall[0].at - 600 < 200 && afterStall[25].at - afterStall[0].at < 50, 'burst after the stall');
    // ...and the stream still ends on schedule (~980 ms), where accumulated delay would give ≥ 1.58 s.
    assert.ok(sent[49].at < 1450, `last frame at ${sent[49].at.toFixed(0)} ms`);
  });

  it('continues gaplessly when more frames are queued while it is sending', async () => {
    const { pacer, sent, done } = recorder();
    pacer.enqueue(frames(10));
    await sleep(100);
    pacer.enqueue(frames(10, 10));
    await done(20);
    const span = sent[19].at - sent[0].at;
    assert.ok(span >= 370 && span < 800, `20 frames spanned ${span.toFixed(0)} ms (expected ~380)`);
  });

  it('clear() drops the queue at once; the next audio starts from now', async () => {
    const { pacer, sent, done } = recorder();
    pacer.enqueue(frames(50));
    await sleep(200);
    pacer.clear();
    const stoppedAt = sent.length;
    assert.equal(pacer.busy, false);
    await sleep(200);
    assert.equal(sent.length, stoppedAt, 'nothing sent after clear()');
    pacer.enqueue(frames(1, 100));
    await done(stoppedAt + 1, 1000);
    assert.equal(sent.at(-1)!.index, 100);
    assert.ok(sent.at(-1)!.at < 600, 'the new frame went out without waiting for the dropped ones');
  });

  it('with jitter: keeps order, holds back and bursts frames, and keeps the overall pace', async () => {
    let flip = 0;
    const random = () => (flip++ % 2 ? 0.99 : 0); // alternately -50 ms and +49 ms
    const { pacer, sent, done } = recorder({ jitterMs: 50, random });
    pacer.enqueue(frames(60));
    await done(60);
    assert.deepEqual(
      sent.map((s) => s.index),
      frames(60).map((f) => f[0]),
    );
    // The first 10 frames are held back and leave together.
    assert.ok(sent[9].at - sent[0].at < 15, `first burst spread over ${(sent[9].at - sent[0].at).toFixed(0)} ms`);
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i].at);
    assert.ok(
      gaps.some((g) => g > 35),
      'some frames arrive late',
    );
    const span = sent[59].at;
    assert.ok(span > 1000 && span < 1800, `60 frames took ${span.toFixed(0)} ms`);
  });
});
