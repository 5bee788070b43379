import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  Completion,
  CompletionCreateParams,
  InitProgressCallback,
} from '@mlc-ai/web-llm';
import { describe, expect, it, vi } from 'vitest';
import type { GpuReport, LoadEvent } from '../../shared/engine-protocol.ts';
import { failureOf } from '../engine-failure-testing.ts';
import { loadMlcEngine, progressEvent, type MlcEngineCore } from './mlc-engine.ts';

/**
 * A fake of web-llm's engine at the library boundary: same types (`MLCEngineInterface`), scripted
 * behaviour. The real engine cannot run here (no MLC weights or model libraries offline).
 */
class FakeMlcEngine implements MlcEngineCore {
  progress: InitProgressCallback | undefined;
  reloadError: Error | null = null;
  chunks: ChatCompletionChunk[] = [];
  requests: (ChatCompletionRequest | CompletionCreateParams)[] = [];
  interrupted = false;
  unloaded = 0;
  reloaded: string[] = [];

  setAppConfig = vi.fn();
  setInitProgressCallback = (callback: InitProgressCallback) => {
    this.progress = callback;
  };
  reload = async (modelId: string | string[]) => {
    this.reloaded.push(String(modelId));
    this.progress?.({
      progress: 0.5,
      timeElapsed: 1,
      text: 'Fetching param cache[1/2]: 100MB fetched. 50% completed, 1 secs elapsed.',
    });
    if (this.reloadError) throw this.reloadError;
  };
  chatCompletion = (async (
    request: ChatCompletionRequest,
  ): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion> => {
    this.requests.push(request);
    const chunks = this.chunks;
    const interrupted = () => this.interrupted;
    return (async function* () {
      for (const chunk of chunks) {
        if (interrupted()) {
          yield {
            ...chunk,
            choices: [{ index: 0, delta: {}, finish_reason: 'abort' }],
          };
          return;
        }
        yield chunk;
      }
    })();
  }) as MlcEngineCore['chatCompletion'];
  completion = (async (
    request: CompletionCreateParams,
  ): Promise<AsyncIterable<Completion> | Completion> => {
    this.requests.push(request);
    const reply: Completion = {
      id: 'c',
      object: 'text_completion',
      created: 0,
      model: 'm',
      choices: [{ index: 0, text: ' there', finish_reason: 'length', logprobs: null }],
    };
    if (!request.stream) {
      // web-llm's usage: counts, and rates from which the adapter recovers the times.
      const promptTokens = request.prompt.split(' ').length;
      return {
        ...reply,
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: request.max_tokens ?? 0,
          total_tokens: promptTokens + (request.max_tokens ?? 0),
          extra: {
            e2e_latency_s: 1,
            prefill_tokens_per_s: 640,
            decode_tokens_per_s: 20,
            time_to_first_token_s: 0.1,
            time_per_output_token_s: 0.05,
          },
        },
      };
    }
    return (async function* (): AsyncGenerator<Completion> {
      yield reply;
    })();
  }) as MlcEngineCore['completion'];
  interruptGenerate = () => {
    this.interrupted = true;
  };
  unload = async () => {
    this.unloaded += 1;
  };
}

const gpu = (shaderF16: boolean): GpuReport => ({
  status: 'available',
  vendor: 'v',
  architecture: 'a',
  device: '',
  description: 'Test GPU',
  shaderF16,
  maxBufferSize: 1 << 30,
  maxStorageBufferBindingSize: 1 << 30,
  isFallbackAdapter: false,
});

const chunk = (content: string, extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
  id: 'x',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  ...extra,
});

async function load(
  fake: FakeMlcEngine,
  modelId = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
  report = gpu(true),
) {
  const events: LoadEvent[] = [];
  const engine = await loadMlcEngine(
    { modelId, gpu: report, signal: new AbortController().signal, onEvent: (e) => events.push(e) },
    { createEngine: () => fake, isStored: async () => false },
  );
  return { engine, events };
}

describe('MLC adapter', () => {
  it('loads through web-llm with the IndexedDB cache and reports download bytes', async () => {
    const fake = new FakeMlcEngine();
    const { engine, events } = await load(fake);
    expect(fake.reloaded).toEqual(['Qwen2.5-0.5B-Instruct-q4f32_1-MLC']);
    expect(fake.setAppConfig).toHaveBeenCalledWith(
      expect.objectContaining({ cacheBackend: 'indexeddb' }),
    );
    expect(engine.loaded).toMatchObject({
      name: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
      backend: { kind: 'webgpu', adapter: 'Test GPU' },
      hasChatTemplate: true,
    });
    expect(events).toEqual([
      {
        type: 'download',
        loadedBytes: 100 << 20,
        totalBytes: 200 << 20,
        at: expect.any(Number) as number,
        inOtherTab: false,
      },
    ]);
  });

  it('offers the thinking switch for Qwen3 only, and passes it as extra_body', async () => {
    const plain = await load(new FakeMlcEngine());
    expect(plain.engine.loaded.thinking).toEqual({ switchable: false, startsInReasoning: false });

    const fake = new FakeMlcEngine();
    fake.chunks = [chunk('Hi')];
    const { engine } = await load(fake, 'Qwen3-0.6B-q4f32_1-MLC');
    expect(engine.loaded.thinking).toEqual({ switchable: true, startsInReasoning: false });
    const ask = (thinking?: boolean) =>
      engine.generate(
        {
          mode: 'chat',
          messages: [{ role: 'user', content: 'Hi' }],
          sampling: { temperature: 0, maxTokens: 4 },
          ...(thinking !== undefined && { thinking }),
        },
        () => undefined,
        new AbortController().signal,
      );
    await ask(false);
    await ask();
    expect(fake.requests[0]).toMatchObject({ extra_body: { enable_thinking: false } });
    expect(fake.requests[1]).not.toHaveProperty('extra_body');
  });

  it('streams chat tokens and turns web-llm usage into measurements', async () => {
    const fake = new FakeMlcEngine();
    fake.chunks = [
      chunk('Hel'),
      chunk('lo'),
      chunk('', {
        choices: [],
        usage: {
          prompt_tokens: 10,
          completion_tokens: 4,
          total_tokens: 14,
          extra: {
            e2e_latency_s: 1,
            prefill_tokens_per_s: 50,
            decode_tokens_per_s: 8,
            time_to_first_token_s: 0.2,
            time_per_output_token_s: 0.125,
          },
        },
      }),
    ];
    const { engine } = await load(fake);
    const tokens: string[] = [];
    const result = await engine.generate(
      {
        mode: 'chat',
        messages: [{ role: 'user', content: 'Hi' }],
        sampling: { temperature: 0, maxTokens: 4 },
      },
      (t) => tokens.push(t),
      new AbortController().signal,
    );
    expect(tokens).toEqual(['Hel', 'lo']);
    expect(result.text).toBe('Hello');
    expect(result.finishReason).toBe('stop');
    expect(result.measurements).toEqual({
      promptTokens: 10,
      outputTokens: 4,
      prefillMs: 200,
      decodeMs: 500,
    });
    expect(fake.requests[0]).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      max_tokens: 4,
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });

  it('stops on abort and keeps the partial text', async () => {
    const fake = new FakeMlcEngine();
    fake.chunks = [chunk('a'), chunk('b'), chunk('c')];
    const { engine } = await load(fake);
    const controller = new AbortController();
    const result = await engine.generate(
      {
        mode: 'chat',
        messages: [{ role: 'user', content: 'Hi' }],
        sampling: { temperature: 0, maxTokens: 9 },
      },
      () => controller.abort(),
      controller.signal,
    );
    expect(fake.interrupted).toBe(true);
    expect(result).toMatchObject({ text: 'a', finishReason: 'aborted' });
    expect(result.measurements.outputTokens).toBe(1);
  });

  it('uses text completion for completion mode', async () => {
    const fake = new FakeMlcEngine();
    const { engine } = await load(fake);
    const result = await engine.generate(
      { mode: 'complete', prompt: 'Hello', sampling: { temperature: 0, maxTokens: 1 } },
      () => undefined,
      new AbortController().signal,
    );
    expect(result).toMatchObject({ text: ' there', finishReason: 'length' });
    expect(fake.requests[0]).toMatchObject({ prompt: 'Hello' });
  });

  it('benchmarks prefill and decode apart, with the end of text ignored', async () => {
    const fake = new FakeMlcEngine();
    const { engine } = await load(fake);
    const progress: number[] = [];
    const runs = await engine.benchmark(
      { promptText: 'a b c d e f g h', decodeTokens: 16, repetitions: 2 },
      (event) => progress.push(event.repetition),
      new AbortController().signal,
    );
    expect(progress).toEqual([1, 2]);
    // 8 prompt tokens at 640 tok/s, 16 generated at 20 tok/s, each repetition.
    expect(runs).toEqual([
      { prefill: { tokens: 8, ms: 12.5 }, decode: { tokens: 16, ms: 800 } },
      { prefill: { tokens: 8, ms: 12.5 }, decode: { tokens: 16, ms: 800 } },
    ]);
    expect(fake.requests).toEqual([
      expect.objectContaining({ prompt: 'a b c d e f g h', max_tokens: 1, ignore_eos: true }),
      expect.objectContaining({ max_tokens: 16, ignore_eos: true, temperature: 0 }),
      expect.objectContaining({ max_tokens: 1 }),
      expect.objectContaining({ max_tokens: 16 }),
    ]);
  });

  it('says it cannot score a forced text', async () => {
    const { engine } = await load(new FakeMlcEngine());
    const failure = await failureOf(
      engine.score(
        { prompt: 'p', target: { text: 't', maxTokens: 4 }, topK: 4 },
        () => undefined,
        new AbortController().signal,
      ),
    );
    expect(failure).toMatchObject({ kind: 'not-supported', engine: 'mlc' });
  });

  it('refuses an f16 model on a GPU without shader-f16 before creating an engine', async () => {
    const createEngine = vi.fn(() => new FakeMlcEngine());
    const error = await failureOf(
      loadMlcEngine(
        {
          modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
          gpu: gpu(false),
          signal: new AbortController().signal,
          onEvent: () => undefined,
        },
        { createEngine, isStored: async () => false },
      ),
    );
    expect(error).toEqual({
      kind: 'needs-shader-f16',
      modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    });
    expect(createEngine).not.toHaveBeenCalled();
  });

  it('maps a failed fetch to download-failed and unloads', async () => {
    const fake = new FakeMlcEngine();
    fake.reloadError = new TypeError('Failed to fetch');
    const error = await failureOf(load(fake));
    expect(error).toMatchObject({
      kind: 'download-failed',
      status: null,
      url: expect.stringContaining('huggingface.co') as string,
    });
    expect(fake.unloaded).toBe(1);
  });

  it('maps web-llm errors by name', async () => {
    const named = (name: string) => Object.assign(new Error('x'), { name });
    for (const [name, kind] of [
      ['DeviceLostError', 'gpu-device-lost'],
      ['ShaderF16SupportError', 'needs-shader-f16'],
      ['WebGPUNotAvailableError', 'no-webgpu'],
      ['SomethingElse', 'model-load-failed'],
    ] as const) {
      const fake = new FakeMlcEngine();
      fake.reloadError = named(name);
      expect(await failureOf(load(fake))).toMatchObject({ kind });
    }
  });

  it('reports an unknown model id', async () => {
    expect(await failureOf(load(new FakeMlcEngine(), 'not-a-model'))).toEqual({
      kind: 'unknown-model',
      modelId: 'not-a-model',
    });
  });

  it('reads progress text that is not a download as initialization', () => {
    expect(
      progressEvent({
        progress: 1,
        timeElapsed: 2,
        text: 'Loading model from cache[1/2]: 5MB loaded.',
      }),
    ).toEqual({
      type: 'stage',
      stage: 'initializing',
    });
  });
});
