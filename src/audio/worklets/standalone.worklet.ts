// The file the build emits as dist/voice-agent.worklet.js, for sites whose Content-Security-Policy
// refuses the script's own blob: and data: URLs and which serve it themselves (`worklet-url`). It is
// both halves of what the script otherwise makes from strings: loaded into an AudioWorklet, the two
// processors; started as a Worker (from the same URL, which needs the same origin), the socket core.
import { CORE_CONFIG, runSocketCore } from '../../session/socket-core.js';
import { workletScope } from './scope.js';

// The processors' modules define classes that extend AudioWorkletProcessor: evaluated only where it exists.
if (typeof workletScope.registerProcessor === 'function') void import('./processors.worklet.js');
else runSocketCore(self as unknown as Parameters<typeof runSocketCore>[0], CORE_CONFIG);
