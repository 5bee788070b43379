import type { ModelSpec } from './engine-protocol.ts';

/**
 * The small rules that name a model, written once for both threads: its storage key, the label a
 * person sees, and the Web Lock that lets only one tab download it.
 */

/** A model's key in every store that is keyed by model (usage, library rows). */
export const modelKey = (spec: ModelSpec): string =>
  spec.engine === 'gguf' ? `gguf:${spec.url}` : `mlc:${spec.modelId}`;

export const modelLabel = (spec: ModelSpec): string =>
  spec.engine === 'gguf' ? spec.label : spec.modelId;

export const sameModel = (a: ModelSpec, b: ModelSpec): boolean => modelKey(a) === modelKey(b);

/** The Web Lock held by the one tab that downloads (or deletes) a GGUF model at `url`. */
export const downloadLockName = (url: string): string => `tab-llm-download:${url}`;
