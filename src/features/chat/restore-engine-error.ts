import type { EngineError } from '../../shared/engine-protocol.ts';

type Check = (value: unknown) => boolean;

const text: Check = (value) => typeof value === 'string';
const count: Check = (value) => typeof value === 'number' && Number.isFinite(value);
const countOrNull: Check = (value) => value === null || count(value);
const texts: Check = (value) => Array.isArray(value) && value.every(text);
const sizedModel: Check = (value) =>
  typeof value === 'object' &&
  value !== null &&
  text((value as Record<string, unknown>).label) &&
  count((value as Record<string, unknown>).bytes);
const sizedModels: Check = (value) => Array.isArray(value) && value.every(sizedModel);
const oneOf =
  (...allowed: readonly unknown[]): Check =>
  (value) =>
    allowed.includes(value);

/**
 * Every field of every error kind, with the check its stored value must pass. Typed over
 * `EngineError`, so a new kind or field does not compile until it is listed here.
 */
const fieldsByKind: {
  [K in EngineError['kind']]: {
    [F in Exclude<keyof Extract<EngineError, { kind: K }>, 'kind'>]-?: Check;
  };
} = {
  'download-failed': { url: text, status: countOrNull, detail: text },
  'host-not-allowed': { url: text, allowedHosts: texts },
  'download-incomplete': {
    url: text,
    expectedBytes: count,
    receivedBytes: count,
    storedBytes: count,
  },
  'size-mismatch': { url: text, expectedBytes: count, actualBytes: count },
  'checksum-mismatch': { url: text, expectedSha256: text, actualSha256: text },
  'not-enough-storage': { neededBytes: count, availableBytes: count, quotaBytes: count },
  'not-gguf': { source: text },
  'unsupported-gguf-version': { source: text, version: count },
  'truncated-file': { source: text, expectedBytes: countOrNull, actualBytes: count },
  'malformed-gguf': { source: text, problem: text },
  'stored-model-damaged': { label: text, problem: text, local: oneOf(true, false) },
  'model-load-failed': { detail: text },
  'unknown-model': { modelId: text },
  'no-webgpu': { modelId: text },
  'needs-shader-f16': { modelId: text },
  'buffer-too-small': { modelId: text, requiredBytes: count, availableBytes: count },
  'storage-full': { detail: text, storedBytes: countOrNull },
  'model-in-use': { label: text },
  'context-overflow': { contextSize: count },
  'context-full': { promptTokens: count, reserveTokens: count, contextSize: count },
  'gpu-device-lost': { detail: text },
  'engine-crashed': { detail: text, neededBytes: countOrNull, limitBytes: countOrNull },
  'out-of-memory': {
    part: oneOf('weights', 'kv-cache', 'working-buffers'),
    backend: oneOf('webgpu', 'cpu'),
    contextSize: count,
    neededBytes: count,
    limitBytes: countOrNull,
    fitsContext: countOrNull,
  },
  'other-tabs-memory': {
    others: sizedModels,
    model: sizedModel,
    limitBytes: count,
  },
  'no-model-loaded': {},
  busy: { operation: oneOf('load', 'generate', 'measure') },
  cancelled: {},
  'generation-failed': { detail: text },
  'not-supported': { operation: text, engine: oneOf('gguf', 'mlc') },
  internal: { detail: text },
};

const isKind = (kind: unknown): kind is EngineError['kind'] =>
  typeof kind === 'string' && Object.hasOwn(fieldsByKind, kind);

/**
 * A stored answer's error, checked against the kinds and fields this version knows. A stored
 * chat outlives the code that wrote it: a kind renamed since, or a damaged record, becomes an
 * `internal` error that says so, because `errorMessage` only maps the kinds it knows.
 */
export function restoreEngineError(raw: unknown): EngineError {
  const stored = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const { kind } = stored;
  if (isKind(kind)) {
    const checks: Record<string, Check> = fieldsByKind[kind];
    const fields = Object.keys(checks);
    if (fields.every((field) => checks[field]?.(stored[field]))) {
      // Every field of this kind has just been checked, and only those are kept.
      return Object.fromEntries([
        ['kind', kind],
        ...fields.map((field) => [field, stored[field]]),
      ]) as EngineError;
    }
  }
  const name = typeof kind === 'string' ? `"${kind.slice(0, 40)}"` : 'with no kind';
  return {
    kind: 'internal',
    detail: `this answer failed earlier with an error (${name}) that this version of the app does not recognise.`,
  };
}
