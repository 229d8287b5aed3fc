import { expect } from '@open-wc/testing';
import { SOUNDING_LEVEL, SPEAKING_LEVEL, TurnTimer } from '../../src/audio/turn-latency.js';

/** Feeds `frames` microphone levels 20 ms apart from `t`; returns the time after the last. */
function speak(timer: TurnTimer, levels: number[], t: number): number {
  for (const level of levels) timer.input(level, (t += 20));
  return t;
}

/** The meter after speech: falling by 20/300 per frame. */
const decay = (from: number, frames: number) =>
  Array.from({ length: frames }, (_, i) => Math.max(0, from - (i + 1) / 15));

describe('TurnTimer', () => {
  it('measures from the last voiced frame, not from the end of the meter decay, to the first agent sound', () => {
    const timer = new TurnTimer();
    expect(timer.latencyMs).to.equal(null);
    let t = speak(timer, [0.7, 0.8, 0.75, 0.8], 0); // last voiced at t = 80
    t = speak(timer, decay(0.8, 12), t); // quiet: the meter falls past the threshold later
    timer.output(0.05, t + 100); // below audible
    timer.output(SOUNDING_LEVEL + 0.2, 780);
    expect(timer.latencyMs).to.equal(700);
    timer.output(0.6, 820); // the same reply goes on: no new turn
    expect(timer.latencyMs).to.equal(700);
  });

  it('starts no turn for microphone sound while the agent is audible (echo), and measures the next real one', () => {
    const timer = new TurnTimer();
    timer.output(0.6, 0);
    speak(timer, [0.9, 0.9], 0); // the agent's own voice in the mic
    timer.output(0, 100);
    timer.output(0.6, 200); // no turn was armed
    expect(timer.latencyMs).to.equal(null);
    timer.output(0, 300);
    speak(timer, [SPEAKING_LEVEL, SPEAKING_LEVEL + 0.1], 300); // voiced at 320, 340
    timer.output(0.5, 1000);
    expect(timer.latencyMs).to.equal(660);
  });

  it('ignores levels below speech', () => {
    const timer = new TurnTimer();
    speak(timer, [0.3, 0.4, 0.2], 0);
    timer.output(0.9, 500);
    expect(timer.latencyMs).to.equal(null);
  });
});
