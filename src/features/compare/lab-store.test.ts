import { describe, expect, it } from 'vitest';
import type { EngineError, ModelSpec, ScoreResult } from '../../shared/engine-protocol.ts';
import { createEngineClient, inThread } from '../../lib/engine-client.ts';
import { createEngineStore } from '../../lib/engine-store.ts';
import { createPreferenceStore, memoryPreferences } from '../../lib/preferences.ts';
import { createRunLog } from '../../lib/run-log.ts';
import { createFakeEngineApi, type FakeEngineScript } from '../../lib/testing/fake-engine-api.ts';
import type { LabArchive } from './lab-archive.ts';
import { createLabStore, defaultLabSettings } from './lab-store.ts';
import type { LabRun, LabVariant } from './lab-types.ts';

/** Runs in memory, as the archive would keep them. */
function memoryArchive(): LabArchive & { runs: LabRun[] } {
  const runs: LabRun[] = [];
  return {
    runs,
    list: async () => [...runs].sort((a, b) => b.startedAt - a.startedAt),
    save: async (run) => void runs.push(run),
    remove: async (id) =>
      void runs.splice(
        runs.findIndex((run) => run.id === id),
        1,
      ),
  };
}

const gguf = (quantization: string): LabVariant => ({
  spec: { engine: 'gguf', url: `https://h/m-${quantization}.gguf`, label: `m-${quantization}` },
  label: quantization,
  quantization,
  source: 'url',
  sizeBytes: null,
  attention: null,
});

const labelOf = (spec: ModelSpec) => (spec.engine === 'gguf' ? spec.label : spec.modelId);

/**
 * A model whose probability for each forced token is `p`, and whose top token is the forced one
 * unless `p` < 0.5: a lower-precision variant is less sure, and sometimes wrong.
 */
function scoreBy(p: (label: string) => number): FakeEngineScript['score'] {
  return (model, request) => {
    const tokens =
      'tokens' in request.target ? request.target.tokens : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const prob = p(labelOf(model.spec));
    const result: ScoreResult = {
      promptTokens: 3,
      positions: tokens.map((token) => ({
        token,
        text: ` t${token}`,
        logprob: Math.log(prob),
        top:
          prob >= 0.5
            ? [
                { token, logprob: Math.log(prob) },
                { token: 0, logprob: Math.log(1 - prob) },
              ]
            : [
                { token: 0, logprob: Math.log(1 - prob) },
                { token, logprob: Math.log(prob) },
              ],
      })),
      canonicalTokens: 'tokens' in request.target ? null : 3 + tokens.length,
      topK: request.topK,
      tokenization: { kind: 'tokens' in request.target ? 'given' : 'canonical' },
    };
    return result;
  };
}

async function labOver(script: FakeEngineScript = {}) {
  const api = createFakeEngineApi(script);
  const engine = createEngineStore(createEngineClient(inThread(api)), {
    runs: createRunLog(),
    preferences: createPreferenceStore(memoryPreferences()),
    adapterRecheckMs: [],
  });
  await engine.start();
  const archive = memoryArchive();
  let id = 0;
  const lab = createLabStore({ engine, archive, appVersion: 'test', newId: () => `run-${++id}` });
  lab.setSettings({ repetitions: 2, decodeTokens: 8, answerTokens: 4 });
  return { api, engine, lab, archive };
}

const probabilities: Record<string, number> = { 'm-F16': 0.9, 'm-Q8_0': 0.85, 'm-Q4_0': 0.4 };

describe('lab store', () => {
  it('runs the most precise variant first and scores the others on its tokens', async () => {
    const { api, lab, archive } = await labOver({ score: scoreBy((l) => probabilities[l] ?? 1) });
    for (const q of ['Q4_0', 'F16', 'Q8_0']) lab.pick(gguf(q));
    const run = await lab.start();

    expect(run?.rows.map((row) => row.variant.label)).toEqual(['F16', 'Q8_0', 'Q4_0']);
    const scores = api.calls.filter((call) => call.method === 'score').map((call) => call.score);
    expect(scores[0]?.target).toHaveProperty('text');
    expect(scores[1]?.target).toEqual({ tokens: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
    expect(scores[2]?.target).toEqual(scores[1]?.target);

    const [reference, q8, q4] = run?.rows ?? [];
    expect(run?.reference).toEqual(gguf('F16').spec);
    expect(reference?.quality).toBeNull();
    expect(reference?.perplexity).toBeCloseTo(1 / 0.9);
    expect(q8?.quality?.sameTop).toBe(1);
    expect(q4?.quality?.sameTop).toBe(0);
    expect(q4?.perplexity).toBeCloseTo(1 / 0.4);
    // Two repetitions of the fake's 512 tokens in 100 ms and 10 ms a token.
    expect(reference?.speeds[0]?.prefill.median).toBeCloseTo(5120);
    expect(reference?.speeds[0]?.decode).toMatchObject({ median: 100, runs: 2 });
    expect(reference?.answers).toHaveLength(3);
    expect(run?.evaluation).toMatchObject({ promptTokens: 3, canonicalTokens: 13 });
    expect(archive.runs).toHaveLength(1);
    expect(lab.get().shown).toBe(run);
  });

  it('goes on after a variant fails, and the next one that scores is the reference', async () => {
    const missing: EngineError = { kind: 'download-failed', url: 'x', status: 404, detail: '' };
    const { lab } = await labOver({
      score: scoreBy(() => 0.9),
      loadError: (spec) => (labelOf(spec) === 'm-F16' ? missing : null),
    });
    for (const q of ['F16', 'Q8_0', 'Q4_0']) lab.pick(gguf(q));
    const run = await lab.start();
    expect(run?.rows.map((row) => [row.variant.label, row.status])).toEqual([
      ['F16', 'failed'],
      ['Q8_0', 'done'],
      ['Q4_0', 'done'],
    ]);
    expect(run?.rows[0]?.error).toEqual(missing);
    expect(run?.reference).toEqual(gguf('Q8_0').spec);
    expect(run?.rows[2]?.quality?.kld.mean).toBe(0);
  });

  it('measures an MLC variant without scoring it', async () => {
    const score = scoreBy(() => 0.9);
    const { lab } = await labOver({
      // As web-llm's adapter: it cannot force a text.
      score: (model, request) =>
        model.spec.engine === 'mlc'
          ? { kind: 'not-supported', operation: 'scoring', engine: 'mlc' }
          : (score?.(model, request) ?? { kind: 'internal', detail: 'no score' }),
    });
    lab.pick(gguf('F16'));
    lab.pick({
      spec: { engine: 'mlc', modelId: 'M-q4f16_1-MLC' },
      label: 'q4f16_1',
      quantization: 'q4f16_1',
      source: 'mlc',
      sizeBytes: null,
      attention: null,
    });
    const run = await lab.start();
    const mlc = run?.rows[1];
    expect(mlc?.status).toBe('done');
    expect(mlc?.quality).toBeNull();
    expect(mlc?.speeds).toHaveLength(1);
  });

  it('holds the engine while it runs, and gives the chat its model back', async () => {
    const { api, engine, lab } = await labOver({ score: scoreBy(() => 0.9) });
    await engine.load(gguf('Q8_0').spec);
    lab.pick(gguf('F16'));
    lab.pick(gguf('Q4_0'));
    const running = lab.start();
    expect(engine.get().heldBy).toBe('Compare');
    const refused = await engine.generate(
      { mode: 'complete', prompt: 'x', sampling: { temperature: 0, maxTokens: 1 } },
      () => undefined,
    );
    expect(refused).toMatchObject({ ok: false, error: { kind: 'busy', operation: 'measure' } });
    await running;
    expect(engine.get().heldBy).toBeNull();
    expect(engine.get().state).toMatchObject({ status: 'ready', model: { name: 'm-Q8_0' } });
    expect(api.calls.filter((c) => c.method === 'load').at(-1)?.spec).toEqual(gguf('Q8_0').spec);
  });

  it('keeps the finished rows when cancelled, and unloads what it loaded', async () => {
    const { engine, lab } = await labOver({ score: scoreBy(() => 0.9) });
    for (const q of ['F16', 'Q8_0', 'Q4_0']) lab.pick(gguf(q));
    const stop = lab.subscribe(() => {
      if (lab.get().running?.rows.length === 1) lab.cancel();
    });
    const run = await lab.start();
    stop();
    expect(run?.cancelled).toBe(true);
    expect(run?.rows.map((row) => row.variant.label)).toEqual(['F16']);
    expect(engine.get().state).toEqual({ status: 'idle' });
  });

  it('refuses to start while the engine is busy with someone else', async () => {
    const { engine, lab } = await labOver();
    const other = engine.hold('someone');
    lab.pick(gguf('F16'));
    lab.pick(gguf('Q8_0'));
    expect(await lab.start()).toBeNull();
    expect(lab.get().problem).toMatch(/busy/);
    other?.release();
  });

  it('picks a saved run again, settings included', async () => {
    const { lab } = await labOver({ score: scoreBy(() => 0.9) });
    lab.pick(gguf('F16'));
    lab.pick(gguf('Q8_0'));
    lab.setSettings({ topK: 7 });
    const run = await lab.start();
    lab.unpick(gguf('F16'));
    lab.setSettings(defaultLabSettings);
    if (run) lab.again(run);
    expect(lab.get().picked.map((v) => v.label)).toEqual(['F16', 'Q8_0']);
    expect(lab.get().settings.topK).toBe(7);
  });
});
