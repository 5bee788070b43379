import { useEffect, useState } from 'react';
import { createGrantStore, type EmbedGrant, type GrantStore } from '../../../lib/embed-grants.ts';

const REFRESH_MS = 2000;

/**
 * The sites that asked to use the model through the embedded widget, as stored in this origin:
 * the visitor revokes a grant here (the site is then refused without being asked again), or
 * forgets a record (the site may ask again). A widget in another site's page writes here only
 * when it has storage access; otherwise its grants stay in that site's partition, where the
 * widget itself lists and revokes them.
 */
export function EmbedGrantsList({ grants = defaultGrants() }: { grants?: GrantStore }) {
  const [list, setList] = useState<EmbedGrant[] | null>(null);

  useEffect(() => {
    let live = true;
    const refresh = () =>
      void grants.list().then(
        (all) => live && setList(all),
        () => live && setList([]),
      );
    refresh();
    // A widget in another tab may add a site meanwhile.
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [grants]);

  const act = async (change: Promise<void>) => {
    await change;
    setList(await grants.list());
  };

  return (
    <>
      <h3>Sites using the model</h3>
      {list !== null && list.length === 0 ? (
        <p className="hint">No site has asked to use the model through the embedded chat.</p>
      ) : (
        <ul aria-label="Sites using the model" className="origins">
          {(list ?? []).map((grant) => (
            <li key={grant.origin} aria-label={grant.origin}>
              <code>{grant.origin}</code>{' '}
              <span className="hint">
                {grant.state === 'granted' ? 'allowed' : 'revoked'} since{' '}
                {new Date(grant.at).toLocaleString()}
              </span>{' '}
              {grant.state === 'granted' ? (
                <button type="button" onClick={() => void act(grants.revoke(grant.origin))}>
                  Revoke
                </button>
              ) : (
                <button type="button" onClick={() => void act(grants.forget(grant.origin))}>
                  Forget
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

let shared: GrantStore | null = null;
/** One store for the page (it opens its database lazily, on the first read). */
const defaultGrants = () => (shared ??= createGrantStore());
