// Part 2: microphone capture quality and cost, in Node on the pure modules. Our polyphase resampler
// (the one the capture worklet runs) against the quick-start's pick-every-Nth-sample decimation and
// plain linear interpolation, at the two rates browsers actually run (44.1 and 48 kHz) → 16 kHz.
import { Resampler } from '../src/dsp/resampler.js';
import { WIRE_RATE } from '../src/wire.js';
import { db, rms, toneAmplitude } from '../tools/analysis.js';
import { concat, sine } from '../tools/signals.js';
import { QUICKSTART_BLOCK, quickstartDownsample } from './quickstart.js';
import { fixed, type Section } from './report.js';

/** A worklet's render quantum: how the capture worklet feeds the resampler. */
const QUANTUM = 128;
const INPUT_RATES = [44_100, 48_000];
const AMPLITUDE = 0.5;
/** Stopband tones: everything a 16 kHz stream cannot carry, up to where microphones stop. */
const STOP_TONES = Array.from({ length: 24 }, (_, i) => 8_500 + 500 * i);
/** Passband tones: where speech lives. */
const PASS_TONES = [100, 200, 440, ...Array.from({ length: 12 }, (_, i) => 500 * (i + 1))];

// Budgets: a miss fails the bench, and so CI.
const MIN_ALIAS_REJECTION_DB = 50;
const MAX_RIPPLE_DB = 1;
const COUNT_SECONDS = 600;

/** A streaming downsampler fed block by block. */
interface Method {
  /** Column heading. */
  name: string;
  /** Block size it is fed in (the quick-start's ScriptProcessor buffer, or a worklet quantum). */
  block: number;
  /** A fresh instance for one stream. */
  create(inRate: number): (block: Float32Array) => Float32Array;
  /** Constant delay of the signal through it, in output samples, if it has one. */
  delaySamples(inRate: number): number;
}

/**
 * Linear interpolation between neighbouring input samples, the usual step up from the quick-start:
 * no filter, so no alias rejection to speak of, but positions come from a global sample counter, so the
 * output count never drifts. Output `n` sits at input position `n * inRate / outRate`.
 */
function linearInterpolator(inRate: number, outRate: number): (block: Float32Array) => Float32Array {
  let produced = 0; // outputs so far
  let seen = 0; // inputs before the current block
  let previous = 0; // last input sample of the previous block
  return (block) => {
    const end = seen + block.length;
    const at = (i: number) => (i < seen ? previous : block[i - seen]);
    const out: number[] = [];
    for (;;) {
      const position = (produced * inRate) / outRate;
      const i = Math.floor(position);
      if (i + 1 >= end) break;
      const frac = position - i;
      out.push(at(i) + frac * (at(i + 1) - at(i)));
      produced++;
    }
    previous = block[block.length - 1] ?? previous;
    seen = end;
    return Float32Array.from(out);
  };
}

const METHODS: Method[] = [
  {
    name: 'ours (polyphase Kaiser FIR)',
    block: QUANTUM,
    create: (inRate) => {
      const r = new Resampler(inRate, WIRE_RATE);
      return (block) => r.process(block);
    },
    delaySamples: (inRate) => new Resampler(inRate, WIRE_RATE).delaySamples,
  },
  {
    name: 'quick-start (every Nth sample)',
    block: QUICKSTART_BLOCK,
    create: (inRate) => (block) => quickstartDownsample(block, inRate, WIRE_RATE),
    delaySamples: () => 0,
  },
  {
    name: 'linear interpolation',
    block: QUANTUM,
    create: (inRate) => linearInterpolator(inRate, WIRE_RATE),
    delaySamples: () => 0,
  },
];

/** Feeds `input` through a fresh instance in the method's block size; returns the concatenated output. */
function run(method: Method, inRate: number, input: Float32Array, block = method.block): Float32Array {
  const process = method.create(inRate);
  const parts: Float32Array[] = [];
  for (let i = 0; i < input.length; i += block) parts.push(process(input.subarray(i, i + block)));
  return concat(parts);
}

const tone = (freq: number, rate: number, seconds: number, phase = 0) =>
  sine(freq, rate, Math.round(rate * seconds), { amplitude: AMPLITUDE, phase });

// Tone measurements skip the start, where a filter is still filling.
const TONE_SECONDS = 0.6;
const SETTLE = Math.round(0.1 * WIRE_RATE);

/**
 * Output RMS for a tone, as power averaged over two quadrature phases: a tone that folds exactly onto
 * DC (16 kHz, say) would otherwise read anything from 0 to full level depending on its phase.
 */
function toneRms(method: Method, inRate: number, freq: number): number {
  const power = [0, Math.PI / 2].map((phase) => {
    const out = run(method, inRate, tone(freq, inRate, TONE_SECONDS, phase)).subarray(SETTLE);
    return rms(out) ** 2;
  });
  return Math.sqrt((power[0] + power[1]) / 2);
}

/** Worst alias rejection over the stopband tones, in dB relative to a 440 Hz tone of equal amplitude. */
function aliasRejection(method: Method, inRate: number): { worstDb: number; worstTone: number } {
  const reference = toneRms(method, inRate, 440);
  let worst = { worstDb: Infinity, worstTone: 0 };
  for (const f of STOP_TONES.filter((hz) => hz < inRate / 2)) {
    const rejection = db(reference / Math.max(toneRms(method, inRate, f), 1e-12));
    if (rejection < worst.worstDb) worst = { worstDb: rejection, worstTone: f };
  }
  return worst;
}

/** Max − min gain over the passband tones, in dB. */
function passbandRipple(method: Method, inRate: number): number {
  const gains = PASS_TONES.map((f) => {
    const out = run(method, inRate, tone(f, inRate, TONE_SECONDS)).subarray(SETTLE);
    return db(toneAmplitude(out, f, WIRE_RATE) / AMPLITUDE);
  });
  return Math.max(...gains) - Math.min(...gains);
}

/**
 * Group delay from a click: an impulse at 50 ms (an input sample every method keeps, and on an output
 * sample's instant at 16 kHz), located in the output by its peak, refined by parabolic interpolation.
 */
function clickDelayMs(method: Method, inRate: number): number {
  const input = new Float32Array(Math.round(0.2 * inRate));
  const clickAt = Math.round(0.05 * inRate);
  input[clickAt] = 1;
  const out = run(method, inRate, input);
  let peak = 0;
  for (let i = 1; i < out.length; i++) if (Math.abs(out[i]) > Math.abs(out[peak])) peak = i;
  const [a, b, c] = [out[peak - 1] ?? 0, out[peak], out[peak + 1] ?? 0];
  const denominator = a - 2 * b + c;
  const shift = denominator ? (a - c) / (2 * denominator) : 0;
  return ((peak + shift) / WIRE_RATE - clickAt / inRate) * 1000;
}

/** Output samples after `COUNT_SECONDS` of input, fed in the method's own block size. */
function outputCount(method: Method, inRate: number): number {
  const process = method.create(inRate);
  const silence = new Float32Array(method.block);
  const total = inRate * COUNT_SECONDS;
  let count = 0;
  for (let fed = 0; fed < total; fed += method.block) {
    count += process(fed + method.block <= total ? silence : silence.subarray(0, total - fed)).length;
  }
  return count;
}

/** Seconds of audio processed per second of one core, fed 128 samples at a time like the worklet. */
function throughput(method: Method, inRate: number): number {
  const input = tone(440, inRate, 60);
  run(method, inRate, input.subarray(0, inRate * 2), QUANTUM); // let the JIT settle first
  const started = performance.now();
  run(method, inRate, input, QUANTUM);
  return 60 / ((performance.now() - started) / 1000);
}

interface Figures {
  method: string;
  inRate: number;
  aliasRejectionDb: number;
  worstAliasToneHz: number;
  passbandRippleDb: number;
  groupDelayMs: number;
  declaredDelayMs: number;
  outputCount600s: number;
  countError: number;
  realtimeFactor: number;
}

/** Runs part 2. */
export async function capturePart(): Promise<Section> {
  const figures: Figures[] = [];
  for (const inRate of INPUT_RATES) {
    for (const method of METHODS) {
      const alias = aliasRejection(method, inRate);
      const count = outputCount(method, inRate);
      figures.push({
        method: method.name,
        inRate,
        aliasRejectionDb: alias.worstDb,
        worstAliasToneHz: alias.worstTone,
        passbandRippleDb: passbandRipple(method, inRate),
        groupDelayMs: clickDelayMs(method, inRate),
        declaredDelayMs: (method.delaySamples(inRate) / WIRE_RATE) * 1000,
        outputCount600s: count,
        countError: count - WIRE_RATE * COUNT_SECONDS,
        realtimeFactor: throughput(method, inRate),
      });
    }
  }

  const failures: string[] = [];
  const ours = METHODS[0];
  for (const f of figures.filter((figure) => figure.method === ours.name)) {
    const at = `${f.inRate / 1000} kHz`;
    if (f.aliasRejectionDb < MIN_ALIAS_REJECTION_DB) {
      failures.push(`alias rejection at ${at} is ${fixed(f.aliasRejectionDb)} dB (< ${MIN_ALIAS_REJECTION_DB} dB)`);
    }
    if (f.passbandRippleDb > MAX_RIPPLE_DB)
      failures.push(`passband ripple at ${at} is ${fixed(f.passbandRippleDb, 2)} dB`);
    // The count may trail the ideal by the filter's constant latency, never more, never drift.
    if (f.countError > 0 || f.countError < -Math.ceil(ours.delaySamples(f.inRate))) {
      failures.push(`output count at ${at} over ${COUNT_SECONDS} s is off by ${f.countError} samples`);
    }
  }

  const metrics: [string, (f: Figures) => string, string][] = [
    [
      'alias rejection, worst tone 8.5–20 kHz',
      (f) => `${fixed(f.aliasRejectionDb)} dB (${f.worstAliasToneHz / 1000} kHz)`,
      `≥ ${MIN_ALIAS_REJECTION_DB} dB`,
    ],
    ['passband ripple 0.1–6 kHz', (f) => `${fixed(f.passbandRippleDb, 2)} dB`, `≤ ${MAX_RIPPLE_DB} dB`],
    ['group delay (click)', (f) => `${fixed(f.groupDelayMs, 2)} ms`, ''],
    [
      `output samples after ${COUNT_SECONDS} s`,
      (f) =>
        `${f.outputCount600s.toLocaleString('en')} (${f.countError >= 0 ? '+' : ''}${f.countError}, ${fixed((f.countError / WIRE_RATE) * 1000)} ms)`,
      `${(WIRE_RATE * COUNT_SECONDS).toLocaleString('en')}, no drift`,
    ],
    [
      'throughput, one core, 128-sample blocks',
      (f) => `${Math.round(f.realtimeFactor)}× real time (${fixed(100 / f.realtimeFactor, 2)} % of a core)`,
      '',
    ],
  ];
  const rows: string[][] = [];
  for (const inRate of INPUT_RATES) {
    const byMethod = METHODS.map((m) => figures.find((f) => f.method === m.name && f.inRate === inRate)!);
    for (const [label, format, budget] of metrics) {
      rows.push([label, `${inRate / 1000} kHz (÷${inRate / WIRE_RATE})`, ...byMethod.map(format), budget]);
    }
  }
  return {
    title: 'Capture: microphone → 16 kHz (Node, pure modules)',
    header: ['metric', 'input (ratio)', ...METHODS.map((m) => m.name), 'budget (ours)'],
    rows,
    notes: [
      `Alias rejection: output RMS for a ${AMPLITUDE} FS tone every 500 Hz from 8.5 to 20 kHz, against a 440 Hz tone ` +
        'of equal amplitude (power averaged over sine and cosine phase, so tones folding onto DC count fully).',
      `Ripple: gain at ${PASS_TONES.length} tones from 100 Hz to 6 kHz (windowed single-bin DFT). ` +
        `Our filter's declared delay: ${figures
          .filter((f) => f.method === ours.name)
          .map((f) => `${fixed(f.declaredDelayMs, 2)} ms at ${f.inRate / 1000} kHz`)
          .join(', ')}.`,
      `Counts: ${COUNT_SECONDS} s of input in each method's own blocks (the quick-start's ScriptProcessor uses ` +
        `${QUICKSTART_BLOCK}, dropping the fraction of an output sample at the end of every block).`,
      'Throughput: the downsampling step alone, 60 s of a tone, timed once after a warm-up; a figure, not a budget.',
      'The quick-start asks for a 16 kHz AudioContext; where the browser grants it (Chromium does) the browser ' +
        'resamples and its decimation never runs, and where it does not, the column above is what visitors get.',
    ],
    failures,
    data: figures,
  };
}
