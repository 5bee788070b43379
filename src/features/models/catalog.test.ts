import { describe, expect, it } from 'vitest';
import type { GpuReport } from '../../shared/engine-protocol.ts';
import { filterFamilies, matchesQuery } from './catalog-filter.ts';
import { ggufCatalog, ggufLabel } from './gguf-catalog.ts';
import { groupMlcModels, mlcRecords } from './mlc-catalog.ts';

const noF16: GpuReport = {
  status: 'available',
  vendor: 'google',
  architecture: 'swiftshader',
  device: '',
  description: 'SwiftShader',
  shaderF16: false,
  maxBufferSize: 1 << 30,
  maxStorageBufferBindingSize: 128 << 20,
  isFallbackAdapter: true,
};

describe('MLC catalog', () => {
  it('holds web-llm prebuilt chat models, not embedding models', () => {
    expect(mlcRecords.length).toBeGreaterThan(50);
    expect(mlcRecords.some((r) => r.model_id.startsWith('snowflake-arctic-embed'))).toBe(false);
  });

  it('groups models by family with their quantizations', () => {
    const families = groupMlcModels(mlcRecords, noF16);
    const qwen = families.find((f) => f.family === 'Qwen2.5-0.5B-Instruct');
    expect(qwen?.variants.map((v) => v.quantization).sort()).toEqual([
      'q0f16',
      'q0f32',
      'q4f16_1',
      'q4f32_1',
    ]);
  });

  it('marks what this GPU cannot run', () => {
    const families = groupMlcModels(mlcRecords, noF16);
    const variants = families.flatMap((f) => f.variants);
    const byId = (id: string) => variants.find((v) => v.modelId === id);
    expect(byId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC')?.blocker).toEqual({
      kind: 'needs-shader-f16',
    });
    expect(byId('Qwen2.5-0.5B-Instruct-q4f32_1-MLC')?.blocker).toBeNull();
    expect(byId('gemma-2b-it-q4f32_1-MLC')?.blocker?.kind).toBe('buffer-too-small');

    const none = groupMlcModels(mlcRecords, { status: 'no-adapter' }).flatMap((f) => f.variants);
    expect(none.every((v) => v.blocker?.kind === 'no-webgpu')).toBe(true);
  });
});

describe('GGUF catalog', () => {
  it('offers several quantizations of each curated model', () => {
    const families = new Set(ggufCatalog.map((e) => e.family));
    for (const family of families) {
      const quants = ggufCatalog.filter((e) => e.family === family).map((e) => e.quantization);
      expect(quants).toContain('Q4_K_M');
      expect(quants).toContain('Q8_0');
    }
    expect(ggufCatalog.every((e) => e.url.startsWith('https://huggingface.co/'))).toBe(true);
  });

  it('names a GGUF file by its URL', () => {
    expect(ggufLabel('http://h/models/stories260K.gguf?download=1')).toBe('stories260K');
    expect(ggufLabel('https://h/a%20b.GGUF')).toBe('a b');
    // A stray % is no escape: shown as it is, never a thrown URIError.
    expect(ggufLabel('https://h/100%.gguf')).toBe('100%');
  });
});

describe('filtering', () => {
  it('matches every word against family and quantization', () => {
    expect(matchesQuery('qwen q8', 'Qwen2.5-0.5B-Instruct', 'Q8_0')).toBe(true);
    expect(matchesQuery('qwen q4', 'Qwen2.5-0.5B-Instruct', 'Q8_0')).toBe(false);
    expect(matchesQuery('  ', 'anything')).toBe(true);
  });

  it('keeps families with matching variants only', () => {
    const families = [
      {
        family: 'Llama-3.2-1B',
        variants: [{ quantization: 'q4f16_1' }, { quantization: 'q4f32_1' }],
      },
      { family: 'Qwen3-0.6B', variants: [{ quantization: 'q4f16_1' }] },
    ];
    expect(filterFamilies(families, 'f32')).toEqual([
      { family: 'Llama-3.2-1B', variants: [{ quantization: 'q4f32_1' }] },
    ]);
    expect(filterFamilies(families, 'qwen')).toHaveLength(1);
    expect(filterFamilies(families, '')).toHaveLength(2);
  });
});
