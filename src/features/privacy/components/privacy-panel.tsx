import { useEffect, useState } from 'react';
import type { OriginContact } from '../../../shared/engine-protocol.ts';
import { useEngineStore } from '../../../lib/engine-context.tsx';
import { allowedModelHosts } from '../../../shared/model-hosts.ts';
import { mergeContacts } from '../../../shared/origin-contacts.ts';
import { pageRequests } from '../page-requests.ts';
import { EmbedGrantsList } from './embed-grants-list.tsx';

const REFRESH_MS = 2000;

/** Requests the policy blocked in this page (the browser reports each one). */
let blocked = 0;
if (typeof document !== 'undefined') {
  document.addEventListener('securitypolicyviolation', () => blocked++);
}

const policyActive = () =>
  document.querySelector('meta[http-equiv="Content-Security-Policy"]') !== null;

/**
 * Whether this page opened under the app's service worker. The browser then checks the app's
 * server for a new version of it (its script and the scripts that it imports), and no page or
 * worker sees those requests, so the panel says so rather than leave them out silently.
 */
const openedInstalled =
  typeof navigator !== 'undefined' &&
  'serviceWorker' in navigator &&
  navigator.serviceWorker.controller !== null;

/**
 * What this page sent over the network since it opened, read from the requests themselves: the
 * page's, the inference worker's and the service worker's (each from its own Resource Timing:
 * what the browser's caches answered is not counted), and every fetch of the worker to another
 * origin. Nothing else is contacted.
 */
export function PrivacyPanel() {
  const engine = useEngineStore();
  const offline = useOfflineReady();
  const [contacts, setContacts] = useState<OriginContact[]>(pageRequests);
  const [blockedCount, setBlockedCount] = useState(blocked);

  useEffect(() => {
    let live = true;
    const refresh = async () => {
      const worker = await engine.networkLog();
      if (!live) return;
      setContacts(mergeContacts(pageRequests(), worker));
      setBlockedCount(blocked);
    };
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [engine]);

  return (
    <section aria-labelledby="privacy-heading" className="panel privacy">
      <h2 id="privacy-heading">Privacy</h2>
      <ul className="assurances">
        <li>Your chats and models are stored only in this browser.</li>
        <li>Prompts and answers never leave this device: the model runs here.</li>
        <li>No analytics, no telemetry, no third-party scripts or fonts.</li>
        <li>
          {offline
            ? 'Installed in this browser: the app opens and runs without a network.'
            : 'Not yet installed for use without a network (it is, a few seconds after the first visit).'}
        </li>
      </ul>
      <h3>Contacted this session</h3>
      <ul aria-label="Contacted this session" className="origins">
        {contacts.map((c) => (
          <li key={c.origin}>
            <code>{c.origin}</code>{' '}
            <span className="hint">
              {c.origin === location.origin ? 'this app' : 'model download'} · {c.requests}{' '}
              {c.requests === 1 ? 'request' : 'requests'}, last at{' '}
              {new Date(c.lastAt).toLocaleTimeString()}
            </span>
          </li>
        ))}
      </ul>
      {openedInstalled && (
        <p className="hint">
          Also, as this page opened, the browser asked this app’s server whether a new version
          exists (its service worker’s scripts): no page can see those requests, so they are not
          counted above.
        </p>
      )}
      <EmbedGrantsList />
      <details>
        <summary>Security policy</summary>
        <p>
          {policyActive()
            ? 'A Content-Security-Policy is enforced: scripts only from this app, downloads only from these hosts:'
            : 'No Content-Security-Policy in this development build. Downloads are limited to:'}
        </p>
        <ul className="origins">
          {allowedModelHosts().map((host) => (
            <li key={host}>
              <code>{host}</code>
            </li>
          ))}
        </ul>
        <p>Requests blocked by the policy in this page: {blockedCount}</p>
      </details>
    </section>
  );
}

/** Whether the service worker that serves the app offline is active (never, in development). */
function useOfflineReady(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    let live = true;
    void navigator.serviceWorker.ready.then(() => {
      if (live) setReady(true);
    });
    return () => {
      live = false;
    };
  }, []);
  return ready;
}
