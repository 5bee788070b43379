import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inThreadHasher } from './sha256-hasher.ts';

const bytes = new Uint8Array(300_000).map((_, i) => (i * 13) & 0xff);
const expected = createHash('sha256').update(bytes).digest('hex');

describe('chunk hasher', () => {
  it('hashes chunks in order to the file’s SHA-256', async () => {
    const hasher = await inThreadHasher({ hashedBytes: 0, state: null });
    for (let at = 0; at < bytes.length; at += 65_536) hasher.update(bytes.slice(at, at + 65_536));
    expect(hasher.progress().hashedBytes).toBe(bytes.length);
    expect(await hasher.digest()).toBe(expected);
  });

  it('continues from a saved state as if it had never stopped', async () => {
    const first = await inThreadHasher({ hashedBytes: 0, state: null });
    first.update(bytes.slice(0, 100_000));
    const saved = first.progress();
    expect(saved.hashedBytes).toBe(100_000);

    const resumed = await inThreadHasher(saved);
    resumed.update(bytes.slice(100_000));
    expect(await resumed.digest()).toBe(expected);
  });
});
