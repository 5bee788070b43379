import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { createGrantStore, restoreGrant } from './embed-grants.ts';

let n = 0;
const freshStore = () => createStore(`grants-test-${++n}`, 'grants');

describe('embed grants', () => {
  it('remembers a grant, revokes it, and forgets it', async () => {
    let clock = 1000;
    const grants = createGrantStore(freshStore(), () => clock);
    expect(await grants.get('https://a.example')).toBe(null);
    await grants.grant('https://a.example');
    expect(await grants.get('https://a.example')).toEqual({
      version: 1,
      origin: 'https://a.example',
      state: 'granted',
      at: 1000,
    });
    clock = 2000;
    await grants.revoke('https://a.example');
    expect(await grants.get('https://a.example')).toMatchObject({ state: 'revoked', at: 2000 });
    await grants.forget('https://a.example');
    expect(await grants.get('https://a.example')).toBe(null);
  });

  it('lists the sites, most recent first, skipping damaged records', async () => {
    let clock = 1;
    const store = freshStore();
    const grants = createGrantStore(store, () => clock++);
    await grants.grant('https://old.example');
    await grants.revoke('https://new.example');
    await set('https://broken.example', { version: 1, origin: 'https://broken.example' }, store);
    // A record filed under another site's key is not that site's grant.
    await set(
      'https://c.example',
      { version: 1, origin: 'https://d.example', state: 'granted', at: 9 },
      store,
    );
    expect((await grants.list()).map((g) => [g.origin, g.state])).toEqual([
      ['https://new.example', 'revoked'],
      ['https://old.example', 'granted'],
    ]);
    expect(await grants.get('https://c.example')).toBe(null);
  });

  it('restores only version 1 records of a known state', () => {
    expect(restoreGrant(null)).toBe(null);
    expect(restoreGrant({ version: 2, origin: 'x', state: 'granted', at: 1 })).toBe(null);
    expect(restoreGrant({ version: 1, origin: 'x', state: 'maybe', at: 1 })).toBe(null);
    expect(restoreGrant({ version: 1, origin: 'x', state: 'granted', at: Infinity })).toBe(null);
    expect(restoreGrant({ version: 1, origin: 'x', state: 'revoked', at: 5, extra: 1 })).toEqual({
      version: 1,
      origin: 'x',
      state: 'revoked',
      at: 5,
    });
  });
});
