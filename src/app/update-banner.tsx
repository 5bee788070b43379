import { useRegisterSW } from 'virtual:pwa-register/react';

/**
 * The service worker keeps the app working offline (the privacy view says when it does). A new
 * version waits until the user takes it, so a tab never runs old and new files side by side: this
 * bar, under the top bar, offers it. It takes its own row rather than floating over the top bar,
 * whose model switcher must stay reachable.
 */
export function UpdateBanner() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW();

  if (!needRefresh) return null;
  return (
    <div className="update-bar" aria-live="polite">
      <span>A new version of Tab LLM is available.</span>
      <button type="button" onClick={() => void updateServiceWorker(true)}>
        Reload to update
      </button>
      <button type="button" className="secondary" onClick={() => setNeedRefresh(false)}>
        Later
      </button>
    </div>
  );
}
