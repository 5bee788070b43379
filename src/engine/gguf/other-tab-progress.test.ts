import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { LoadEvent } from '../../shared/engine-protocol.ts';
import { beginFile, openShardStore } from '../../shared/shard-store.ts';
import type { GgufSpec } from './gguf-spec.ts';
import { reportOtherTabProgress } from './other-tab-progress.ts';

const split: GgufSpec = {
  engine: 'gguf',
  url: 'https://h/m-00001-of-00002.gguf',
  label: 'm',
  parts: [
    { url: 'https://h/m-00001-of-00002.gguf', sizeBytes: 1_000_000, sha256: null },
    { url: 'https://h/m-00002-of-00002.gguf', sizeBytes: 500_000, sha256: null },
  ],
};

describe('reportOtherTabProgress', () => {
  it('reports what the other tab has stored of every part, until stopped', async () => {
    const store = openShardStore('other-tab');
    const writer = await beginFile(store, {
      url: 'https://h/m-00001-of-00002.gguf',
      label: 'm',
      modelUrl: split.url,
      partIndex: 0,
      partCount: 2,
      sizeBytes: 1_000_000,
      sha256: null,
      validator: null,
    });
    await writer.append(new Blob([new Uint8Array(writer.manifest.chunkBytes)]));

    const stop = new AbortController();
    const events: LoadEvent[] = [];
    const reporting = reportOtherTabProgress(store, split, stop.signal, (event) => {
      events.push(event);
      if (events.length === 2) stop.abort();
    });
    await reporting;
    expect(events).toEqual([
      {
        type: 'download',
        loadedBytes: 64 << 10, // one chunk of the first part; the second has no manifest yet
        totalBytes: 1_500_000, // the second part's size from the spec
        at: expect.any(Number) as number,
        inOtherTab: true,
      },
      expect.objectContaining({ loadedBytes: 64 << 10, inOtherTab: true }),
    ]);
  });

  it('reports nothing once stopped', async () => {
    const stop = new AbortController();
    stop.abort();
    const events: LoadEvent[] = [];
    await reportOtherTabProgress(openShardStore('other-tab-2'), split, stop.signal, (event) =>
      events.push(event),
    );
    expect(events).toEqual([]);
  });
});
