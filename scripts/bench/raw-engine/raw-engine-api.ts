/** What the raw-engine page offers the benchmark (as `window.rawEngine`). */

export interface LoadTiming {
  /** From `new Wllama` to a model ready to generate, the file already in memory. */
  ms: number;
  /** The backend llama.cpp actually used, from its `<device> model buffer size` log lines. */
  ranOn: 'webgpu' | 'cpu';
  threads: number;
  /** The llama.cpp build inside wllama, e.g. "b6327-4d74393". */
  libllama: string;
}

/** llama.cpp's own timings of one generation (wllama's `timings` in the final chunk). */
export interface EngineTimings {
  promptTokens: number;
  prefillMs: number;
  outputTokens: number;
  decodeMs: number;
}

export interface GenerationTiming {
  /** From the call to the first streamed piece of text. */
  firstTokenMs: number;
  /** From the first streamed piece to the last. */
  streamMs: number;
  pieces: number;
  engine: EngineTimings | null;
}

export type StoreSink = 'indexeddb' | 'indexeddb-ranges' | 'opfs';
export interface StoreRequest {
  url: string;
  sink: StoreSink;
}
export type StoreReply = { ok: true; ms: number; bytes: number } | { ok: false; detail: string };

export interface RawEngine {
  /** Downloads a model into memory (a Blob) for `load`; returns its size. */
  fetchModel: (url: string) => Promise<number>;
  /**
   * A download stored by the least code that can, in a worker (`bare-store.worker.ts`): into
   * IndexedDB (8 MiB Blobs, two puts in flight; what IndexedDB itself costs, without the app's
   * manifest, checks and messages), into IndexedDB by Range requests whose bytes never enter
   * JavaScript, or into an OPFS file.
   */
  storeOnly: (url: string, sink: StoreSink) => Promise<{ ms: number; bytes: number }>;
  load: (options: { backend: 'auto' | 'cpu'; contextSize: number }) => Promise<LoadTiming>;
  /**
   * Greedy text completion, as the app's "Text completion" mode with temperature 0; with
   * `ignoreEos`, exactly `maxTokens` tokens (figure 6 gives native llama.cpp the same count).
   */
  generate: (options: {
    prompt: string;
    maxTokens: number;
    ignoreEos?: boolean;
  }) => Promise<GenerationTiming>;
  unload: () => Promise<void>;
}
