// Reads the level meter's canvas as the page shows it: drawn here, or in a Worker through an
// OffscreenCanvas (its placeholder canvas can be drawn from, though not read directly).

/** Probe size, px: the meter's canvas is drawn into it scaled, so the orb's radius is a quarter of it. */
const PROBE = 100;

/**
 * The RGBA of the meter canvas at `radius` × the orb's radius right of its centre: transparent beyond
 * both halos, the halo's colour within one.
 */
export function meterPixel(canvas: HTMLCanvasElement, radius: number): number[] {
  const probe = document.createElement('canvas');
  probe.width = probe.height = PROBE;
  const context = probe.getContext('2d')!;
  context.drawImage(canvas, 0, 0, PROBE, PROBE);
  const x = Math.round(PROBE / 2 + (PROBE / 4) * radius);
  return [...context.getImageData(x, PROBE / 2, 1, 1).data];
}

/** The outer halo's radius, in orbs' radii (past its anti-aliased edge): 1 (no halo) up to 1 + swell. */
export function haloRadius(canvas: HTMLCanvasElement): number {
  let radius = 1;
  while (radius < 2 && meterPixel(canvas, radius + 0.01)[3] > 32) radius += 0.01;
  return radius;
}
