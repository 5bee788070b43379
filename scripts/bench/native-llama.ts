/**
 * Native llama.cpp in the bench's own Node process, through node-llama-cpp's prebuilt CPU
 * binaries (`gpu: false`, never built here): figure 6's baseline for raw wllama on the CPU.
 */
import type { Token } from 'node-llama-cpp';

export interface NativeRun {
  promptTokens: number;
  outputTokens: number;
  /** From the call to the first generated token: the prompt's evaluation and the first sample. */
  prefillMs: number;
  /** From the first generated token to the last. */
  decodeMs: number;
}

export interface NativeLlama {
  /** node-llama-cpp's version. */
  version: string;
  threads: number;
  /** Greedy: exactly `tokens` tokens after `prompt` (tokenized as llama.cpp's server does), from an empty cache. */
  generate: (prompt: string, tokens: number, signal: AbortSignal) => Promise<NativeRun>;
  dispose: () => Promise<void>;
}

/**
 * Loads `modelPath` on the CPU with `threads` threads and a `contextSize` context.
 *
 * @throws Error where node-llama-cpp is missing or has no prebuilt binary that runs here.
 */
export async function openNativeLlama(
  modelPath: string,
  threads: number,
  contextSize: number,
): Promise<NativeLlama> {
  const { getLlama, getModuleVersion, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    maxThreads: threads,
    logLevel: LlamaLogLevel.error,
  });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const context = await model.createContext({
    contextSize,
    threads: { ideal: threads, min: threads },
  });
  const sequence = context.getSequence();
  // llama.cpp's server (wllama) adds the model's BOS and parses special tokens in the prompt.
  const tokenize = (prompt: string): Token[] => {
    const text = model.tokenize(prompt, true);
    const bos = model.tokens.bos;
    return model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...text] : text;
  };
  return {
    version: await getModuleVersion(),
    threads: context.idealThreads,
    async generate(prompt, tokens, signal) {
      await sequence.clearHistory();
      const input = tokenize(prompt);
      const started = performance.now();
      let first = Number.NaN;
      let last = Number.NaN;
      let generated = 0;
      const output = sequence.evaluate(input, { temperature: 0 });
      try {
        while (generated < tokens) {
          // Only when each token comes matters here, not which token it is.
          if ((await output.next()).done) break;
          last = performance.now();
          if (generated === 0) first = last;
          generated += 1;
          signal.throwIfAborted();
        }
      } finally {
        await output.return();
      }
      return {
        promptTokens: input.length,
        outputTokens: generated,
        prefillMs: first - started,
        decodeMs: last - first,
      };
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
