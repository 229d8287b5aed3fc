/** Mounts the voice server on Vite's dev server: same origin as the page, so no CORS and no second port. */
import type { Plugin } from 'vite';
import type { VoiceServer } from './index.js';

/** Vite plugin serving `voice`'s routes and sockets from the dev server; closes it with the server. */
export function voiceServerVitePlugin(voice: VoiceServer): Plugin {
  return {
    name: 'voice-agent:voice-server',
    apply: 'serve',
    configureServer(server) {
      // Added directly (not in a returned hook) so it runs before Vite's own middlewares.
      server.middlewares.use((req, res, next) => {
        if (!voice.handle(req, res)) next();
      });
      // Vite's HMR socket ignores upgrades that are not its own, so ours can share the server.
      server.httpServer?.on('upgrade', (req, socket, head) => voice.upgrade(req, socket, head));
      server.httpServer?.on('close', () => void voice.close());
    },
  };
}
