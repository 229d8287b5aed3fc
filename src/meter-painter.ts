// The level meter's halos, drawn on a canvas by whichever thread holds it: normally the socket Worker
// (the element hands it an OffscreenCanvas, and the playback worklet posts it the levels), so the meter
// moves without a single task on the page's main thread, and keeps moving while that thread is busy.

/** How the halos look; sent again whenever the layout, the theme or the pixel ratio may have changed. */
export interface MeterStyle {
  /** The canvas's width and height in device pixels: twice the orb's, so a swollen halo fits. */
  size: number;
  /** Resolved colours of the microphone's halo and the agent's. */
  colors: [string, string];
  /** How far a halo at full level swells beyond the orb, as a fraction of its radius. */
  swell: number;
  /** prefers-reduced-motion: the halos keep still and only fade, in 4 steps. */
  still: boolean;
}

/** Element → painter, through the transport: the canvas once (first message), then style changes. */
export type MeterCommand = { type: 'meter'; canvas?: OffscreenCanvas | HTMLCanvasElement } & MeterStyle;

/** Levels, 0..1: the microphone's and the agent's as played (after the volume). */
export type MeterLevels = [number, number];

/**
 * Makes the painter of `canvas`: call it with a style (before the first levels are drawn) or with levels.
 * Self-contained (it names nothing but its parameter and the globals a Worker has): its source text is
 * part of the socket Worker's script.
 */
export function meterPainter(canvas: OffscreenCanvas | HTMLCanvasElement): (input: MeterStyle | MeterLevels) => void {
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  let style: MeterStyle | undefined;
  let levels: MeterLevels = [0, 0];
  return (input) => {
    if (Array.isArray(input)) levels = input;
    else style = input;
    if (!style) return;
    const { size, colors, swell, still } = style;
    // Setting the size clears the canvas (and is needed only when it changed).
    if (canvas.width !== size) canvas.width = canvas.height = size;
    else context.clearRect(0, 0, size, size);
    levels.forEach((level, i) => {
      if (still) level = Math.round(level * 4) / 4;
      if (!level) return;
      context.globalAlpha = 0.25 + level / 2;
      context.fillStyle = colors[i];
      context.beginPath();
      // Squared, so a room's noise floor barely stirs the halo and speech swells it.
      context.arc(size / 2, size / 2, (size / 4) * (still ? 1.3 : 1 + swell * level * level), 0, 7);
      context.fill();
    });
  };
}
