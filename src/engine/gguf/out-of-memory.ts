import { CONTEXT_SIZES, DEFAULT_CONTEXT_SIZE } from '../../shared/context-size.ts';
import type { EngineError, MemoryPart } from '../../shared/engine-protocol.ts';
import {
  estimateMemory,
  WLLAMA_HEAP_BYTES,
  type AttentionShape,
} from '../../shared/memory-estimate.ts';

/** What llama.cpp's log said about an allocation that failed while loading. */
export interface AllocationFailure {
  part: MemoryPart | null;
  /** The size it asked for, where the log says. */
  bytes: number | null;
}

const FAILED_SIZE = /failed to allocate (?:\S+ )?buffer of size (\d+)/;
/**
 * Which part it was, from llama.cpp's own words: the KV cache ("failed to allocate buffer for kv
 * cache"), the weights ("unable to allocate WebGPU buffer" while loading the model) or the compute
 * buffers. WebGPU's "pre-allocated tensor (cache_k_l0) in a buffer (WebGPU) that cannot run the
 * operation" is not one: it comes at any context, from an attention shape its kernels lack.
 */
const PARTS: readonly [RegExp, MemoryPart][] = [
  [/buffer for kv cache/i, 'kv-cache'],
  [/failed to allocate compute/i, 'working-buffers'],
  [/error loading model: unable to allocate/i, 'weights'],
];

/** Reads one log line into `failure` (a first clue of each kind wins); true if it said something. */
export function readAllocationClue(line: string, failure: AllocationFailure): boolean {
  const size = FAILED_SIZE.exec(line);
  if (size && failure.bytes === null) failure.bytes = Number(size[1]);
  const part = PARTS.find(([pattern]) => pattern.test(line))?.[1] ?? null;
  if (part && failure.part === null) failure.part = part;
  return Boolean(size ?? part);
}

export interface MemoryFacts {
  weightsBytes: number;
  attention: AttentionShape | null;
  contextSize: number;
  backend: 'webgpu' | 'cpu';
}

/**
 * The `out-of-memory` error for a load that failed to allocate: what it needed, the limit where
 * known, and a smaller context to offer. Only a context at most the app's default and under half
 * the failed one is offered (on a GPU, whose limit the page cannot know, half is the margin), and
 * only where the KV cache was the part that did not fit or its size is known: a smaller context
 * cannot shrink the weights.
 */
export function outOfMemory(failure: AllocationFailure, facts: MemoryFacts): EngineError {
  const { weightsBytes, attention, contextSize, backend } = facts;
  const part = failure.part ?? 'working-buffers';
  const neededBytes = estimateMemory(weightsBytes, attention, contextSize).totalBytes;
  const limitBytes = backend === 'cpu' ? WLLAMA_HEAP_BYTES : null;
  const budget = limitBytes ?? neededBytes / 2;
  const fitsContext =
    part === 'weights' || !attention
      ? null
      : ([...CONTEXT_SIZES]
          .reverse()
          .find(
            (size) =>
              size <= DEFAULT_CONTEXT_SIZE &&
              size <= contextSize / 2 &&
              estimateMemory(weightsBytes, attention, size).totalBytes <= budget,
          ) ?? null);
  return {
    kind: 'out-of-memory',
    part,
    backend,
    contextSize,
    neededBytes,
    limitBytes,
    fitsContext,
  };
}
