// The socket Worker: runs the SocketCore off the main thread, so a busy page cannot hold up the
// microphone frames or the agent's audio. Bundled into a string (tools/worklet-plugin.ts) and started
// from a Blob URL by transport.ts. It says `ready` first; the session then sends the two ports.
import { CLOSE_WAIT_MS, SocketCore, type CoreCommand } from './socket-core.js';

/** The few DedicatedWorkerGlobalScope names used here (the widget's tsconfig has the DOM lib only). */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<CoreCommand>) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
};

/** How often the counters are reported while the Worker runs: often enough for getStats(), cheap for the page. */
const STATS_MS = 250;

let core: SocketCore | null = null;
let timer: ReturnType<typeof setInterval> | undefined;
const post = (message: unknown) => scope.postMessage(message);
const report = () => post({ type: 'stats', ...core!.stats });

scope.onmessage = ({ data, ports }) => {
  if (!core) {
    core = new SocketCore(post, ports[0], ports[1]);
    timer = setInterval(report, STATS_MS);
    return;
  }
  core.command(data);
  if (data.type !== 'close') return;
  clearInterval(timer);
  // A Worker that ends mid-handshake drops the connection (the server sees 1006, not 1000): wait for it.
  const wait = new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS));
  void Promise.race([core.closed, wait]).then(() => {
    report(); // the final counters; the page terminates the Worker on them
    scope.close();
  });
};
post({ type: 'ready' });
