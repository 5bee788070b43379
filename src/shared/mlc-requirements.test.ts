import { describe, expect, it } from 'vitest';
import type { GpuReport } from './engine-protocol.ts';
import { mlcBlocker, needsShaderF16, parseMlcModelId } from './mlc-requirements.ts';

const gpu = (shaderF16: boolean, maxStorageBufferBindingSize = 128 << 20): GpuReport => ({
  status: 'available',
  vendor: 'test',
  architecture: '',
  device: '',
  description: 'Test GPU',
  shaderF16,
  maxBufferSize: 1 << 30,
  maxStorageBufferBindingSize,
  isFallbackAdapter: false,
});

describe('parseMlcModelId', () => {
  it('splits family, quantization and variant', () => {
    expect(parseMlcModelId('Llama-3.2-1B-Instruct-q4f16_1-MLC')).toEqual({
      family: 'Llama-3.2-1B-Instruct',
      quantization: 'q4f16_1',
      variant: null,
    });
    expect(parseMlcModelId('gemma-2-2b-it-q4f32_1-MLC-1k')).toEqual({
      family: 'gemma-2-2b-it',
      quantization: 'q4f32_1',
      variant: '1k',
    });
    expect(parseMlcModelId('Qwen3-0.6B-q0f16-MLC').quantization).toBe('q0f16');
  });

  it('keeps an unknown id whole', () => {
    expect(parseMlcModelId('custom-model')).toEqual({
      family: 'custom-model',
      quantization: 'unknown',
      variant: null,
    });
  });
});

describe('mlcBlocker', () => {
  const f16Record = { model_id: 'Qwen3-0.6B-q4f16_1-MLC' };
  const f32Record = { model_id: 'Qwen3-0.6B-q4f32_1-MLC' };

  it('derives the shader-f16 need from the quantization when the record omits it', () => {
    expect(needsShaderF16(f16Record)).toBe(true);
    expect(needsShaderF16(f32Record)).toBe(false);
    expect(needsShaderF16({ model_id: 'x-q4f32_1-MLC', required_features: ['shader-f16'] })).toBe(
      true,
    );
  });

  it('refuses f16 models on a GPU without shader-f16 and allows f32 ones', () => {
    expect(mlcBlocker(f16Record, gpu(false))).toEqual({ kind: 'needs-shader-f16' });
    expect(mlcBlocker(f32Record, gpu(false))).toBeNull();
    expect(mlcBlocker(f16Record, gpu(true))).toBeNull();
  });

  it('refuses everything without WebGPU', () => {
    expect(mlcBlocker(f32Record, { status: 'no-adapter' })).toEqual({ kind: 'no-webgpu' });
    expect(mlcBlocker(f32Record, { status: 'no-api' })).toEqual({ kind: 'no-webgpu' });
  });

  it('refuses a model whose buffers exceed the binding size limit', () => {
    const record = { ...f32Record, buffer_size_required_bytes: 256 << 20 };
    expect(mlcBlocker(record, gpu(true, 128 << 20))).toEqual({
      kind: 'buffer-too-small',
      requiredBytes: 256 << 20,
      availableBytes: 128 << 20,
    });
    expect(mlcBlocker(record, gpu(true, 1 << 30))).toBeNull();
  });
});
