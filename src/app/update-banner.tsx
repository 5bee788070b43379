import { useRegisterSW } from 'virtual:pwa-register/react';

/**
 * The service worker keeps the app working offline. A new version waits until the user takes it,
 * so a tab never runs old and new files side by side.
 */
export function UpdateBanner() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW();

  if (needRefresh) {
    return (
      <div className="banner" aria-live="polite">
        <span>A new version of Tab LLM is available.</span>
        <button type="button" onClick={() => void updateServiceWorker(true)}>
          Reload to update
        </button>
        <button type="button" onClick={() => setNeedRefresh(false)}>
          Later
        </button>
      </div>
    );
  }
  if (offlineReady) {
    return (
      <div className="banner" aria-live="polite">
        <span>Tab LLM is installed in this browser: it now opens and runs without a network.</span>
        <button type="button" onClick={() => setOfflineReady(false)}>
          OK
        </button>
      </div>
    );
  }
  return null;
}
