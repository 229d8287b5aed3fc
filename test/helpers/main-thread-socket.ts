// mock-socket replaces the page's WebSocket, not a Worker's. Suites that drive the element against it
// hide `Worker` for each test, so the element's transport falls back to the main thread (as on a page
// whose Content-Security-Policy refuses blob: workers) and its socket is the mock. Not a test file itself.

/** Hides `Worker` before each test of the calling suite and puts it back after. */
export function useMainThreadSocket(): void {
  const PageWorker = window.Worker;
  beforeEach(() => void ((window as { Worker?: unknown }).Worker = undefined));
  afterEach(() => void (window.Worker = PageWorker));
}
