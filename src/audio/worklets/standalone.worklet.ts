// The file the build emits as dist/voice-agent.worklet.js, for sites whose Content-Security-Policy
// refuses the script's own blob: and data: URLs and which serve it themselves (`worklet-url`). It is
// both halves of what the script otherwise makes from strings: loaded into an AudioWorklet, the two
// processors (registered as the module evaluates, as addModule() requires); started as a Worker (from
// the same URL, which needs the same origin), the socket core and the meter painter.
import { inWorklet } from './stand-ins.js';
import './processors.worklet.js';
import { CORE_CONFIG, runSocketCore } from '../../session/socket-core.js';
import { meterPainter } from '../../meter-painter.js';

if (!inWorklet) runSocketCore(self as unknown as Parameters<typeof runSocketCore>[0], CORE_CONFIG, meterPainter);
