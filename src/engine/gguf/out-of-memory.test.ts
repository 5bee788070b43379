import { describe, expect, it } from 'vitest';
import { WLLAMA_HEAP_BYTES } from '../../shared/memory-estimate.ts';
import { outOfMemory, readAllocationClue, type AllocationFailure } from './out-of-memory.ts';

/** Lines llama.cpp logged (wllama 3.13) for the synthetic kv-5g model at a 32768-token context. */
const CPU_LOG = [
  'ggml_aligned_malloc: insufficient memory (attempted to allocate 5120.00 MB)',
  'ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size 5368709120',
  'ggml_backend_buft_alloc_buffer_n_default: failed to allocate CPU buffer of size 5368709120',
  'llama_init_from_model: failed to initialize the context: failed to allocate buffer for kv cache',
  "srv    load_model: failed to create_context with model 'models/model-00001-of-00001.gguf'",
];
const WEBGPU_LOG = [
  '/source/llama.cpp/ggml/src/ggml-backend.cpp:1357: pre-allocated tensor (cache_k_l0) in a buffer (WebGPU) that cannot run the operation (NONE)',
];

function read(lines: string[]): { failure: AllocationFailure; said: boolean } {
  const failure: AllocationFailure = { part: null, bytes: null };
  const said = lines.map((line) => readAllocationClue(line, failure)).some(Boolean);
  return { failure, said };
}

/** The kv-5g shape: one layer, 10 KV heads of 4096. */
const attention = { layers: 1, kvHeads: 10, headDim: 4096 };
const MiB = 1024 ** 2;

describe('readAllocationClue', () => {
  it('reads the size and the part from a CPU allocation that failed', () => {
    expect(read(CPU_LOG)).toEqual({
      failure: { part: 'kv-cache', bytes: 5368709120 },
      said: true,
    });
  });

  it('does not take an unsupported attention shape on WebGPU for memory', () => {
    // Logged at 32768 and at 4096 tokens alike: a head size llama.cpp's WebGPU kernels lack.
    expect(read(WEBGPU_LOG).said).toBe(false);
  });

  it('reads weights and working buffers that did not fit', () => {
    expect(
      read(['llama_model_load: error loading model: unable to allocate WebGPU buffer']).failure
        .part,
    ).toBe('weights');
    expect(
      read([
        'llama_init_from_model: failed to initialize the context: failed to allocate compute pp buffers',
      ]).failure.part,
    ).toBe('working-buffers');
  });

  it('ignores the lines of a load that went well', () => {
    expect(
      read([
        'load_tensors:   CPU_Mapped model buffer size =    15.48 MiB',
        'llama_kv_cache:        CPU KV buffer size =   640.00 MiB',
        'llama_context:        CPU compute buffer size =    80.00 MiB',
      ]).said,
    ).toBe(false);
  });
});

describe('outOfMemory', () => {
  const facts = { weightsBytes: 16 * MiB, attention, contextSize: 32768 };

  it('on the CPU, offers the largest default-or-smaller context that fits the 4 GiB heap', () => {
    const error = outOfMemory(
      { part: 'kv-cache', bytes: 5368709120 },
      { ...facts, backend: 'cpu' },
    );
    expect(error).toEqual({
      kind: 'out-of-memory',
      part: 'kv-cache',
      backend: 'cpu',
      contextSize: 32768,
      neededBytes: 16 * MiB + 5 * 1024 * MiB,
      limitBytes: WLLAMA_HEAP_BYTES,
      fitsContext: 4096,
    });
  });

  it('offers less than the default when the default would not fit either', () => {
    // 160 KiB a token: 4096 tokens need 640 MiB; with 3.5 GiB of weights only 2048 fit.
    const heavy = { ...facts, weightsBytes: 3.5 * 1024 * MiB, contextSize: 8192 };
    const error = outOfMemory({ part: 'kv-cache', bytes: null }, { ...heavy, backend: 'cpu' });
    expect(error).toMatchObject({ fitsContext: 2048 });
  });

  it('on a GPU, whose limit is unknown, offers a context needing at most half', () => {
    const error = outOfMemory({ part: 'kv-cache', bytes: null }, { ...facts, backend: 'webgpu' });
    expect(error).toMatchObject({ limitBytes: null, fitsContext: 4096 });
    const atDefault = outOfMemory(
      { part: 'kv-cache', bytes: null },
      { ...facts, contextSize: 4096, backend: 'webgpu' },
    );
    expect(atDefault).toMatchObject({ contextSize: 4096, fitsContext: 1024 });
  });

  it('offers no context when the weights did not fit or the KV size is unknown', () => {
    expect(
      outOfMemory({ part: 'weights', bytes: null }, { ...facts, backend: 'webgpu' }),
    ).toMatchObject({ part: 'weights', fitsContext: null });
    expect(
      outOfMemory({ part: null, bytes: null }, { ...facts, attention: null, backend: 'cpu' }),
    ).toMatchObject({ part: 'working-buffers', fitsContext: null });
  });
});
