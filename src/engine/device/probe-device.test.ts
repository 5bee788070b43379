import { describe, expect, it } from 'vitest';
import { requestAdapterPatiently } from './probe-device.ts';

/** A `navigator.gpu` that answers each request from a script: an adapter, null, or a throw. */
function scriptedGpu(answers: ('adapter' | null | 'throw')[]) {
  const adapter = { name: 'fake adapter' } as unknown as GPUAdapter;
  let calls = 0;
  const gpu = {
    requestAdapter: () => {
      const answer = answers[calls++] ?? null;
      if (answer === 'throw') return Promise.reject(new Error('GPU process gone'));
      return Promise.resolve(answer === 'adapter' ? adapter : null);
    },
  };
  return { gpu, adapter, calls: () => calls };
}

describe('requestAdapterPatiently', () => {
  it('asks again after a null or a failure, and returns the adapter that comes', async () => {
    const { gpu, adapter, calls } = scriptedGpu([null, 'throw', 'adapter']);
    await expect(requestAdapterPatiently(gpu, [0, 0])).resolves.toBe(adapter);
    expect(calls()).toBe(3);
  });

  it('gives up after its retries when no adapter ever comes', async () => {
    const { gpu, calls } = scriptedGpu([]);
    await expect(requestAdapterPatiently(gpu, [0, 0])).resolves.toBeNull();
    expect(calls()).toBe(3);
  });

  it('asks once when the first answer is an adapter', async () => {
    const { gpu, adapter, calls } = scriptedGpu(['adapter']);
    await expect(requestAdapterPatiently(gpu, [0, 0])).resolves.toBe(adapter);
    expect(calls()).toBe(1);
  });
});
