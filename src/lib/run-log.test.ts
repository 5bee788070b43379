import { describe, expect, it } from 'vitest';
import type { LoadedModel } from '../shared/engine-protocol.ts';
import { noThinking } from '../shared/thinking.ts';
import { createRunLog, SAMPLE_MS } from './run-log.ts';

const model: LoadedModel = {
  spec: { engine: 'gguf', url: 'https://h/m.gguf', label: 'm' },
  name: 'm',
  backend: { kind: 'cpu', threads: 1 },
  contextSize: 512,
  hasChatTemplate: true,
  fromStorage: false,
  sizeBytes: null,
  loadMs: 1,
  memory: { weightsBytes: null, kvCacheBytes: null, computeBytes: null },
  weights: null,
  vocabSize: null,
  thinking: noThinking,
};

describe('run log', () => {
  it('samples a run’s progress at most every SAMPLE_MS, and its last piece at the end', () => {
    const log = createRunLog();
    const id = log.begin(model, 0);
    // A piece every 50 ms for one second: 20 pieces.
    for (let i = 0; i < 20; i++) log.token(id, 100 + i * 50);
    log.end(id, null, 1200);
    const run = log.get().at(-1);
    expect(run?.tokensReceived).toBe(20);
    const samples = run?.samples ?? [];
    expect(samples[0]).toEqual({ at: 100, tokens: 1 });
    expect(samples.at(-1)).toEqual({ at: 1050, tokens: 20 });
    for (let i = 1; i < samples.length - 1; i++) {
      expect((samples[i]?.at ?? 0) - (samples[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(SAMPLE_MS);
    }
    expect(samples.length).toBeLessThanOrEqual(1 + 1000 / SAMPLE_MS + 1);
  });
});
