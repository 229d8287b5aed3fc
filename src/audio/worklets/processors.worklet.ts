// The one module the engine loads into the AudioWorklet: both processors in one bundle share the DSP
// code (resampler, FIR design), so the widget carries it once and the context needs one addModule().
import './capture.worklet.js';
import './playback.worklet.js';
