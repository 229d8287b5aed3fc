import { expect } from '@open-wc/testing';
import {
  DEFAULT_PREBUFFER_MS,
  JitterBuffer,
  LEAST_JITTER_MS,
  type JitterBufferOptions,
} from '../../src/dsp/jitter-buffer.js';
import { dominantFrequency, maxBend, maxStep, rms, spectralDistanceDb, toneAmplitude } from '../../tools/analysis.js';
import { Resampler } from '../../src/dsp/resampler.js';
import { concat, sine as sineAt, speechLike } from '../../tools/signals.js';
import { firstLoud, framesToFloat, lastLoud, longestZeroRun, toneFrames } from '../helpers/media.js';

// The fixed buffer (the behaviour before adaptation, kept as `adaptive: false`) at 16 kHz with a 60 ms
// prebuffer: 960 samples, and the default 5 ms fades, 80 samples.
const RATE = 16000;
const PREBUFFER = 960;
const FADE = 80;
const QUANTUM = 128;

const dc = (value: number, length: number): Float32Array => new Float32Array(length).fill(value);

/** Distinct values, so a lost, repeated or reordered sample shows. */
const ramp = (start: number, length: number): Float32Array =>
  new Float32Array(length).map((_, i) => 0.1 + ((start + i) % 50000) / 100000);

function pull(buffer: JitterBuffer, blocks: number, size = QUANTUM): Float32Array {
  const out = new Float32Array(blocks * size);
  for (let b = 0; b < blocks; b++) buffer.pull(out.subarray(b * size, (b + 1) * size));
  return out;
}

const fixed = (options: Partial<JitterBufferOptions> = {}) =>
  new JitterBuffer({ sampleRate: RATE, adaptive: false, prebufferMs: 60, ...options });

/** The stats of a fixed buffer that has neither stretched nor concealed. */
const fixedStats = (stats: Partial<JitterBuffer['stats']>) => ({
  underruns: 0,
  droppedSamples: 0,
  insertedSilenceSamples: 0,
  concealedSamples: 0,
  stretchedSamples: 0,
  shortenedSamples: 0,
  targetSamples: PREBUFFER,
  playing: false,
  ...stats,
});

describe('JitterBuffer, fixed prebuffer (adaptive: false)', () => {
  it('plays silence and is not playing before any audio arrives', () => {
    const buffer = fixed();
    const out = dc(1, QUANTUM);
    buffer.pull(out);
    expect(out).to.deep.equal(dc(0, QUANTUM));
    expect(buffer.stats).to.deep.equal(fixedStats({}));
  });

  it('waits for the prebuffer, then fades in from zero', () => {
    const buffer = fixed();
    buffer.push(dc(0.5, PREBUFFER - 1));
    expect(pull(buffer, 1)).to.deep.equal(dc(0, QUANTUM));
    expect(buffer.stats.playing).to.equal(false);
    expect(buffer.queuedSamples).to.equal(PREBUFFER - 1);

    buffer.push(dc(0.5, 1));
    const out = pull(buffer, 1);
    expect(buffer.stats.playing).to.equal(true);
    expect(buffer.queuedSamples).to.equal(PREBUFFER - QUANTUM);
    for (let k = 0; k < QUANTUM; k++) expect(out[k]).to.be.closeTo(0.5 * Math.min(1, (k + 1) / FADE), 1e-6);
  });

  it('plays every sample once and in order while the queue grows and wraps', () => {
    const buffer = fixed({ prebufferMs: 0 });
    let pushed = 0;
    const feed = (n: number): void => {
      buffer.push(ramp(pushed, n));
      pushed += n;
    };
    // Beyond the initial one-second ring, then a steady trickle that wraps it, then drain.
    for (let i = 0; i < 125; i++) feed(320);
    const parts: Float32Array[] = [];
    for (let i = 0; i < 400; i++) {
      parts.push(pull(buffer, 1));
      if (i % 2) feed(320);
    }
    parts.push(pull(buffer, Math.ceil(buffer.queuedSamples / QUANTUM)));
    const out = concat(parts);

    expect(buffer.stats.underruns).to.equal(1);
    const expected = ramp(0, pushed);
    // Compare outside the fade-in at the start and the fade-out at the end.
    expect(out.subarray(FADE, pushed - FADE)).to.deep.equal(expected.subarray(FADE, pushed - FADE));
  });

  it('fades out when the queue runs dry mid-block, counts one underrun and prebuffers again', () => {
    const buffer = fixed();
    buffer.push(dc(0.5, 1000));
    // 1000 samples = 7 full quanta + 104: the eighth quantum runs dry.
    const out = pull(buffer, 10);
    expect(out[500]).to.equal(0.5);
    for (let k = 1000 - FADE; k < 1000; k++) expect(out[k]).to.be.closeTo((0.5 * (999 - k)) / FADE, 1e-6);
    expect(out.subarray(1000)).to.deep.equal(dc(0, 10 * QUANTUM - 1000));
    expect(maxStep(out)).to.be.at.most(0.5 / FADE + 1e-6);
    expect(buffer.stats.underruns).to.equal(1);
    expect(buffer.stats.playing).to.equal(false);
  });

  it('resumes after an underrun only with a new prebuffer, fading in, and counts the gap', () => {
    const buffer = fixed();
    buffer.push(dc(0.5, 1000));
    const first = pull(buffer, 10);
    buffer.push(dc(0.5, 500));
    const waiting = pull(buffer, 1);
    expect(waiting).to.deep.equal(dc(0, QUANTUM));
    buffer.push(dc(0.5, PREBUFFER - 500));
    const resumed = pull(buffer, 2);
    expect(resumed[0]).to.be.closeTo(0.5 / FADE, 1e-6);
    expect(resumed[FADE + 10]).to.equal(0.5);
    expect(maxStep(Float32Array.of(...first, ...waiting, ...resumed))).to.be.at.most(0.5 / FADE + 1e-6);
    expect(buffer.stats.underruns).to.equal(1);
    // Silence between the dry point and the restart: the rest of quantum 8, quanta 9–10 and the waiting one.
    expect(buffer.stats.insertedSilenceSamples).to.equal(8 * QUANTUM - 1000 + 3 * QUANTUM);
  });

  it('drops the oldest audio beyond the cap and reports it', () => {
    const buffer = fixed({ prebufferMs: 0, maxMs: 100 });
    const cap = 1600;
    expect(buffer.push(ramp(0, 1000))).to.equal(0);
    expect(buffer.push(ramp(1000, 1000))).to.equal(400);
    expect(buffer.queuedSamples).to.equal(cap);
    expect(buffer.stats.droppedSamples).to.equal(400);
    const out = pull(buffer, cap / 64, 64);
    expect(out.subarray(FADE, cap - FADE)).to.deep.equal(ramp(400 + FADE, cap - 2 * FADE));

    // A single push larger than the cap keeps only its newest part.
    expect(buffer.push(ramp(0, 5000))).to.equal(5000 - cap);
    expect(buffer.queuedSamples).to.equal(cap);
    expect(buffer.stats.droppedSamples).to.equal(400 + 5000 - cap);
    const again = pull(buffer, cap / 64, 64);
    expect(again.subarray(FADE, cap - FADE)).to.deep.equal(ramp(5000 - cap + FADE, cap - 2 * FADE));
  });

  it('takes 100 s of pushes quickly and keeps only the default 30 s cap', () => {
    const rate = 48000;
    const buffer = fixed({ sampleRate: rate });
    const chunk = ramp(0, rate / 50);
    const started = performance.now();
    let dropped = 0;
    for (let i = 0; i < 100 * 50; i++) dropped += buffer.push(chunk);
    dropped += buffer.push(new Float32Array(100 * rate));
    const elapsed = performance.now() - started;
    expect(buffer.queuedSamples).to.equal(30 * rate);
    expect(dropped).to.equal(200 * rate - 30 * rate);
    expect(buffer.stats.droppedSamples).to.equal(dropped);
    // Generous: this takes a few milliseconds, but the machine may be busy.
    expect(elapsed).to.be.below(3000);
  });

  it('interrupt() fades out what is playing, drops the rest and starts new audio cleanly', () => {
    const buffer = fixed();
    buffer.push(dc(0.5, 4000));
    const before = pull(buffer, 2);
    buffer.interrupt();
    expect(buffer.queuedSamples).to.equal(0);
    expect(buffer.stats.playing).to.equal(false);

    buffer.push(dc(-0.25, 2000));
    const after = pull(buffer, 3);
    for (let k = 0; k < FADE; k++) expect(after[k]).to.be.closeTo((0.5 * (FADE - 1 - k)) / FADE, 1e-6);
    // Nothing of the old (positive) audio after the fade; the new audio fades in from zero.
    expect(after.subarray(FADE).every((s) => s <= 0)).to.equal(true);
    expect(after[FADE]).to.be.closeTo(-0.25 / FADE, 1e-6);
    expect(after[3 * QUANTUM - 1]).to.equal(-0.25);
    expect(maxStep(Float32Array.of(...before, ...after))).to.be.at.most(0.5 / FADE + 1e-6);
    expect(buffer.stats).to.deep.equal(fixedStats({ playing: true }));
  });

  it('interrupt() before playback has started drops the queue silently', () => {
    const buffer = fixed();
    buffer.push(dc(0.5, 500));
    buffer.interrupt();
    expect(pull(buffer, 1)).to.deep.equal(dc(0, QUANTUM));
    buffer.push(dc(0.5, 500));
    expect(pull(buffer, 1)).to.deep.equal(dc(0, QUANTUM));
    expect(buffer.queuedSamples).to.equal(500);
  });
});

describe('JitterBuffer, adaptive (the default)', () => {
  // At the context rate, where the worklet runs it: 20 ms frames (in session()), 128-sample render quanta.
  const R = 48000;
  const ms = (samples: number) => (samples * 1000) / R;
  const sineStep = (freq: number, amplitude: number) => (2 * Math.PI * freq * amplitude) / R;

  const sine = (freq: number, seconds: number, amplitude = 0.5): Float32Array =>
    new Float32Array(Math.round(seconds * R)).map((_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / R));

  /**
   * Plays `signal` through `buffer` in virtual time: 20 ms frame k is pushed before the first quantum
   * at or after `arrival(k)` seconds, then a quantum is pulled; runs `seconds`. `each` sees every quantum.
   */
  function session(
    buffer: JitterBuffer,
    signal: Float32Array,
    arrival: (k: number) => number,
    seconds: number,
    each?: (q: number) => void,
  ): Float32Array {
    const rate = buffer.sampleRate;
    const frame = rate / 50;
    const out = new Float32Array(Math.ceil((seconds * rate) / QUANTUM) * QUANTUM);
    const frames = Math.ceil(signal.length / frame);
    for (let q = 0, k = 0; q * QUANTUM < out.length; q++) {
      while (k < frames && arrival(k) <= (q * QUANTUM) / rate + 1e-9) {
        buffer.push(signal.subarray(k * frame, ++k * frame));
      }
      buffer.pull(out.subarray(q * QUANTUM, (q + 1) * QUANTUM));
      each?.(q);
    }
    return out;
  }
  const onTime = (k: number) => k * 0.02;

  /** The quality bar for time-scaled audio of a tone: its pitch within 1 %, its level, and no click. */
  function expectClean(samples: Float32Array, freq: number, amplitude: number): void {
    expect(dominantFrequency(samples, R)).to.be.closeTo(freq, freq / 100);
    expect(toneAmplitude(samples, freq, R)).to.be.closeTo(amplitude, amplitude / 20);
    expect(maxStep(samples)).to.be.below(sineStep(freq, amplitude) * 1.2);
  }

  it("starts a session's first audio within its least delay, fading in", () => {
    const buffer = new JitterBuffer({ sampleRate: R });
    const out = session(buffer, sine(300, 0.02), onTime, 0.1);
    expect(ms(firstLoud(out))).to.be.below(DEFAULT_PREBUFFER_MS + ms(QUANTUM));
    expect(maxStep(out)).to.be.below(sineStep(300, 0.5) * 1.2);
  });

  it('plays on-time frames without a gap, stretching toward the assumed jitter, then settles at the least jitter', () => {
    const buffer = new JitterBuffer({ sampleRate: R });
    const out = session(buffer, sine(300, 3), onTime, 2.99);
    const { underruns, stretchedSamples, shortenedSamples, targetSamples } = buffer.stats;
    expect(underruns).to.equal(0);
    // Built up toward the 60 ms assumed at the start, then gave back what the arrivals did not show,
    // down to the one frame of jitter kept once playing.
    expect(ms(stretchedSamples)).to.be.within(20, 60);
    const keep = ms(stretchedSamples) - LEAST_JITTER_MS;
    expect(ms(shortenedSamples)).to.be.within(keep - 10, keep + 10);
    expect(ms(targetSamples)).to.be.within(
      LEAST_JITTER_MS + DEFAULT_PREBUFFER_MS - 1,
      LEAST_JITTER_MS + DEFAULT_PREBUFFER_MS + 3,
    );
    expect(ms(buffer.queuedSamples)).to.be.below(2 * LEAST_JITTER_MS + DEFAULT_PREBUFFER_MS + 6);
    expectClean(out.subarray(R / 50), 300, 0.5);
  });

  it('drains a backlog 15 % faster at most, keeping the pitch', () => {
    // A 1 s stall: the first second of audio arrives at once at 1 s, the rest on time.
    const buffer = new JitterBuffer({ sampleRate: R });
    const arrival = (k: number) => Math.max(1, onTime(k));
    const out = session(buffer, sine(300, 6), arrival, 5);
    const start = firstLoud(out);
    const speedUp = buffer.stats.shortenedSamples / (out.length - start);
    expect(speedUp).to.be.within(0.12, 0.155);
    expectClean(out.subarray(start + R / 50), 300, 0.5);
  });

  it('shortens pauses faster than voiced audio', () => {
    const buffer = new JitterBuffer({ sampleRate: R });
    session(buffer, new Float32Array(R), () => 0, 0.25);
    // A second of silence queued at once: a quarter of a second of output gets through three of it.
    expect(ms(buffer.playedSamples)).to.be.above(750);
  });

  it('keeps speech-like audio sounding the same while draining it (spectral distance)', () => {
    const speech = speechLike(
      [{ voiced: 0.9, pitch: 140 }, 0.12, { voiced: 0.7, pitch: 118 }, 0.25, { voiced: 0.9, pitch: 165 }],
      { sampleRate: R, amplitude: 0.07 },
    );
    const buffer = new JitterBuffer({ sampleRate: R });
    const out = session(buffer, speech, () => 0, speech.length / R);
    const played = out.subarray(0, lastLoud(out) + 1);
    expect(ms(buffer.stats.shortenedSamples)).to.be.above(400);
    const distance = spectralDistanceDb(speech, played, R);
    // The same speed-up by resampling, as a method that changes the pitch would do it.
    const resampled = new Float32Array(played.length).map((_, i) => {
      const x = (i * speech.length) / played.length;
      const j = Math.floor(x);
      return speech[j] + (x - j) * ((speech[j + 1] ?? 0) - speech[j]);
    });
    const broken = spectralDistanceDb(speech, resampled, R);
    console.log(
      `speech drained by ${ms(buffer.stats.shortenedSamples).toFixed(0)} ms: spectral distance ${distance.toFixed(2)} dB, resampled ${broken.toFixed(2)} dB`,
    );
    expect(distance).to.be.below(1);
    expect(broken).to.be.above(5);
    expect(maxStep(played)).to.be.below(maxStep(speech) * 1.2);
  });

  it('learns the jitter of the session and starts the next turn after it', () => {
    const buffer = new JitterBuffer({ sampleRate: R });
    // Every fourth frame 60 ms late, more than the least jitter kept, and the two after it held back to
    // 40 and 20 ms late (a socket keeps order).
    const late = (k: number) => onTime(k) + [0, 0.06, 0.04, 0.02][k % 4];
    const first = session(buffer, sine(300, 2), late, 2.2);
    expect(buffer.stats.underruns).to.be.at.most(2); // only at the very start, before any jitter was seen
    const learned = ms(buffer.stats.targetSamples);
    expect(learned).to.be.within(DEFAULT_PREBUFFER_MS + 60, DEFAULT_PREBUFFER_MS + 63);
    expectClean(first.subarray(R / 5, 2 * R), 300, 0.5);

    session(buffer, new Float32Array(0), onTime, 1); // the pause between turns
    const next = session(buffer, sine(300, 0.5), onTime, 0.3);
    expect(ms(firstLoud(next))).to.be.within(learned - 2, learned + ms(QUANTUM) + 2);
  });

  it('conceals an underrun by repeating the last period, fading out without a click', () => {
    const buffer = new JitterBuffer({ sampleRate: R });
    let dry = -1;
    const out = session(buffer, sine(300, 0.3), onTime, 0.5, (q) => {
      if (dry < 0 && buffer.stats.underruns) dry = q * QUANTUM;
    });
    expect(dry).to.be.above(0);
    const concealed = out.subarray(dry + QUANTUM, dry + QUANTUM + R / 100); // well inside the 25 ms
    // Still the tone (its energy at 300 Hz), fading: quieter than before, not silent yet.
    expect(toneAmplitude(concealed, 300, R) / (rms(concealed) * Math.SQRT2)).to.be.above(0.9);
    expect(rms(concealed)).to.be.within(0.05, 0.3);
    // 25 ms of fade-out, begun on the samples the last render quantum played before the queue ran dry.
    expect(ms(buffer.stats.concealedSamples)).to.be.within(25 - ms(QUANTUM), 25);
    expect(out.subarray(dry + (30 * R) / 1000).every((s) => s === 0)).to.equal(true);
    expect(maxStep(out)).to.be.below(sineStep(300, 0.5) * 1.2);
  });

  it('fades audio that returns in under the concealment, without a click', () => {
    const buffer = new JitterBuffer({ sampleRate: R });
    // From frame 10 on, 50 ms late: more than the ~30 ms it has stretched to by then, so a short hole.
    const out = session(buffer, sine(300, 1), (k) => onTime(k) + (k >= 10 ? 0.05 : 0), 0.9);
    expect(buffer.stats.underruns).to.equal(1);
    expect(buffer.stats.concealedSamples).to.be.above(0);
    console.log(
      `hole: concealed ${ms(buffer.stats.concealedSamples).toFixed(1)} ms, silent ${ms(buffer.stats.insertedSilenceSamples).toFixed(1)} ms, longest zero run ${longestZeroRun(out.subarray(firstLoud(out)))}`,
    );
    expect(maxStep(out)).to.be.below(sineStep(300, 0.5) * 1.2);
  });

  describe('concealment splices, at 44.1 kHz (Chromium and Firefox here)', () => {
    // A 1 kHz tone's period is 44.1 samples there: no whole number of samples repeats it, and a splice
    // that joins two periods without a cross-fade steps by up to a third of a sample's worth of slope.
    const rate = 44100;
    const clean = sineStep(1000, 0.5) * (R / rate);
    const tone = (seconds: number) => sineAt(1000, rate, Math.round(seconds * rate), { amplitude: 0.5 });

    it('runs dry without a click wherever in the period the stream ends', () => {
      const steps = Array.from({ length: 45 }, (_, extra) => {
        const buffer = new JitterBuffer({ sampleRate: rate });
        buffer.push(tone(0.3).subarray(extra)); // a backlog, drained, then concealed as it runs dry
        return maxStep(session(buffer, new Float32Array(0), onTime, 0.4));
      });
      expect(Math.max(...steps) / clean).to.be.below(1.2);
    });

    it('runs dry without a click after draining resampled frames that came in a burst', () => {
      // As the playback worklet gets them: 16 kHz wire frames, resampled, one push per render quantum; twice.
      const resampler = new Resampler(16000, rate);
      const frames = framesToFloat(toneFrames(1000, 0.5, 0.3));
      const buffer = new JitterBuffer({ sampleRate: rate });
      const burst = (): Float32Array => {
        const pushes = Array.from({ length: 15 }, (_, k) => resampler.process(frames.subarray(k * 320, (k + 1) * 320)));
        return concat(pushes);
      };
      const perQuantum = (k: number) => (k * QUANTUM) / rate;
      const out = concat([burst(), burst()].map((signal) => session(buffer, signal, perQuantum, 0.6)));
      expect(buffer.stats.underruns).to.equal(2);
      expect(maxStep(out) / clean).to.be.below(1.2);
    });

    it('repeats a waveform with no period in whole samples without a bend at any join', () => {
      // Two tones a non-harmonic interval apart, and a glide: the last period found does not repeat them
      // exactly, so each repeat joins the next only through its cross-fade (a bend 4–5× the input's
      // without it, up to 15× before the concealment cross-faded at all).
      const signals = {
        'two tones': (t: number) => 0.25 * (Math.sin(2 * Math.PI * 1000 * t) + Math.sin(2 * Math.PI * 1234.5 * t)),
        glide: (t: number) => 0.5 * Math.sin(2 * Math.PI * (200 * t + (100 * t * t) / 0.3)),
      };
      for (const [name, at] of Object.entries(signals)) {
        for (let extra = 0; extra < 60; extra += 5) {
          const signal = new Float32Array(Math.round(0.3 * rate) + extra).map((_, i) => at(i / rate));
          const buffer = new JitterBuffer({ sampleRate: rate });
          const out = session(buffer, signal, () => 0, 0.4);
          const end = lastLoud(out);
          // Against the input's last 100 ms: the concealment's joins from 5 ms on (its repeats), and the
          // step of the whole with the live audio before it (where the join into it is).
          const input = signal.subarray(signal.length - rate / 10);
          const repeats = out.subarray(end - Math.round(0.02 * rate), end + 1);
          expect(maxBend(repeats) / maxBend(input), `${name} +${extra}`).to.be.below(1.5);
          const concealed = out.subarray(end - Math.round(0.03 * rate), end + 1);
          expect(maxStep(concealed) / maxStep(input), `${name} +${extra}`).to.be.below(1.05);
        }
      }
    });

    it('drains a 1 kHz tone without lowering its pitch', () => {
      // Its period is 44.1 samples: only 441 (ten of them) repeats it exactly. A shorter multiple loses a
      // fraction of a sample per change, 0.03 % of pitch, which a 2 s analysis at exactly 1 kHz reads as 0.43.
      const buffer = new JitterBuffer({ sampleRate: rate });
      const out = session(buffer, tone(2.2), (k) => k * 0.018, 2.2); // 10 % faster than real time
      const played = out.subarray(firstLoud(out), firstLoud(out) + Math.round(1.98 * rate));
      expect(buffer.stats.shortenedSamples / rate).to.be.above(0.15);
      expect(toneAmplitude(played, 1000, rate)).to.be.closeTo(0.5, 0.01);
    });

    it('joins the concealment to audio that comes back, without a click, for any hole', () => {
      const steps: number[] = [];
      for (let holeMs = 30; holeMs <= 70; holeMs++) {
        const buffer = new JitterBuffer({ sampleRate: rate });
        const out = session(buffer, tone(0.5), (k) => onTime(k) + (k >= 10 ? holeMs / 1000 : 0), 0.6);
        expect(buffer.stats.underruns).to.be.at.least(1);
        steps.push(maxStep(out));
      }
      expect(Math.max(...steps) / clean).to.be.below(1.2);
    });
  });

  it('interrupt() fades out within 5 ms and the next reply starts as a turn does', () => {
    const buffer = new JitterBuffer({ sampleRate: R });
    const before = session(buffer, sine(300, 1), () => 0, 0.2);
    buffer.interrupt();
    const after = session(buffer, new Float32Array(0), onTime, 0.05);
    expect(after.subarray((5 * R) / 1000).every((s) => s === 0)).to.equal(true);
    expect(maxStep(Float32Array.of(...before, ...after))).to.be.below(sineStep(300, 0.5) * 1.2);
    expect(buffer.queuedSamples).to.equal(0);
    expect(buffer.stats.underruns).to.equal(0);

    const reply = session(buffer, sine(300, 0.1), onTime, 0.1);
    expect(ms(firstLoud(reply))).to.be.below(DEFAULT_PREBUFFER_MS + ms(QUANTUM));
  });
});
