/**
 * The "bare page" of the benchmark: wllama used directly, with nothing of the app around it (no
 * worker of ours, no Comlink, no React). Built by `vite.raw-engine.config.ts` into its own folder,
 * never into the app's dist. The benchmark drives it through `window.rawEngine`.
 */
import { Wllama } from '@wllama/wllama/esm/index.js';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type {
  GenerationTiming,
  LoadTiming,
  RawEngine,
  StoreReply,
  StoreRequest,
} from './raw-engine-api.ts';

/** The app's own values (src/engine/gguf/wllama-engine.ts), so both run the same configuration. */
const ALL_LAYERS = 99999;
const MAX_CONTEXT = 4096;

let file: Blob | null = null;
let wllama: Wllama | null = null;

const rawEngine: RawEngine = {
  async fetchModel(url) {
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    file = await response.blob();
    return file.size;
  },

  storeOnly(url, sink) {
    const worker = new Worker(new URL('./bare-store.worker.ts', import.meta.url), {
      type: 'module',
    });
    return new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<StoreReply>) => {
        worker.terminate();
        const reply = event.data;
        if (reply.ok) resolve({ ms: reply.ms, bytes: reply.bytes });
        else reject(new Error(reply.detail));
      };
      worker.postMessage({ url, sink } satisfies StoreRequest);
    });
  },

  async load({ backend, contextSize }): Promise<LoadTiming> {
    if (!file) throw new Error('fetchModel first');
    await rawEngine.unload();
    const bufferDevices = new Set<string>();
    const capture = (...args: unknown[]) => {
      const device = /(\S+) model buffer size/.exec(args.map(String).join(' '))?.[1];
      if (device) bufferDevices.add(device);
    };
    const started = performance.now();
    const engine = new Wllama(
      { default: wasmUrl },
      { logger: { debug: capture, log: capture, warn: capture, error: capture } },
    );
    engine.setCompat(null); // never the CDN
    await engine.loadModel([file], {
      n_ctx: Math.min(contextSize, MAX_CONTEXT),
      n_gpu_layers: backend === 'cpu' ? 0 : ALL_LAYERS,
    });
    const ms = performance.now() - started;
    wllama = engine;
    const onGpu = [...bufferDevices].some((device) => device.startsWith('WebGPU'));
    return {
      ms,
      ranOn: onGpu ? 'webgpu' : 'cpu',
      threads: engine.getNumThreads(),
      libllama: Wllama.getLibllamaVersion(),
    };
  },

  async generate({ prompt, maxTokens, ignoreEos = false }): Promise<GenerationTiming> {
    if (!wllama) throw new Error('load first');
    const pieces: number[] = [];
    let engineTimings: GenerationTiming['engine'] = null;
    const started = performance.now();
    await wllama.createCompletion({
      prompt,
      stream: true,
      temperature: 0,
      max_tokens: maxTokens,
      ignore_eos: ignoreEos,
      onData: (chunk) => {
        if (chunk.choices[0]?.text) pieces.push(performance.now());
        if (chunk.timings) {
          engineTimings = {
            promptTokens: chunk.timings.prompt_n,
            prefillMs: chunk.timings.prompt_ms,
            outputTokens: chunk.timings.predicted_n,
            decodeMs: chunk.timings.predicted_ms,
          };
        }
      },
    });
    return {
      firstTokenMs: (pieces[0] ?? NaN) - started,
      streamMs: (pieces.at(-1) ?? NaN) - (pieces[0] ?? NaN),
      pieces: pieces.length,
      engine: engineTimings,
    };
  },

  async unload() {
    const engine = wllama;
    wllama = null;
    await engine?.exit();
  },
};

Object.assign(window, { rawEngine });
