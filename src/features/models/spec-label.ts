import type { ModelSpec } from '../../lib/engine-protocol.ts';

export const specLabel = (spec: ModelSpec) => (spec.engine === 'gguf' ? spec.label : spec.modelId);

export const sameSpec = (a: ModelSpec, b: ModelSpec) =>
  a.engine === 'gguf'
    ? b.engine === 'gguf' && a.url === b.url
    : b.engine === 'mlc' && a.modelId === b.modelId;
