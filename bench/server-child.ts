// The child process of serveInChild() (server-process.ts): runs serve() (serve.ts) and answers the bench over IPC.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { epoch, serve } from './serve.js';
import type { ToChild, ToParent } from './server-process.js';

const send = (m: ToParent) => process.send!(m);
// The channel closes however the bench ends (even SIGKILL): the server ends with it.
process.on('disconnect', () => process.exit(0));

const lag = monitorEventLoopDelay({ resolution: 5 });
lag.enable();
let running: ReturnType<typeof serve> | undefined;

process.on('message', async (m: ToChild) => {
  if ('start' in m) {
    running = serve(m.start.widgetPath, {
      ...m.start.options,
      onFrame: (frame) => send({ frame, at: epoch() }),
    });
    send({ origin: (await running).origin });
  } else if (m.request === 'resetStall') {
    lag.reset();
    send({ reply: m.id, value: 0 });
  } else if (m.request === 'stall') send({ reply: m.id, value: lag.max / 1e6 });
  else {
    const { server, voice } = await running!;
    await voice.close();
    server.close();
    process.send!({ reply: m.id, value: 0 } satisfies ToParent, () => process.exit(0));
  }
});
