/**
 * Loads a worklet's source (a string, see tools/worklet-plugin.mjs) into a context through a Blob URL,
 * so the widget fetches nothing at run time. A Content-Security-Policy without `blob:` in `script-src`
 * (or `worker-src`) blocks this; the rejection surfaces as `audio_failed`.
 */
export async function addWorkletModule(context: BaseAudioContext, code: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([code], { type: 'application/javascript' }));
  try {
    await context.audioWorklet.addModule(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}
