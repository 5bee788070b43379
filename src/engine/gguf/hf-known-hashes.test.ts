import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GgufPart } from '../../shared/engine-protocol.ts';
import { failureOf } from '../engine-failure-testing.ts';
import { withKnownHashes } from './hf-known-hashes.ts';

afterEach(() => vi.unstubAllGlobals());

const SHA = 'ab'.repeat(32);
const hfPart = (path: string): GgufPart => ({
  url: `https://huggingface.co/o/r/resolve/main/${path}`,
  sizeBytes: null,
  sha256: null,
});

/** A Hugging Face tree API that lists `files` for every directory, recording what was asked. */
function serveTree(files: unknown[], status = 200) {
  const asked: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify(files), { status });
    }),
  );
  return asked;
}

const lfsFile = (path: string, size: number, oid = SHA) => ({
  type: 'file',
  path,
  size: 130,
  lfs: { oid, size },
});
const signal = () => new AbortController().signal;

describe('withKnownHashes', () => {
  it('takes size and SHA-256 from the listing of the file’s directory', async () => {
    const asked = serveTree([lfsFile('q4/m-00001-of-00002.gguf', 5000), lfsFile('q4/x.gguf', 1)]);
    const parts = await withKnownHashes([hfPart('q4/m-00001-of-00002.gguf')], signal());
    expect(parts).toEqual([
      { url: hfPart('q4/m-00001-of-00002.gguf').url, sizeBytes: 5000, sha256: SHA },
    ]);
    expect(asked).toEqual(['https://huggingface.co/api/models/o/r/tree/main/q4']);
  });

  it('asks nothing for a part that has its hash, or is not on Hugging Face', async () => {
    const asked = serveTree([lfsFile('m.gguf', 5000)]);
    const known = { ...hfPart('m.gguf'), sha256: 'cd'.repeat(32) };
    const elsewhere: GgufPart = {
      url: 'https://models.example/m.gguf',
      sizeBytes: 9,
      sha256: null,
    };
    expect(await withKnownHashes([known, elsewhere], signal())).toEqual([known, elsewhere]);
    expect(asked).toEqual([]);
  });

  it('leaves a part as it is when the listing fails or does not have it', async () => {
    serveTree([lfsFile('m.gguf', 5000)], 404);
    expect(await withKnownHashes([hfPart('m.gguf')], signal())).toEqual([hfPart('m.gguf')]);
    serveTree([lfsFile('other.gguf', 5000)]);
    expect(await withKnownHashes([hfPart('m.gguf')], signal())).toEqual([hfPart('m.gguf')]);
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await withKnownHashes([hfPart('m.gguf')], signal())).toEqual([hfPart('m.gguf')]);
  });

  it('ends as cancelled when aborted', async () => {
    const controller = new AbortController();
    vi.stubGlobal('fetch', async () => {
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    });
    expect(await failureOf(withKnownHashes([hfPart('m.gguf')], controller.signal))).toEqual({
      kind: 'cancelled',
    });
  });
});
