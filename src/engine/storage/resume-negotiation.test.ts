import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { failureOf } from '../engine-failure-testing.ts';
import { openTransfer, resumablePartial } from './resume-negotiation.ts';
import {
  beginFile,
  openShardStore,
  type FileManifest,
  type ShardStore,
} from '../../shared/shard-store.ts';

const URL_ = 'https://models.example/m.gguf';
const SIZE = 1000;

afterEach(() => vi.unstubAllGlobals());

const partial = (over: Partial<FileManifest> = {}): FileManifest => ({
  version: 2,
  url: URL_,
  label: 'm',
  modelUrl: URL_,
  partIndex: 0,
  partCount: 1,
  sizeBytes: SIZE,
  chunkBytes: 100,
  storedBytes: 400,
  sha256: null,
  hashState: null,
  hashedBytes: 0,
  validator: '"v1"',
  quantization: null,
  complete: false,
  storedAt: 0,
  ...over,
});

/** Answers each request with the next scripted response, recording the requests' headers. */
function script(...responses: (() => Response)[]) {
  const requests: Headers[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init?: RequestInit) => {
      requests.push(new Headers(init?.headers));
      const next = responses.shift();
      if (!next) throw new Error('an unexpected request');
      return next();
    }),
  );
  return requests;
}

const whole = (headers: Record<string, string> = {}) =>
  new Response(new Uint8Array(SIZE), {
    status: 200,
    headers: { 'Content-Length': String(SIZE), ETag: '"v2"', ...headers },
  });
const rest = (start: number, total: number | '*' = SIZE) =>
  new Response(new Uint8Array(SIZE - start), {
    status: 206,
    headers: { 'Content-Range': `bytes ${start}-${SIZE - 1}/${total}` },
  });
const signal = () => new AbortController().signal;

describe('openTransfer', () => {
  it('asks for the whole file when there is nothing to resume', async () => {
    const requests = script(() => whole());
    const transfer = await openTransfer(URL_, signal(), null);
    expect(requests[0]?.get('range')).toBeNull();
    expect(transfer).toMatchObject({ resumed: false, sizeBytes: SIZE, validator: '"v2"' });
  });

  it('continues after the stored prefix with Range and If-Range', async () => {
    const requests = script(() => rest(400));
    const transfer = await openTransfer(URL_, signal(), partial());
    expect(requests.map((h) => [h.get('range'), h.get('if-range')])).toEqual([
      ['bytes=400-', '"v1"'],
    ]);
    expect(transfer).toMatchObject({ resumed: true, sizeBytes: SIZE });
    expect((await new Response(transfer.body).arrayBuffer()).byteLength).toBe(SIZE - 400);
  });

  it('accepts a resumed range whose total the server does not say', async () => {
    script(() => rest(400, '*'));
    expect((await openTransfer(URL_, signal(), partial())).resumed).toBe(true);
  });

  it('uses a 200 (Range ignored, or a changed file) from the start, with one request', async () => {
    const requests = script(() => whole());
    const transfer = await openTransfer(URL_, signal(), partial());
    expect(requests).toHaveLength(1);
    expect(transfer).toMatchObject({ resumed: false, sizeBytes: SIZE, validator: '"v2"' });
  });

  it('asks again for the whole file when the answer is not the range it asked for', async () => {
    for (const wrong of [() => rest(300), () => rest(400, SIZE + 1)]) {
      const requests = script(wrong, () => whole());
      const transfer = await openTransfer(URL_, signal(), partial());
      expect(requests.map((h) => h.get('range'))).toEqual(['bytes=400-', null]);
      expect(transfer.resumed).toBe(false);
    }
  });

  it('asks again for the whole file after a 416', async () => {
    const requests = script(
      () => new Response(null, { status: 416 }),
      () => whole(),
    );
    expect((await openTransfer(URL_, signal(), partial())).resumed).toBe(false);
    expect(requests.map((h) => h.get('range'))).toEqual(['bytes=400-', null]);
  });

  it('keeps a partial file without stored bytes, asking for it from the start', async () => {
    const requests = script(() => whole());
    const transfer = await openTransfer(URL_, signal(), partial({ storedBytes: 0 }));
    expect(requests[0]?.get('range')).toBeNull();
    expect(transfer.resumed).toBe(true);
  });

  it('knows no size from a compressed body', async () => {
    script(() => whole({ 'Content-Encoding': 'gzip' }));
    expect((await openTransfer(URL_, signal(), null)).sizeBytes).toBeNull();
  });

  it('fails with the HTTP status, or with none when the request itself fails', async () => {
    script(() => new Response('nope', { status: 404, statusText: 'Not Found' }));
    expect(await failureOf(openTransfer(URL_, signal(), null))).toEqual({
      kind: 'download-failed',
      url: URL_,
      status: 404,
      detail: 'Not Found',
    });
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await failureOf(openTransfer(URL_, signal(), null))).toMatchObject({
      kind: 'download-failed',
      status: null,
    });
  });

  it('ends as cancelled when the request is aborted', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new DOMException('aborted', 'AbortError');
    });
    expect(await failureOf(openTransfer(URL_, signal(), null))).toEqual({ kind: 'cancelled' });
  });
});

describe('resumablePartial', () => {
  const FILE_SIZE = 1_000_000; // 64 KiB chunks
  let store: ShardStore;
  let n = 0;
  beforeEach(() => {
    store = openShardStore(`resume-${++n}`);
  });

  const wanted = (over: { sizeBytes?: number | null; sha256?: string | null } = {}) => ({
    url: URL_,
    label: 'm',
    modelUrl: URL_,
    partIndex: 0,
    partCount: 1,
    sizeBytes: FILE_SIZE,
    sha256: 'a'.repeat(64),
    validator: null,
    ...over,
  });

  async function storePrefix() {
    const writer = await beginFile(store, wanted());
    await writer.append(new Blob([new Uint8Array(writer.manifest.chunkBytes)]));
    return writer;
  }

  it('continues the stored prefix of the same file', async () => {
    const stored = await storePrefix();
    const writer = await resumablePartial(store, wanted());
    expect(stored.manifest.storedBytes).toBe(64 << 10);
    expect(writer?.manifest.storedBytes).toBe(64 << 10);
    expect(await resumablePartial(store, wanted({ sizeBytes: null, sha256: null }))).not.toBeNull();
  });

  it('does not continue another file stored under the same URL', async () => {
    await storePrefix();
    expect(await resumablePartial(store, wanted({ sizeBytes: FILE_SIZE + 1 }))).toBeNull();
    expect(await resumablePartial(store, wanted({ sha256: 'b'.repeat(64) }))).toBeNull();
  });

  it('does not continue a complete file, nor one that is not stored', async () => {
    expect(await resumablePartial(store, wanted())).toBeNull();
    const writer = await beginFile(store, wanted({ sizeBytes: 10 }));
    await writer.append(new Blob([new Uint8Array(10)]));
    await writer.commit(null);
    expect(await resumablePartial(store, wanted({ sizeBytes: 10 }))).toBeNull();
  });
});
