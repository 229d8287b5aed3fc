// The meter painter on a canvas of this page (in a session it draws in the socket Worker, on an
// OffscreenCanvas: test/session/transport.test.ts).
import { expect } from '@open-wc/testing';
import { meterPainter, type MeterStyle } from '../src/meter-painter.js';
import { haloRadius, meterPixel } from './helpers/meter.js';

const GREEN = 'rgb(0, 128, 0)';
const BLUE = 'rgb(0, 0, 255)';
const STYLE: MeterStyle = { size: 80, colors: [GREEN, BLUE], swell: 0.8, still: false };

describe('meterPainter', () => {
  let canvas: HTMLCanvasElement;
  beforeEach(() => {
    canvas = document.createElement('canvas');
  });

  it('draws nothing until it has a style, then sizes the canvas to it', () => {
    const paint = meterPainter(canvas);
    paint([1, 1]);
    expect(canvas.width).to.equal(300); // the default: untouched
    paint(STYLE);
    expect([canvas.width, canvas.height]).to.deep.equal([80, 80]);
    expect(meterPixel(canvas, 1.2)[3]).to.be.above(0);
  });

  it('swells each halo with the square of its level, the agent drawn over the microphone', () => {
    const paint = meterPainter(canvas);
    paint(STYLE);
    paint([0.5, 0]);
    // 1 + 0.8 × 0.5², within a pixel of the 100 px probe.
    expect(haloRadius(canvas)).to.be.closeTo(1.2, 0.05);
    const [r, g, b, a] = meterPixel(canvas, 1.1);
    expect([r, b]).to.deep.equal([0, 0]);
    expect(g).to.be.above(100);
    expect(a / 255).to.be.closeTo(0.25 + 0.5 / 2, 0.02);
    paint([0.5, 1]);
    expect(haloRadius(canvas)).to.be.closeTo(1.8, 0.05);
    const over = meterPixel(canvas, 1.1);
    expect(over[2]).to.be.above(over[1]); // blue over green
    paint([0, 0]);
    expect(meterPixel(canvas, 1.1)[3]).to.equal(0);
  });

  it('keeps still under reduced motion: one size, fading in 4 steps', () => {
    const paint = meterPainter(canvas);
    paint({ ...STYLE, still: true });
    paint([0.3, 0]);
    expect(haloRadius(canvas)).to.be.closeTo(1.3, 0.05);
    expect(meterPixel(canvas, 1.1)[3] / 255).to.be.closeTo(0.25 + 0.25 / 2, 0.02); // 0.3 → 0.25
    paint([0.9, 0]);
    expect(haloRadius(canvas)).to.be.closeTo(1.3, 0.05);
  });
});
