import type { AttentionShape } from '../../shared/memory-estimate.ts';

/**
 * Curated GGUF models on Hugging Face, each at the quantization levels its publisher offers.
 * Sizes are approximate (the listing's rounding); the download's own Content-Length is what the
 * progress bar uses. SHA-256s are not written here: the worker reads them from the repo's listing
 * on Hugging Face before downloading (see `hf-known-hashes.ts`), so they can never go stale.
 */
export interface GgufCatalogEntry {
  family: string;
  quantization: string;
  url: string;
  approxBytes: number;
  /** From the model's config (`num_hidden_layers`, `num_key_value_heads`, head size): the KV cache. */
  attention: AttentionShape;
}

const hf = (repo: string, file: string) => `https://huggingface.co/${repo}/resolve/main/${file}`;
const MB = 1_000_000;

const entry = (
  family: string,
  repo: string,
  attention: AttentionShape,
  files: [quantization: string, file: string, megabytes: number][],
): GgufCatalogEntry[] =>
  files.map(([quantization, file, megabytes]) => ({
    family,
    quantization,
    url: hf(repo, file),
    approxBytes: megabytes * MB,
    attention,
  }));

export const ggufCatalog: GgufCatalogEntry[] = [
  ...entry(
    'SmolLM2-360M-Instruct',
    'bartowski/SmolLM2-360M-Instruct-GGUF',
    { layers: 32, kvHeads: 5, headDim: 64 },
    [
      ['Q4_K_M', 'SmolLM2-360M-Instruct-Q4_K_M.gguf', 271],
      ['Q8_0', 'SmolLM2-360M-Instruct-Q8_0.gguf', 386],
      ['F16', 'SmolLM2-360M-Instruct-f16.gguf', 726],
    ],
  ),
  ...entry(
    'Qwen2.5-0.5B-Instruct',
    'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
    { layers: 24, kvHeads: 2, headDim: 64 },
    [
      ['Q4_K_M', 'qwen2.5-0.5b-instruct-q4_k_m.gguf', 491],
      ['Q8_0', 'qwen2.5-0.5b-instruct-q8_0.gguf', 676],
      ['F16', 'qwen2.5-0.5b-instruct-fp16.gguf', 1270],
    ],
  ),
  ...entry('Qwen3-0.6B', 'unsloth/Qwen3-0.6B-GGUF', { layers: 28, kvHeads: 8, headDim: 128 }, [
    ['Q4_K_M', 'Qwen3-0.6B-Q4_K_M.gguf', 397],
    ['Q8_0', 'Qwen3-0.6B-Q8_0.gguf', 639],
    ['F16', 'Qwen3-0.6B-F16.gguf', 1200],
  ]),
  // A reasoning model: it thinks (<think>…</think>) before it answers, whatever it is asked.
  ...entry(
    'DeepSeek-R1-Distill-Qwen-1.5B',
    'bartowski/DeepSeek-R1-Distill-Qwen-1.5B-GGUF',
    { layers: 28, kvHeads: 2, headDim: 128 },
    [
      ['Q4_K_M', 'DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf', 1120],
      ['Q8_0', 'DeepSeek-R1-Distill-Qwen-1.5B-Q8_0.gguf', 1890],
    ],
  ),
  ...entry(
    'Llama-3.2-1B-Instruct',
    'bartowski/Llama-3.2-1B-Instruct-GGUF',
    { layers: 16, kvHeads: 8, headDim: 64 },
    [
      ['Q4_K_M', 'Llama-3.2-1B-Instruct-Q4_K_M.gguf', 808],
      ['Q8_0', 'Llama-3.2-1B-Instruct-Q8_0.gguf', 1320],
      ['F16', 'Llama-3.2-1B-Instruct-f16.gguf', 2480],
    ],
  ),
];

/** A short name for a GGUF file from its URL: the file name without query or extension. */
export function ggufLabel(url: string): string {
  const path = url.split(/[?#]/)[0] ?? url;
  const name = path.slice(path.lastIndexOf('/') + 1);
  let file = name;
  try {
    file = decodeURIComponent(name);
  } catch {
    // A stray "%" (not an escape) is shown as it is, rather than failing the whole form.
  }
  return file.replace(/\.gguf$/i, '') || url;
}
