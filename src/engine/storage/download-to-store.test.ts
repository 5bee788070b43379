import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineFailure } from '../engine-failure.ts';
import { failureOf } from '../engine-failure-testing.ts';
import { downloadToStore, type DownloadOptions } from './download-to-store.ts';
import {
  CHUNK_BYTES,
  listCompleteFiles,
  openShardStore,
  readFile,
  type ShardStore,
} from './shard-store.ts';

let store: ShardStore;
let n = 0;
beforeEach(() => {
  store = openShardStore(`download-${++n}`);
});
afterEach(() => vi.unstubAllGlobals());

const URL_ = 'https://models.example/m.gguf';
const body = (size: number) => new Uint8Array(size).map((_, i) => (i * 7) & 0xff);

/** A fetch whose body arrives in pieces and may break off after `failAfter` bytes. */
function serve(
  bytes: Uint8Array,
  init: { status?: number; length?: number; failAfter?: number } = {},
) {
  const fetchMock = vi.fn(async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (init.failAfter !== undefined && sent >= init.failAfter) {
          controller.error(new TypeError('network error'));
          return;
        }
        if (sent >= bytes.length) {
          controller.close();
          return;
        }
        const piece = bytes.subarray(sent, sent + 3_000_000);
        sent += piece.length;
        controller.enqueue(piece);
      },
    });
    return new Response(init.status && init.status >= 400 ? 'nope' : stream, {
      status: init.status ?? 200,
      headers: { 'Content-Length': String(init.length ?? bytes.length) },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

const options = (over: Partial<DownloadOptions<void>> = {}): DownloadOptions<void> => ({
  signal: new AbortController().signal,
  onProgress: () => undefined,
  checkHead: () => undefined,
  verify: async () => undefined,
  ...over,
});

describe('downloadToStore', () => {
  it('stores every byte in chunks and reports progress up to the total', async () => {
    const bytes = body(CHUNK_BYTES * 2 + 12345);
    serve(bytes);
    const progress: [number, number | null][] = [];
    const { manifest } = await downloadToStore(
      store,
      URL_,
      'm',
      options({ onProgress: (l, t) => progress.push([l, t]) }),
    );

    expect(manifest).toMatchObject({ complete: true, chunkCount: 3, sizeBytes: bytes.length });
    const file = await readFile(store, URL_);
    if (!file) throw new Error('file not stored');
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    expect(progress.at(-1)).toEqual([bytes.length, bytes.length]);
  });

  it('reports the HTTP status of a failed request and stores nothing', async () => {
    serve(body(10), { status: 404 });
    expect(await failureOf(downloadToStore(store, URL_, 'm', options()))).toMatchObject({
      kind: 'download-failed',
      status: 404,
    });
    expect(await listCompleteFiles(store)).toEqual([]);
  });

  it('reports a dropped connection as incomplete and keeps nothing partial', async () => {
    serve(body(CHUNK_BYTES * 2), { failAfter: CHUNK_BYTES + 1 });
    expect(await failureOf(downloadToStore(store, URL_, 'm', options()))).toMatchObject({
      kind: 'download-incomplete',
      expectedBytes: CHUNK_BYTES * 2,
    });
    expect(await readFile(store, URL_)).toBeNull();
    expect(await listCompleteFiles(store)).toEqual([]);
  });

  it('reports a body shorter than its Content-Length as incomplete', async () => {
    serve(body(1000), { length: 5000 });
    expect(await failureOf(downloadToStore(store, URL_, 'm', options()))).toEqual({
      kind: 'download-incomplete',
      url: URL_,
      expectedBytes: 5000,
      receivedBytes: 1000,
    });
  });

  it('refuses a file from its first bytes without reading the rest', async () => {
    const bytes = body(CHUNK_BYTES * 3);
    serve(bytes);
    const progress = vi.fn();
    const error = await failureOf(
      downloadToStore(
        store,
        URL_,
        'm',
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
    expect(await readFile(store, URL_)).toBeNull();
  });

  it('never marks a file complete that fails verification', async () => {
    serve(body(5000));
    const error = await failureOf(
      downloadToStore(
        store,
        URL_,
        'm',
        options({
          verify: async (file) => {
            expect(file.size).toBe(5000);
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
    expect(await listCompleteFiles(store)).toEqual([]);
  });

  it('ends as cancelled when aborted', async () => {
    serve(body(CHUNK_BYTES * 2));
    const controller = new AbortController();
    const error = await failureOf(
      downloadToStore(
        store,
        URL_,
        'm',
        options({ signal: controller.signal, checkHead: () => controller.abort() }),
      ),
    );
    // The mock's body ignores the signal: the downloader itself must notice.
    expect(error).toEqual({ kind: 'cancelled' });
    expect(await listCompleteFiles(store)).toEqual([]);
  });
});
