import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedModelsDir } from '../../../scripts/shared-dir.ts';
import type { LoadEvent } from '../../shared/engine-protocol.ts';
import { beginFile, getManifest, openShardStore } from '../../shared/shard-store.ts';
import { failureOf } from '../engine-failure-testing.ts';
import type { GgufSpec } from './gguf-spec.ts';
import { readStoredGguf } from './stored-gguf.ts';

const bytes = new Uint8Array(readFileSync(join(sharedModelsDir(), 'stories260K-chat-q8_0.gguf')));
const sha256 = createHash('sha256').update(bytes).digest('hex');
const url = 'https://huggingface.co/fake/tiny/resolve/main/stories260K-chat-q8_0.gguf';
const spec: GgufSpec = { engine: 'gguf', url, label: 'stories260K-chat-q8_0' };

/** Stores the model as a download does, with `recorded` as its SHA-256, its tail `flipped`. */
async function stored(recorded: string | null, flipped: boolean) {
  const store = openShardStore(`stored-gguf-${crypto.randomUUID()}`);
  const data = bytes.slice();
  // Inside the last tensor's data: the size and the header stay as they were.
  if (flipped) data.fill(0xa5, data.length - 64, data.length - 32);
  const writer = await beginFile(store, {
    url,
    label: spec.label,
    modelUrl: url,
    partIndex: 0,
    partCount: 1,
    sizeBytes: data.length,
    sha256: recorded,
    validator: null,
  });
  const chunk = writer.manifest.chunkBytes;
  for (let at = 0; at < data.length; at += chunk) {
    await writer.append(new Blob([data.subarray(at, at + chunk)]));
  }
  await writer.commit('Q8_0');
  return store;
}

async function open(store: ReturnType<typeof openShardStore>, verifySha256: boolean) {
  const events: LoadEvent[] = [];
  const signal = new AbortController().signal;
  const opened = readStoredGguf(store, spec, (e) => events.push(e), { verifySha256, signal });
  return { opened, events };
}

const hashing = (events: LoadEvent[]) => events.filter((e) => e.type === 'hashing');

describe('readStoredGguf with the SHA-256 check', () => {
  it.each([
    ['off, bytes intact', null, false, false],
    ['off, bytes changed', sha256, true, false],
    ['on, no SHA-256 recorded, bytes changed', null, true, true],
  ])('opens the model: %s (nothing hashed)', async (_, recorded, flipped, verify) => {
    const { opened, events } = await open(await stored(recorded, flipped), verify);
    expect((await opened)?.files[0]?.size).toBe(bytes.length);
    expect(hashing(events)).toEqual([]);
  });

  it('on: opens intact bytes once their hash matches, showing the progress', async () => {
    const { opened, events } = await open(await stored(sha256, false), true);
    expect((await opened)?.header.quantization).toBe('Q8_0');
    expect(hashing(events).at(-1)).toEqual({
      type: 'hashing',
      hashedBytes: bytes.length,
      totalBytes: bytes.length,
    });
  });

  it('on: reports bytes that no longer match as damage and discards them', async () => {
    const store = await stored(sha256, true);
    const { opened } = await open(store, true);
    expect(await failureOf(opened)).toEqual({
      kind: 'stored-model-damaged',
      label: spec.label,
      problem: expect.stringContaining(`not the ${sha256.slice(0, 12)}… recorded`) as string,
      local: false,
    });
    expect(await getManifest(store, url)).toBeNull();
  });
});
