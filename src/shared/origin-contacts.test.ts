import { describe, expect, it } from 'vitest';
import type { OriginContact } from './engine-protocol.ts';
import { countRequest, mergeContacts } from './origin-contacts.ts';

describe('origin contacts', () => {
  it('counts requests per origin, keeping the first and latest times', () => {
    const contacts = new Map<string, OriginContact>();
    countRequest(contacts, 'https://a.example', 5);
    countRequest(contacts, 'https://a.example', 9);
    expect([...contacts.values()]).toEqual([
      { origin: 'https://a.example', requests: 2, firstAt: 5, lastAt: 9 },
    ]);
  });

  it('merges the page and worker logs into one entry per origin, earliest first', () => {
    const page = [{ origin: 'https://app.example', requests: 3, firstAt: 1, lastAt: 50 }];
    const worker = [
      { origin: 'https://hf.example', requests: 2, firstAt: 20, lastAt: 40 },
      { origin: 'https://app.example', requests: 1, firstAt: 30, lastAt: 60 },
    ];
    expect(mergeContacts(worker, page)).toEqual([
      { origin: 'https://app.example', requests: 4, firstAt: 1, lastAt: 60 },
      { origin: 'https://hf.example', requests: 2, firstAt: 20, lastAt: 40 },
    ]);
  });
});
