// The bench's local voice server (serve() from serve.ts: HTTP, WebSocket and the bench's pages) in a child
// process of its own, so that a stall of the process driving the browser (Playwright, CDP) cannot delay
// the server's frames. The child times every frame itself and reports it over IPC, with its event-loop stall.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { VoiceServerOptions } from '../server/index.js';
import { FrameLog } from './serve.js';

/** What crosses to the child: data only (functions stay in the child; `advanced` IPC carries typed arrays). */
export type ChildServerOptions = Omit<VoiceServerOptions, 'log' | 'onFrame' | 'now'>;

/** Parent → child: the server to start, then requests. */
export type ToChild =
  | { start: { widgetPath: string; options: ChildServerOptions } }
  | { request: 'resetStall' | 'stall' | 'close'; id: number };
/** Child → parent: the server's origin once listening, each frame as the child timed it (epoch ms), replies. */
export type ToParent = { origin: string } | { frame: 'in' | 'out'; at: number } | { reply: number; value: number };

/** How long close() waits for the child to close its sessions before killing it. */
const CLOSE_TIMEOUT_MS = 5000;

/** A voice server running in a child process. */
export interface ChildServer {
  origin: string;
  /** Frame times taken in the child, as they arrive. */
  frames: FrameLog;
  /** Starts a new measuring window for {@link stallMs}. */
  resetStall(): Promise<void>;
  /** The longest event-loop delay in the child since {@link resetStall}, ms. */
  stallMs(): Promise<number>;
  /** Closes the voice server (its sessions end with `server_shutdown`) and waits for the child to exit. */
  close(): Promise<void>;
}

/** Starts the voice server in a child process; it is killed with this process, and ends if this one dies. */
export async function serveInChild(widgetPath: string, options: ChildServerOptions = {}): Promise<ChildServer> {
  const child = fork(fileURLToPath(new URL('./server-child.ts', import.meta.url)), [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    serialization: 'advanced',
    // Its output goes to stderr: stdout carries the report.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const kill = () => child.kill();
  process.on('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = exited.then(() => {
    process.off('exit', kill);
    throw new Error('the voice server process exited');
  });
  gone.catch(() => {});

  const frames = new FrameLog();
  const replies = new Map<number, (value: number) => void>();
  let origin: (value: string) => void;
  const listening = new Promise<string>((resolve) => (origin = resolve));
  child.on('message', (m: ToParent) => {
    if ('frame' in m) frames.add(m.frame, m.at);
    else if ('origin' in m) origin(m.origin);
    else replies.get(m.reply)?.(m.value);
  });
  let ids = 0;
  const request = (what: 'resetStall' | 'stall' | 'close') => {
    const id = ids++;
    const reply = new Promise<number>((resolve) => replies.set(id, resolve));
    child.send({ request: what, id } satisfies ToChild);
    return Promise.race([reply, gone]).finally(() => replies.delete(id));
  };

  child.send({ start: { widgetPath, options } } satisfies ToChild);
  try {
    return {
      origin: await Promise.race([listening, gone]),
      frames,
      resetStall: async () => void (await request('resetStall')),
      stallMs: () => request('stall'),
      close: async () => {
        // Closing ends the child; one that exited first, or hangs, is dealt with all the same.
        await Promise.race([request('close'), new Promise((r) => setTimeout(r, CLOSE_TIMEOUT_MS).unref())]).catch(
          () => {},
        );
        kill();
        await exited;
      },
    };
  } catch (err) {
    kill();
    throw err;
  }
}
