import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedModelsDir } from '../../../scripts/shared-dir.ts';
import { checkGguf } from './gguf-header.ts';

const model = (name: string) => openAsBlob(join(sharedModelsDir(), name));

describe('checkGguf', () => {
  it('reads the header of a valid model', async () => {
    const check = await checkGguf(await model('stories260K-chat-q8_0.gguf'));
    expect(check).toMatchObject({
      ok: true,
      header: { version: 3, architecture: 'llama', hasChatTemplate: true },
    });
    if (!check.ok) throw new Error('unreachable');
    expect(check.header.contextLength).toBeGreaterThan(0);
    // Every byte of the file is accounted for by the tensors (up to final padding).
    expect(check.header.requiredBytes).toBeGreaterThan(489472 - 64);
    expect(check.header.requiredBytes).toBeLessThanOrEqual(489472);
  });

  it('counts the weights of each quantization (bits per weight)', async () => {
    const bitsPerWeight = async (name: string) => {
      const check = await checkGguf(await model(name));
      if (!check.ok || !check.header.weights) throw new Error(`${name}: no weights`);
      return (check.header.weights.bytes * 8) / check.header.weights.parameters;
    };
    expect(await bitsPerWeight('stories260K-chat-f32.gguf')).toBe(32);
    // 2-D tensors in the smaller type; norms (and ffn_down, whose rows do not divide by 32) in F32.
    const f16 = await bitsPerWeight('stories260K-chat-f16.gguf');
    const q8 = await bitsPerWeight('stories260K-chat-q8_0.gguf');
    const q4 = await bitsPerWeight('stories260K-chat-q4_0.gguf');
    expect(f16).toBeGreaterThan(16);
    expect(f16).toBeLessThan(17);
    expect(q8).toBeGreaterThan(8.5);
    expect(q8).toBeLessThan(f16);
    expect(q4).toBeGreaterThan(4.5);
    expect(q4).toBeLessThan(q8);
  });

  it('knows a model without a chat template', async () => {
    const check = await checkGguf(await model('stories260K.gguf'));
    expect(check).toMatchObject({ ok: true, header: { hasChatTemplate: false } });
  });

  it('reads a large vocabulary header', async () => {
    const check = await checkGguf(await model('llama-2-tiny-random.gguf'));
    expect(check.ok).toBe(true);
  });

  it('rejects a truncated file with the byte counts', async () => {
    const check = await checkGguf(await model('bad/stories260K-truncated.gguf'));
    expect(check).toMatchObject({ ok: false, problem: 'truncated', actualBytes: 600000 });
    if (check.ok || check.problem !== 'truncated') throw new Error('unreachable');
    expect(check.requiredBytes).toBeGreaterThan(1_185_000);
  });

  it('rejects GGUF version 1', async () => {
    const check = await checkGguf(await model('bad/stories260K-gguf-v1.gguf'));
    expect(check).toEqual({ ok: false, problem: 'unsupported-version', version: 1 });
  });

  it('rejects a file that is not GGUF', async () => {
    const html = new Blob(['<!doctype html><title>Not found</title>']);
    expect(await checkGguf(html)).toEqual({ ok: false, problem: 'not-gguf' });
    expect(await checkGguf(new Blob([]))).toEqual({ ok: false, problem: 'not-gguf' });
  });

  it('rejects a file whose header is cut short', async () => {
    const whole = await model('stories260K.gguf');
    const check = await checkGguf(whole.slice(0, 200));
    expect(check).toEqual({
      ok: false,
      problem: 'truncated',
      requiredBytes: null,
      actualBytes: 200,
    });
  });
});
