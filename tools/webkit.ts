// How the test runner drives WebKit: WebKitGTK's MiniBrowser (Debian's, never a downloaded one) through
// WebKitWebDriver, classic WebDriver over plain HTTP, on a private Xvfb display (MiniBrowser has no
// headless mode). The display and the driver are started and stopped here, each in its own process group,
// so the browser and its helper processes go with them and nothing outlives the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { BrowserLauncher } from '@web/test-runner';
import { sleep } from './wait.js';

/** `MINIBROWSER_PATH`, `WEBKIT_DRIVER_PATH` and `XVFB_PATH` override Debian's paths. */
export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const XVFB_PATH = process.env.XVFB_PATH ?? '/usr/bin/Xvfb';

/**
 * `--automation` or the session request hangs; without mock capture devices getUserMedia fails (the mock
 * microphone: 44.1 kHz, a 150 Hz hum).
 */
export const MINIBROWSER_ARGS: readonly string[] = [
  '--automation',
  '--enable-mock-capture-devices=true',
  '--enable-media-stream=true',
];

/** Lets audio start without a user gesture; left out where a test checks the gesture rule. */
const AUTOPLAY_ARG = '--autoplay-policy=allow';

const STARTUP_TIMEOUT_MS = 20_000;

/**
 * Starts `command` in a process group of its own, which `killGroup` ends with everything it spawned;
 * `stderr` keeps its error output readable (the driver's last lines go into the report of an unexpected end).
 */
function start(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; fd3?: boolean; stderr?: boolean } = {},
) {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'ignore', options.stderr ? 'pipe' : 'ignore', ...(options.fd3 ? ['pipe' as const] : [])],
  });
  child.on('error', (err) => console.error(`${command}: ${err.message}`));
  return child;
}

const running = (child: ChildProcess | undefined): child is ChildProcess =>
  child?.pid !== undefined && child.exitCode === null && child.signalCode === null;

function killGroup(child: ChildProcess | undefined): void {
  if (!running(child)) return;
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** A test-runner browser that can also click and type like a user (`real-click`, and `send-keys` `press`). */
export interface ClickingLauncher extends BrowserLauncher {
  /** A real mouse click (WebDriver actions) at viewport coordinates: a user gesture, unlike a script's `click()`. */
  click(sessionId: string, x: number, y: number): Promise<void>;
  /** Presses and releases one key (WebDriver actions), named as `KeyboardEvent.key` names it. */
  press(sessionId: string, key: string): Promise<void>;
}

/**
 * Which test file each test-runner session runs, noted by {@link webkitSessionFiles} (wtr hands a
 * launcher only a session id and a URL that names no file).
 */
const sessionFiles = new Map<string, string>();

/**
 * Test-runner plugin: notes each session's test file as wtr imports it into its page (the import carries
 * the session id), so a WebKit session that ends unexpectedly can say which file was open.
 */
export const webkitSessionFiles = {
  name: 'webkit-session-files',
  transformImport({ source }: { source: string }): undefined {
    const id = /[?&]wtr-session-id=([^&]+)/.exec(source)?.[1];
    if (id) sessionFiles.set(id, source.split('?')[0]);
  },
};

/** WebDriver's code points for the named keys the tests press (W3C WebDriver, "Keyboard actions"). */
const WEBDRIVER_KEYS: Record<string, string> = {
  Tab: '\uE004',
  Enter: '\uE007',
  Shift: '\uE008',
  Escape: '\uE00C',
  ArrowLeft: '\uE012',
  ArrowUp: '\uE013',
  ArrowRight: '\uE014',
  ArrowDown: '\uE015',
};

/**
 * WebKit as a test-runner browser: one MiniBrowser window, one test file at a time; audio may start
 * without a gesture unless `autoplay` is false.
 */
export function webkitLauncher({ autoplay = true } = {}): ClickingLauncher {
  let xvfb: ChildProcess | undefined;
  let driver: ChildProcess | undefined;
  let base = '';
  let starting: Promise<string> | undefined;
  const active = new Set<string>();
  // For the report of a session that ends unexpectedly: the test page open (its session id), the last
  // WebDriver error, the driver's last lines of error output; `stopping` once the runner stops us.
  let open: string | undefined;
  let lastError = 'none';
  let driverLog = '';
  let stopping = false;
  let reported = false;
  const cleanUp = () => [driver, xvfb].forEach(killGroup);

  /** Says once, on stderr, why the session ended, unless the runner is stopping it. */
  function report(cause: string): void {
    if (stopping || reported) return;
    reported = true;
    const page = open ? (sessionFiles.get(open) ?? `session ${open}`) : 'no test page';
    const exit = driver?.signalCode ?? driver?.exitCode;
    const state = !driver
      ? 'not started'
      : exit === null
        ? 'running'
        : `exited (${typeof exit === 'number' ? `code ${exit}` : exit})`;
    const log = driverLog.trim().split('\n').slice(-3).join(' | ');
    // Straight to stderr: the runner's terminal buffers console output, and loses it if the process exits.
    process.stderr.write(
      `WebKit session ended unexpectedly: ${cause}; open: ${page}; WebKitWebDriver ${state};` +
        ` last WebDriver error: ${lastError}${log ? `; driver stderr: ${log}` : ''}\n`,
    );
  }

  async function command(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      lastError = `${method} ${path}: ${(err as Error).message}`;
      report('WebKitWebDriver does not answer');
      throw err;
    }
    const { value } = (await response.json()) as { value: { error?: string; message?: string } };
    if (!response.ok) {
      lastError = `${method} ${path}: ${value.error}: ${String(value.message).slice(0, 200)}`;
      // The browser is gone (MiniBrowser crashed or quit); the driver may live on.
      if (value.error === 'invalid session id' || value.error === 'no such window') {
        report('the browser session is gone');
      }
      throw new Error(`WebKitWebDriver ${method} ${path}: ${JSON.stringify(value)}`);
    }
    return value;
  }

  const onExit = (code: number) => {
    report(`the test runner exits (code ${code}) before it stopped WebKit`);
    cleanUp();
  };

  async function startBrowser(): Promise<string> {
    process.once('exit', onExit);
    // -displayfd: Xvfb picks a free display and writes its number to fd 3 once it accepts clients.
    xvfb = start(XVFB_PATH, ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], { fd3: true });
    const display = await Promise.race([
      once(xvfb.stdio[3]!, 'data').then(([fd3]) => String(fd3).trim()),
      once(xvfb, 'close').then(() => null),
    ]);
    if (display === null) throw new Error(`${XVFB_PATH} did not start (is Debian's xvfb installed?)`);
    xvfb.once('exit', (code, signal) => report(`Xvfb exited (${signal ?? `code ${code}`})`));
    const port = await freePort();
    driver = start(WEBKIT_DRIVER_PATH, [`--port=${port}`], {
      env: { ...process.env, DISPLAY: `:${display}` },
      stderr: true,
    });
    driver.stderr!.on('data', (chunk) => (driverLog = (driverLog + chunk).slice(-2000)));
    driver.once('exit', () => report('WebKitWebDriver exited'));
    base = `http://127.0.0.1:${port}`;
    for (const deadline = Date.now() + STARTUP_TIMEOUT_MS; ; await sleep(100)) {
      // Refused until the driver listens: not an error worth reporting.
      const ready = await fetch(`${base}/status`).then(
        async (response) => ((await response.json()) as { value: { ready?: boolean } }).value.ready,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`${WEBKIT_DRIVER_PATH} did not start on port ${port}`);
    }
    const session = (await command('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          'webkitgtk:browserOptions': {
            binary: MINIBROWSER_PATH,
            args: autoplay ? [...MINIBROWSER_ARGS, AUTOPLAY_ARG] : MINIBROWSER_ARGS,
          },
        },
      },
    })) as { sessionId: string };
    return `/session/${session.sessionId}`;
  }

  return {
    name: 'WebKit',
    type: 'webkit-webdriver',
    concurrency: 1, // one window: test files take turns in it
    async startSession(id, url) {
      starting ??= startBrowser();
      const session = await starting;
      active.add(id);
      open = id;
      await command('POST', `${session}/url`, { url });
    },
    isActive: (id) => active.has(id),
    async getBrowserUrl() {
      return (await command('GET', `${await starting}/url`)) as string;
    },
    async stopSession(id) {
      active.delete(id);
      // Leave the test page, so its microphone, contexts and sockets end before the next file starts.
      await command('POST', `${await starting}/url`, { url: 'about:blank' });
      open = undefined;
      return {};
    },
    async stop() {
      stopping = true;
      if (starting) await starting.then((session) => command('DELETE', session)).catch(() => undefined);
      cleanUp();
      await Promise.all([driver, xvfb].map((child) => running(child) && once(child, 'exit')));
      process.off('exit', onExit);
    },
    async click(_id, x, y) {
      const mouse = { type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' } };
      const actions = [
        { type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport' },
        { type: 'pointerDown', button: 0 },
        { type: 'pointerUp', button: 0 },
      ];
      await command('POST', `${await starting}/actions`, { actions: [{ ...mouse, actions }] });
    },
    async press(_id, key) {
      const value = WEBDRIVER_KEYS[key] ?? key;
      const actions = [
        { type: 'keyDown', value },
        { type: 'keyUp', value },
      ];
      await command('POST', `${await starting}/actions`, { actions: [{ type: 'key', id: 'keyboard', actions }] });
    },
    startDebugSession() {
      throw new Error('WebKit runs only headless here (under Xvfb): debug in another browser.');
    },
  };
}
