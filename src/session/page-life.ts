/**
 * What a session holds on the page while it runs: a screen wake lock where the API exists (a phone
 * that dims and locks mid-conversation suspends the audio), taken again each time the tab becomes
 * visible (the browser releases it when hidden), and a `pagehide` listener that ends the session, so
 * a page going into the back/forward cache holds no microphone, socket or context. Returns the release.
 */
export function holdPage(onPageHide: () => void): () => void {
  let lock: WakeLockSentinel | undefined;
  let held = true;
  const take = () => {
    if (document.visibilityState !== 'visible' || (lock && !lock.released)) return;
    // Refused without a reason worth reporting (battery saver, permissions policy): the session goes on.
    navigator.wakeLock?.request('screen').then(
      (sentinel) => (held ? (lock = sentinel) : void sentinel.release()),
      () => {},
    );
  };
  addEventListener('pagehide', onPageHide);
  document.addEventListener('visibilitychange', take);
  take();
  return () => {
    held = false;
    removeEventListener('pagehide', onPageHide);
    document.removeEventListener('visibilitychange', take);
    void lock?.release().catch(() => {});
  };
}
