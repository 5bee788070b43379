import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedModelsDir } from '../../../scripts/shared-dir.ts';
import { failureOf } from '../engine-failure-testing.ts';
import { ByteWriter } from './gguf-fuzz-testing.ts';
import { ggufStoreOptions } from './gguf-store-checks.ts';

const model = (name: string) => openAsBlob(join(sharedModelsDir(), name));
const SOURCE = 'https://models.example/stories260K-chat-Q8_0.gguf';
const options = () => ggufStoreOptions(SOURCE, new AbortController().signal, () => undefined);
/** What `checkHead` throws for `head`, or null when it accepts it. */
const headFailure = (head: Uint8Array) =>
  failureOf(Promise.resolve().then(() => options().checkHead(head))).catch(() => null);

describe('ggufStoreOptions', () => {
  it('accepts the first bytes of a GGUF file', async () => {
    const head = new Uint8Array(await (await model('stories260K.gguf')).slice(0, 64).arrayBuffer());
    expect(() => options().checkHead(head)).not.toThrow();
  });

  it('refuses first bytes that are not GGUF, and an empty file', async () => {
    expect(await headFailure(new TextEncoder().encode('<!doctype html>'))).toEqual({
      kind: 'not-gguf',
      source: SOURCE,
    });
    expect(await headFailure(new Uint8Array(0))).toEqual({ kind: 'not-gguf', source: SOURCE });
  });

  it('verifies a whole model and gives its header and quantization', async () => {
    const { verified, quantization } = await options().verify(
      await model('stories260K-chat-q8_0.gguf'),
    );
    expect(verified).toMatchObject({ version: 3, architecture: 'llama' });
    expect(quantization).toBe(verified.quantization ?? 'Q8_0');
  });

  it('names what is wrong with a bad file', async () => {
    const { verify } = options();
    expect(await failureOf(verify(await model('bad/stories260K-gguf-v1.gguf')))).toMatchObject({
      kind: 'unsupported-gguf-version',
      source: SOURCE,
      version: 1,
    });
    expect(await failureOf(verify(await model('bad/stories260K-truncated.gguf')))).toMatchObject({
      kind: 'truncated-file',
      source: SOURCE,
    });
    expect(await failureOf(verify(new Blob(['not a model'])))).toEqual({
      kind: 'not-gguf',
      source: SOURCE,
    });
  });

  it('names a malformed header as such, with what is wrong in it', async () => {
    // GGUF v3 claiming 10^12 tensors: not a file cut short, a file broken at its source.
    const header = new ByteWriter()
      .bytes(new TextEncoder().encode('GGUF'))
      .u32(3)
      .u64(10n ** 12n)
      .u64(0)
      .result();
    expect(await failureOf(options().verify(new Blob([header])))).toEqual({
      kind: 'malformed-gguf',
      source: SOURCE,
      problem: 'it claims 1,000,000,000,000 tensors',
    });
  });
});
