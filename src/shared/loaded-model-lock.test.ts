import { describe, expect, it } from 'vitest';
import type { LoadedModel } from './engine-protocol.ts';
import {
  loadedModelBytes,
  loadedModelLockName,
  othersAdvertised,
  parseLoadedModelLock,
} from './loaded-model-lock.ts';

describe('the loaded-model lock', () => {
  it('reads back what its name advertises, a label with colons included', () => {
    const model = { holder: 'tab-1', bytes: 1_234_567, label: 'org/repo: Q4_K_M' };
    expect(loadedModelLockName(model)).toBe('tab-llm:loaded-model:tab-1:1234567:org/repo: Q4_K_M');
    expect(parseLoadedModelLock(loadedModelLockName(model))).toEqual(model);
  });

  it('ignores other locks and malformed names', () => {
    for (const name of [
      'tab-llm:gpu-turn',
      'tab-llm-download:https://h/m.gguf',
      'tab-llm:loaded-model:',
      'tab-llm:loaded-model:tab-1',
      'tab-llm:loaded-model:tab-1:12',
      'tab-llm:loaded-model:tab-1:-12:m',
      'tab-llm:loaded-model:tab-1:1.5:m',
      'tab-llm:loaded-model:tab-1:99999999999999999999:m',
      'tab-llm:loaded-model::12:m',
    ]) {
      expect(parseLoadedModelLock(name), name).toBeNull();
    }
  });

  it("lists other engines' models, leaving out its own and any other lock", () => {
    const names = [
      'tab-llm:loaded-model:mine:100:own model',
      'tab-llm:loaded-model:other:200:theirs',
      'tab-llm:gpu-turn',
      undefined,
      'tab-llm:loaded-model:broken',
      'tab-llm:loaded-model:third:300:another',
    ];
    expect(othersAdvertised(names, 'mine')).toEqual([
      { holder: 'other', bytes: 200, label: 'theirs' },
      { holder: 'third', bytes: 300, label: 'another' },
    ]);
  });

  it("takes a model's measured memory, else its file size", () => {
    const model = {
      memory: { weightsBytes: 100, kvCacheBytes: 20, computeBytes: null },
      sizeBytes: 90,
      weights: null,
    } as Pick<LoadedModel, 'memory' | 'sizeBytes' | 'weights'> as LoadedModel;
    expect(loadedModelBytes(model)).toBe(120);
    const unmeasured = {
      ...model,
      memory: { weightsBytes: null, kvCacheBytes: null, computeBytes: null },
    };
    expect(loadedModelBytes(unmeasured)).toBe(90);
    expect(loadedModelBytes({ ...unmeasured, sizeBytes: null })).toBe(0);
  });
});
