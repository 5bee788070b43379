import type { GgufPart, ModelSpec } from '../../shared/engine-protocol.ts';

export type GgufSpec = Extract<ModelSpec, { engine: 'gguf' }>;

/** The files of a GGUF model in order: every part of a split model, or the one file. */
export const partsOf = (spec: GgufSpec): GgufPart[] =>
  spec.parts && spec.parts.length > 0
    ? spec.parts
    : [{ url: spec.url, sizeBytes: null, sha256: null }];
