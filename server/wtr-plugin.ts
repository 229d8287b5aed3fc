/**
 * web-test-runner plugin: serves the voice server from the test runner's own HTTP server, so browser
 * tests `fetch('/api/voice-token')` and open the returned ws_url on the same origin.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createVoiceServer, type VoiceServer, type VoiceServerOptions } from './index.js';

/** The part of the dev server's `serverStart` argument this plugin uses. */
interface ServerStartArgs {
  server?: Server;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Test-runner plugin mounting a voice server (options as for `createVoiceServer`). */
export function voiceServerPlugin(options: VoiceServerOptions = {}) {
  let voice: VoiceServer | undefined;
  return {
    name: 'voice-agent:voice-server',
    serverStart({ server }: ServerStartArgs) {
      if (!server) throw new Error('voiceServerPlugin needs the test runner to own its HTTP server');
      const mounted = createVoiceServer({ log: () => {}, ...options });
      voice = mounted;
      // The runner's Koa app composed its middleware list when the server was created, so a later
      // `app.use` would never run: put our handler in front of Koa's request listener instead.
      const koa = server.listeners('request') as RequestListener[];
      server.removeAllListeners('request');
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        if (!mounted.handle(req, res)) for (const listener of koa) listener.call(server, req, res);
      });
      server.on('upgrade', (req, socket, head) => mounted.upgrade(req, socket, head));
    },
    async serverStop() {
      await voice?.close();
    },
  };
}
