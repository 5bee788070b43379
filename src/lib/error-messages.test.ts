import { describe, expect, it } from 'vitest';
import type { EngineError } from '../shared/engine-protocol.ts';
import { errorMessage, errorRecovery } from './error-messages.ts';

/** One example of every kind: the `Record` type makes this list fail to compile when one is missing. */
const examples: { [K in EngineError['kind']]: Extract<EngineError, { kind: K }> } = {
  'download-failed': {
    kind: 'download-failed',
    url: 'https://h.example/m.gguf',
    status: 404,
    detail: '',
  },
  'host-not-allowed': {
    kind: 'host-not-allowed',
    url: 'https://h.example/m.gguf',
    allowedHosts: ['https://huggingface.co'],
  },
  'download-incomplete': {
    kind: 'download-incomplete',
    url: 'https://h.example/m.gguf',
    expectedBytes: 2_000_000,
    receivedBytes: 500_000,
    storedBytes: 262_144,
  },
  'size-mismatch': {
    kind: 'size-mismatch',
    url: 'https://h.example/m.gguf',
    expectedBytes: 2_000_000,
    actualBytes: 1_000_000,
  },
  'checksum-mismatch': {
    kind: 'checksum-mismatch',
    url: 'https://h.example/m.gguf',
    expectedSha256: 'a'.repeat(64),
    actualSha256: 'b'.repeat(64),
  },
  'not-enough-storage': {
    kind: 'not-enough-storage',
    neededBytes: 4e9,
    availableBytes: 1e9,
    quotaBytes: 2e9,
  },
  'stored-model-damaged': {
    kind: 'stored-model-damaged',
    label: 'tiny',
    problem: 'piece 2 of 3 is missing',
    local: false,
  },
  'model-in-use': { kind: 'model-in-use', label: 'tiny' },
  'not-gguf': { kind: 'not-gguf', source: 'x' },
  'unsupported-gguf-version': { kind: 'unsupported-gguf-version', source: 'x', version: 1 },
  'truncated-file': {
    kind: 'truncated-file',
    source: 'x',
    expectedBytes: 1_185_376,
    actualBytes: 600_000,
  },
  'malformed-gguf': {
    kind: 'malformed-gguf',
    source: 'https://h.example/m.gguf',
    problem: 'it claims 1,000,000,000,000 tensors',
  },
  'model-load-failed': { kind: 'model-load-failed', detail: 'boom' },
  'unknown-model': { kind: 'unknown-model', modelId: 'nope' },
  'no-webgpu': { kind: 'no-webgpu', modelId: 'm' },
  'needs-shader-f16': { kind: 'needs-shader-f16', modelId: 'Qwen3-0.6B-q4f16_1-MLC' },
  'buffer-too-small': {
    kind: 'buffer-too-small',
    modelId: 'm',
    requiredBytes: 2e8,
    availableBytes: 1e8,
  },
  'storage-full': { kind: 'storage-full', detail: '', storedBytes: 3_000_000 },
  'context-overflow': { kind: 'context-overflow', contextSize: 512 },
  'context-full': { kind: 'context-full', promptTokens: 400, reserveTokens: 128, contextSize: 512 },
  'gpu-device-lost': { kind: 'gpu-device-lost', detail: '' },
  'engine-crashed': {
    kind: 'engine-crashed',
    detail: 'worker stopped',
    neededBytes: 6e9,
    limitBytes: 4e9,
  },
  'out-of-memory': {
    kind: 'out-of-memory',
    part: 'kv-cache',
    backend: 'cpu',
    contextSize: 32768,
    neededBytes: 5.4e9,
    limitBytes: 4 * 1024 ** 3,
    fitsContext: 4096,
  },
  'other-tabs-memory': {
    kind: 'other-tabs-memory',
    others: [{ label: 'Qwen3-4B-Q4_K_M', bytes: 2.5e9 }],
    model: { label: 'Llama-3.2-3B-Q4_K_M', bytes: 2e9 },
    limitBytes: 4 * 1024 ** 3,
  },
  'no-model-loaded': { kind: 'no-model-loaded' },
  busy: { kind: 'busy', operation: 'load' },
  cancelled: { kind: 'cancelled' },
  'generation-failed': { kind: 'generation-failed', detail: 'boom' },
  'not-supported': { kind: 'not-supported', operation: 'scoring', engine: 'mlc' },
  internal: { kind: 'internal', detail: 'boom' },
};

describe('errorMessage', () => {
  it.each(Object.values(examples))('says what happened and what to do next: $kind', (error) => {
    const message = errorMessage(error);
    expect(message.title.length).toBeGreaterThan(5);
    expect(message.action.length).toBeGreaterThan(5);
  });

  it('includes the facts a person needs', () => {
    expect(errorMessage(examples['download-failed']).title).toContain('404');
    expect(errorMessage(examples['download-failed']).title).toContain('h.example');
    expect(errorMessage(examples['truncated-file']).title).toContain('600 KB');
    expect(errorMessage(examples['truncated-file']).title).toContain('1.2 MB');
    expect(errorMessage(examples['unsupported-gguf-version']).title).toContain('version 1');
    expect(errorMessage(examples['needs-shader-f16']).action).toContain('q4f32');
    expect(errorMessage(examples['context-overflow']).title).toContain('512');
    expect(errorMessage(examples['checksum-mismatch']).title).toContain('SHA-256 check failed');
    expect(errorMessage(examples['size-mismatch']).title).toContain('Size check failed');
    expect(errorMessage(examples['not-enough-storage']).title).toContain('4.0 GB');
    expect(errorMessage(examples['not-enough-storage']).title).toContain('1.0 GB');
    expect(errorMessage(examples['download-incomplete']).action).toContain('262 KB are kept');
    expect(errorMessage(examples['storage-full']).action).toContain('3.0 MB are kept');
  });

  it('tells a network failure from a server answer', () => {
    const offline = errorMessage({ ...examples['download-failed'], status: null });
    expect(offline.title).toContain('network request failed');
    expect(offline.action).toContain('connection');
  });

  it('says a malformed file is broken at its source, and offers no new download', () => {
    const message = errorMessage(examples['malformed-gguf']);
    expect(message.title).toBe(
      'This model file is malformed: it claims 1,000,000,000,000 tensors.',
    );
    expect(message.action).toContain('not a download problem');
    expect(message.action).toContain('another file or quantization');
    expect(errorRecovery(examples['malformed-gguf'])).toBe('none');
    // A file cut short still offers a new download: the copy may be what was cut.
    expect(errorRecovery(examples['truncated-file'])).toBe('download-again');
  });

  it('tells an old, a newer and a big-endian GGUF version apart', () => {
    const version = (v: number) =>
      errorMessage({ kind: 'unsupported-gguf-version', source: 'x', version: v }).title;
    expect(version(1)).toContain('version 1, which llama.cpp no longer reads');
    expect(version(4)).toContain('version 4, newer than llama.cpp here reads');
    expect(version(0x03000000)).toContain('big-endian');
  });

  it('after a cut that kept nothing says there is nothing to resume', () => {
    const nothingKept = { ...examples['download-incomplete'], storedBytes: 0 };
    expect(errorMessage(nothingKept).action).toBe(
      'Nothing of it could be kept, so there is nothing to resume: check your connection, then download it again.',
    );
    expect(errorRecovery(nothingKept)).toBe('download-again');
    expect(errorRecovery(examples['download-incomplete'])).toBe('resume');
  });

  it('says a 401 or 403 means a gated or private model', () => {
    const gated = errorMessage({ ...examples['download-failed'], status: 401 });
    expect(gated.title).toContain('answered 401 (the file needs a login');
    expect(gated.action).toContain('open to everyone');
  });
});

describe('a model lost by itself', () => {
  it('a lost GPU keeps the chat and offers to load the model again', () => {
    const lost = errorMessage({ kind: 'gpu-device-lost', detail: 'GPU process crashed' });
    expect(lost.title).toContain('GPU process crashed');
    expect(lost.title).toContain('answer so far are kept');
    expect(errorRecovery(examples['gpu-device-lost'])).toBe('reload-model');
  });

  it('a crash says what fits, and offers no reload of a model too big to fit', () => {
    const oom = errorMessage(examples['out-of-memory']);
    expect(oom.title).toContain('32,768-token context');
    expect(oom.title).toContain('KV cache');
    expect(oom.title).toContain('in WebAssembly memory (at most 4.3 GB on the CPU)');
    expect(oom.title).toContain('needs about 5.4 GB');
    expect(oom.action).toContain('4,096-token context');
    expect(errorRecovery(examples['out-of-memory'])).toBe('smaller-context');
    const gpuWeights = {
      ...examples['out-of-memory'],
      backend: 'webgpu' as const,
      part: 'weights' as const,
      limitBytes: null,
      fitsContext: null,
    };
    expect(errorMessage(gpuWeights).title).toContain('its weights on the GPU');
    expect(errorMessage(gpuWeights).action).toBe('Pick a smaller model or quantization.');
    expect(errorRecovery(gpuWeights)).toBe('none');
    const tooBig = errorMessage(examples['engine-crashed']);
    expect(tooBig.action).toContain("needs about 6.0 GB, more than this device's 4.0 GB");
    expect(tooBig.action).toContain('Models up to about 4.0 GB');
    expect(errorRecovery(examples['engine-crashed'])).toBe('none');
    const killed = { ...examples['engine-crashed'], neededBytes: null, limitBytes: null };
    expect(errorMessage(killed).title).toContain('stored models are kept');
    expect(errorRecovery(killed)).toBe('reload-model');
  });
});

describe('a load that other tabs leave too little memory for', () => {
  it("names the other tab's model, both sizes, their sum and the limit, and offers Load anyway", () => {
    const message = errorMessage(examples['other-tabs-memory']);
    expect(message.title).toBe(
      "Another tab has Qwen3-4B-Q4_K_M loaded (about 2.5 GB). Loading Llama-3.2-3B-Q4_K_M (about 2.0 GB) too needs about 4.5 GB, more than this device's 4.3 GB of memory.",
    );
    expect(message.action).toContain('The browser may end a tab');
    expect(errorRecovery(examples['other-tabs-memory'])).toBe('load-anyway');
  });

  it("names every other tab's model", () => {
    const two = {
      ...examples['other-tabs-memory'],
      others: [
        { label: 'a', bytes: 1e9 },
        { label: 'b', bytes: 2e9 },
      ],
    };
    expect(errorMessage({ ...two, model: { label: 'new', bytes: 0 } }).title).toBe(
      "Other tabs have a, b loaded (about 3.0 GB), already more than this device's 4.3 GB of memory; loading new too needs more still.",
    );
    expect(errorMessage(two).title).toMatch(
      /^Other tabs have a, b loaded \(about 3\.0 GB\)\..*needs about 5\.0 GB, more than this device's 4\.3 GB of memory\.$/,
    );
  });
});
