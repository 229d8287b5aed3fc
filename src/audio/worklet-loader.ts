/**
 * Loads a worklet's source (a string, see tools/worklet-plugin.ts) into a context, so the widget fetches
 * nothing at run time: from a Blob URL, or else from a data: URL, which WebKit needs inside `srcdoc` and
 * `about:blank` frames (it refuses blob: modules there as cross-origin). A Content-Security-Policy must
 * allow one of them in `script-src`; if neither loads, the rejection surfaces as `audio_failed`.
 */
export async function addWorkletModule(context: BaseAudioContext, code: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([code], { type: 'application/javascript' }));
  try {
    await context.audioWorklet.addModule(url);
  } catch {
    await context.audioWorklet.addModule(`data:application/javascript,${encodeURIComponent(code)}`);
  } finally {
    URL.revokeObjectURL(url);
  }
}
