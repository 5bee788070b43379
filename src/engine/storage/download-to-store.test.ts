import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { set } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineFailure } from '../../shared/engine-failure.ts';
import { failureOf } from '../engine-failure-testing.ts';
import { downloadToStore, importToStore, type StoreOptions } from './download-to-store.ts';
import { sha256Core } from './sha256-hasher.ts';
import {
  getManifest,
  openShardStore,
  readFile,
  type ShardStore,
} from '../../shared/shard-store.ts';

let store: ShardStore;
let n = 0;
beforeEach(() => {
  store = openShardStore(`download-${++n}`);
});
afterEach(() => vi.unstubAllGlobals());

const URL_ = 'https://models.example/m.gguf';
const SIZE = 1_000_000; // 64 KiB chunks: 16 of them
const CHUNK = 64 << 10;
const body = (size: number, seed = 0) =>
  new Uint8Array(size).map((_, i) => ((i * 7) ^ seed) & 0xff);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Serving {
  /** Break the connection after this many body bytes (first request only). */
  cutAfter?: number;
  ignoreRange?: boolean;
  status?: number;
  length?: number;
  /** Told how many body bytes were sent so far, after each piece. */
  onSent?: (sent: number) => void;
}

/** A scripted server: honours `Range: bytes=N-` unless told not to, counts the bytes it sends. */
function serve(bytes: Uint8Array, init: Serving = {}) {
  let served = 0;
  let requests = 0;
  const ranges: (string | null)[] = [];
  const fetchMock = vi.fn(async (_url: string, request?: RequestInit) => {
    requests += 1;
    const range = new Headers(request?.headers).get('range');
    ranges.push(range);
    const start = !init.ignoreRange && range ? Number(/^bytes=(\d+)-$/.exec(range)?.[1]) : 0;
    const cut = requests === 1 ? init.cutAfter : undefined;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (cut !== undefined && sent >= cut) {
          controller.error(new TypeError('network error'));
          return;
        }
        if (start + sent >= bytes.length) {
          controller.close();
          return;
        }
        const piece = bytes.subarray(
          start + sent,
          start + sent + Math.min(50_000, cut ?? Infinity),
        );
        sent += piece.length;
        served += piece.length;
        controller.enqueue(piece);
        init.onSent?.(sent);
      },
    });
    if (init.status && init.status >= 400) return new Response('nope', { status: init.status });
    return new Response(stream, {
      status: start > 0 ? 206 : 200,
      headers: {
        'Content-Length': String(init.length ?? bytes.length - start),
        ...(start > 0
          ? { 'Content-Range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` }
          : {}),
      },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { served: () => served, ranges };
}

const file = (over: { sizeBytes?: number | null; sha256?: string | null } = {}) => ({
  url: URL_,
  label: 'm',
  modelUrl: URL_,
  partIndex: 0,
  partCount: 1,
  sizeBytes: null,
  sha256: null,
  validator: null,
  ...over,
});

const options = (over: Partial<StoreOptions<void>> = {}): StoreOptions<void> => ({
  signal: new AbortController().signal,
  onProgress: () => undefined,
  checkHead: () => undefined,
  ensureSpace: async () => undefined,
  verify: async () => ({ verified: undefined, quantization: 'Q4_0' }),
  ...over,
});

async function storedBytes(url = URL_) {
  const stored = await readFile(store, url);
  return stored ? new Uint8Array(await stored.arrayBuffer()) : null;
}

describe('downloadToStore', () => {
  it('stores every byte in chunks and reports progress up to the total', async () => {
    const bytes = body(SIZE);
    serve(bytes);
    const progress: [number, number | null][] = [];
    const { manifest } = await downloadToStore(
      store,
      file(),
      options({ onProgress: (l, t) => progress.push([l, t]) }),
    );
    expect(manifest).toMatchObject({ complete: true, storedBytes: SIZE, chunkBytes: CHUNK });
    expect(manifest.quantization).toBe('Q4_0');
    expect(Buffer.from((await storedBytes()) ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect(progress.at(-1)).toEqual([SIZE, SIZE]);
  });

  it('reports the HTTP status of a failed request and stores nothing', async () => {
    serve(body(10), { status: 404 });
    expect(await failureOf(downloadToStore(store, file(), options()))).toMatchObject({
      kind: 'download-failed',
      status: 404,
    });
    expect(await getManifest(store, URL_)).toBeNull();
  });

  it('keeps the whole chunks of a dropped download and resumes after them with Range', async () => {
    const bytes = body(SIZE);
    const server = serve(bytes, { cutAfter: 300_000 });
    expect(await failureOf(downloadToStore(store, file(), options()))).toEqual({
      kind: 'download-incomplete',
      url: URL_,
      expectedBytes: SIZE,
      receivedBytes: 300_000,
      storedBytes: 4 * CHUNK, // 262,144: the whole chunks among the 300,000 bytes
    });
    expect(await storedBytes()).toBeNull(); // not offered as ready

    await downloadToStore(store, file(), options());
    expect(server.ranges).toEqual([null, `bytes=${4 * CHUNK}-`]);
    expect(server.served()).toBeLessThanOrEqual(SIZE + CHUNK);
    expect(Buffer.from((await storedBytes()) ?? []).equals(Buffer.from(bytes))).toBe(true);
  });

  it('restarts cleanly from a server that ignores Range', async () => {
    const bytes = body(SIZE);
    const server = serve(bytes, { cutAfter: 300_000, ignoreRange: true });
    await failureOf(downloadToStore(store, file(), options()));
    await downloadToStore(store, file(), options());
    expect(server.ranges[1]).toBe(`bytes=${4 * CHUNK}-`);
    expect(server.served()).toBe(300_000 + SIZE);
    expect(Buffer.from((await storedBytes()) ?? []).equals(Buffer.from(bytes))).toBe(true);
  });

  it('checks the SHA-256, also across a resume (the hash state is kept per chunk)', async () => {
    const bytes = body(SIZE);
    serve(bytes, { cutAfter: 500_000 });
    const expected = file({ sha256: sha256(bytes), sizeBytes: SIZE });
    await failureOf(downloadToStore(store, expected, options()));
    expect((await getManifest(store, URL_))?.hashState).toBeInstanceOf(Uint8Array);
    const { manifest } = await downloadToStore(store, expected, options());
    expect(manifest.complete).toBe(true);
  });

  it('re-hashes the stored chunks when a partial file has no hash state', async () => {
    const bytes = body(SIZE);
    serve(bytes, { cutAfter: 500_000 });
    const expected = file({ sha256: sha256(bytes), sizeBytes: SIZE });
    await failureOf(downloadToStore(store, expected, options()));
    const partial = await getManifest(store, URL_);
    await set(URL_, { ...partial, hashState: null }, store.manifests);
    const { manifest } = await downloadToStore(store, expected, options());
    expect(manifest.complete).toBe(true);
  });

  it('hashes the stored bytes after a saved state that lagged behind the writes', async () => {
    const bytes = body(SIZE);
    serve(bytes, { cutAfter: 500_000 });
    const expected = file({ sha256: sha256(bytes), sizeBytes: SIZE });
    await failureOf(downloadToStore(store, expected, options()));
    const partial = await getManifest(store, URL_);
    const early = (await sha256Core({ hashedBytes: 0, state: null })).update(
      bytes.subarray(0, CHUNK),
    );
    await set(URL_, { ...partial, hashState: early.state, hashedBytes: CHUNK }, store.manifests);
    const { manifest } = await downloadToStore(store, expected, options());
    expect(manifest.complete).toBe(true);
  });

  it('rejects wrong bytes by their SHA-256 and keeps nothing of them', async () => {
    const bytes = body(SIZE);
    serve(body(SIZE, 0x55)); // same size, other bytes
    const error = await failureOf(
      downloadToStore(store, file({ sha256: sha256(bytes) }), options()),
    );
    expect(error).toMatchObject({ kind: 'checksum-mismatch', expectedSha256: sha256(bytes) });
    expect(error).toHaveProperty('actualSha256', sha256(body(SIZE, 0x55)));
    expect(await getManifest(store, URL_)).toBeNull();
  });

  it('rejects a file whose size is not the announced one before storing any of it', async () => {
    serve(body(SIZE));
    const verify = vi.fn();
    expect(
      await failureOf(downloadToStore(store, file({ sizeBytes: SIZE + 1 }), options({ verify }))),
    ).toEqual({ kind: 'size-mismatch', url: URL_, expectedBytes: SIZE + 1, actualBytes: SIZE });
    expect(verify).not.toHaveBeenCalled();
    expect(await getManifest(store, URL_)).toBeNull();
  });

  it('refuses up front what will not fit, storing nothing', async () => {
    const server = serve(body(SIZE));
    const refusal = new EngineFailure({
      kind: 'not-enough-storage',
      neededBytes: SIZE,
      availableBytes: 10,
      quotaBytes: 100,
    });
    const ensureSpace = vi.fn(async () => {
      throw refusal;
    });
    expect(await failureOf(downloadToStore(store, file(), options({ ensureSpace })))).toBe(
      refusal.error,
    );
    expect(ensureSpace).toHaveBeenCalledWith(SIZE);
    // A stream fills its queue with one piece before anyone reads; nothing more was pulled.
    expect(server.served()).toBeLessThanOrEqual(50_000);
    expect(await getManifest(store, URL_)).toBeNull();
  });

  it('reports a body shorter than its Content-Length as incomplete', async () => {
    serve(body(1000), { length: 5000 });
    expect(await failureOf(downloadToStore(store, file(), options()))).toMatchObject({
      kind: 'download-incomplete',
      expectedBytes: 5000,
      receivedBytes: 1000,
    });
  });

  it('refuses a file from its first bytes and keeps nothing', async () => {
    serve(body(SIZE));
    const progress = vi.fn();
    const error = await failureOf(
      downloadToStore(
        store,
        file(),
        options({
          onProgress: progress,
          checkHead: () => {
            throw new EngineFailure({ kind: 'not-gguf', source: URL_ });
          },
        }),
      ),
    );
    expect(error).toEqual({ kind: 'not-gguf', source: URL_ });
    expect(progress).not.toHaveBeenCalled();
    expect(await getManifest(store, URL_)).toBeNull();
  });

  it('never marks a file complete that fails verification, and drops it', async () => {
    serve(body(5000));
    const error = await failureOf(
      downloadToStore(
        store,
        file(),
        options({
          verify: async (stored) => {
            expect(stored.size).toBe(5000);
            throw new EngineFailure({
              kind: 'truncated-file',
              source: URL_,
              expectedBytes: 9000,
              actualBytes: 5000,
            });
          },
        }),
      ),
    );
    expect(error).toMatchObject({ kind: 'truncated-file' });
    expect(await getManifest(store, URL_)).toBeNull();
  });

  it('ends as cancelled when aborted and keeps what was stored for a resume', async () => {
    const controller = new AbortController();
    serve(body(SIZE), { onSent: (sent) => sent >= 300_000 && controller.abort() });
    const error = await failureOf(
      downloadToStore(store, file(), options({ signal: controller.signal })),
    );
    // The mock's body ignores the signal: the downloader itself must notice.
    expect(error).toEqual({ kind: 'cancelled' });
    expect(await getManifest(store, URL_)).toMatchObject({ complete: false });
    expect((await getManifest(store, URL_))?.storedBytes).toBeGreaterThan(0);
  });
});

describe('importToStore', () => {
  it('copies a local file without any request', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    const bytes = body(SIZE);
    await importToStore(store, new Blob([bytes]), file({ sizeBytes: SIZE }), options());
    expect(fetchMock).not.toHaveBeenCalled();
    expect(Buffer.from((await storedBytes()) ?? []).equals(Buffer.from(bytes))).toBe(true);
  });
});
