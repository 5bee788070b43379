/**
 * The protocol between a host page (the loader, `embed.js`, on any site) and the widget page
 * (`widget.html`, on the app's origin, in a cross-origin iframe). Both sides import this module;
 * it carries types and the checks every message passes before it is read.
 *
 * 1. The host posts a `Hello` to the widget's window, addressed to the widget's origin (never
 *    `'*'`), transferring one end of a `MessageChannel`. The widget accepts it only from its
 *    parent window, from an origin the deployment allows, when the origin the hello declares is
 *    the one the browser reports (see `src/widget/host-bridge.ts`).
 * 2. Everything after that goes over the port: `HostMessage`s in, `WidgetMessage`s out. Only the
 *    page holding the other end can talk to the widget or hear it; a message on `window` from any
 *    other frame, window or origin gets no answer.
 *
 * Messages are structured clones that anyone could forge: each is read by `readHostMessage` or
 * `readWidgetMessage`, which accept only plain data of the expected shape within size limits,
 * and drop everything else.
 */
import type { ChatTurn, EngineError } from '../shared/engine-protocol.ts';

export const EMBED_PROTOCOL = 'tab-llm-embed';
export const EMBED_VERSION = 1;

/** Text in one message, all strings together (characters): a long document fits, a flood not. */
export const MAX_MESSAGE_CHARS = 1 << 20;
/** Values (strings, numbers, keys…) in one message: bounds the cost of reading it. */
export const MAX_MESSAGE_VALUES = 20_000;
/** Nesting depth of one message. */
export const MAX_DEPTH = 8;
/** Turns in one completion request. */
export const MAX_TURNS = 1000;
/** Ids are counters: small non-negative integers. */
const MAX_ID = 2 ** 31 - 1;

/** The first message, posted on `window`, with one `MessagePort` transferred. */
export interface Hello {
  protocol: typeof EMBED_PROTOCOL;
  version: typeof EMBED_VERSION;
  type: 'hello';
  /** The host page's origin as it claims it; it must equal the one the browser reports. */
  origin: string;
}

/** `availability` of Chrome's Prompt API, for the widget's model on this device. */
export type Availability = 'unavailable' | 'downloadable' | 'downloading' | 'available';

/** What a host asks for a completion. Absent settings take the widget's defaults. */
export interface CompletionParams {
  messages: ChatTurn[];
  /** 0 is greedy decoding; at most 2. */
  temperature: number | null;
  maxTokens: number | null;
}

export type HostCall =
  | { method: 'availability' }
  /** Ready the model: the visitor's grant, their consent to download, the load. */
  | { method: 'prepare' }
  | { method: 'complete'; params: CompletionParams };

export type HostMessage =
  | ({ type: 'call'; id: number } & HostCall)
  /** Stops call `id`: a completion ends (its text so far stays the host's), a wait is dropped. */
  | { type: 'cancel'; id: number };

/** Where the widget keeps models now (it says so to the visitor too). */
export type StorageKind =
  /** The widget's own storage, which the browser keeps apart per site that embeds it. */
  | 'partitioned'
  /** The app origin's own storage, through the Storage Access API. */
  | 'shared';

/** Errors of the host API: the widget's refusals, and every kind of the engine's errors. */
export type EmbedErrorKind =
  /** The visitor has not let this site use the model (or said no when asked). */
  | 'not-granted'
  /** The visitor withdrew this site's grant (in the app's Privacy panel or the widget). */
  | 'revoked'
  /** The visitor did not start the model (Not now). */
  | 'declined'
  /** The request broke the protocol (shape, size, a setting out of range). */
  | 'invalid-request'
  /** This browser cannot run the widget's model, or the widget is not configured. */
  | 'unavailable'
  | EngineError['kind'];

export interface EmbedError {
  kind: EmbedErrorKind;
  /** What happened, in words, as the widget tells the visitor. */
  message: string;
  /** The engine's error with all its fields, for an engine failure. */
  engine?: EngineError;
}

export interface CompletionResult {
  text: string;
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
}

export type CallResult =
  | { method: 'availability'; availability: Availability }
  | { method: 'prepare'; contextWindow: number; modelName: string }
  | { method: 'complete'; completion: CompletionResult };

export type WidgetMessage =
  | {
      type: 'welcome';
      version: typeof EMBED_VERSION;
      model: { name: string; sizeBytes: number | null };
      storage: StorageKind;
    }
  /** Download or load progress of a `prepare`, from 0 to 1. */
  | { type: 'progress'; id: number; loaded: number }
  /** A piece of a completion's answer (and of its reasoning, for a model that thinks). */
  | { type: 'chunk'; id: number; content: string; reasoning: string }
  | { type: 'done'; id: number; result: CallResult }
  | { type: 'failed'; id: number; error: EmbedError }
  /** The widget asks the visitor something (a grant, consent): a folded launcher should open. */
  | { type: 'attention' };

type Plain = Record<string, unknown>;

/**
 * Whether `value` is plain data (strings, finite numbers, booleans, null, arrays, objects whose
 * prototype is Object's or null) within the message limits. Anything a structured clone can carry
 * beyond that (Blobs, buffers, Maps, Dates, cycles) is refused.
 */
export function isPlainMessage(value: unknown): boolean {
  let chars = 0;
  let values = 0;
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number): boolean => {
    if (++values > MAX_MESSAGE_VALUES) return false;
    if (v === null || typeof v === 'boolean') return true;
    if (typeof v === 'number') return Number.isFinite(v);
    if (typeof v === 'string') {
      chars += v.length;
      return chars <= MAX_MESSAGE_CHARS;
    }
    if (typeof v !== 'object' || depth >= MAX_DEPTH || seen.has(v)) return false;
    seen.add(v);
    if (Array.isArray(v)) return v.every((item) => walk(item, depth + 1));
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.entries(v).every(([key, item]) => {
      chars += key.length;
      return chars <= MAX_MESSAGE_CHARS && walk(item, depth + 1);
    });
  };
  return walk(value, 0);
}

const isRecord = (v: unknown): v is Plain =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_ID;
const hasOnly = (record: Plain, keys: readonly string[]) =>
  Object.keys(record).every((key) => keys.includes(key));
const boundedString = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length <= max;

/** The `Hello` in a window message's data, or null when it is not one (of this version). */
export function readHello(data: unknown): Hello | null {
  if (!isRecord(data) || !hasOnly(data, ['protocol', 'version', 'type', 'origin'])) return null;
  if (data.protocol !== EMBED_PROTOCOL || data.version !== EMBED_VERSION) return null;
  if (data.type !== 'hello' || !boundedString(data.origin, 300)) return null;
  return { protocol: EMBED_PROTOCOL, version: EMBED_VERSION, type: 'hello', origin: data.origin };
}

function readTurn(v: unknown): ChatTurn | null {
  if (!isRecord(v) || !hasOnly(v, ['role', 'content'])) return null;
  const { role, content } = v;
  if (role !== 'system' && role !== 'user' && role !== 'assistant') return null;
  return typeof content === 'string' ? { role, content } : null;
}

/** A setting that may be absent (undefined or null), else a number within [min, max]. */
function optionalNumber(
  v: unknown,
  min: number,
  max: number,
  integer: boolean,
): number | null | false {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || v < min || v > max || (integer && !Number.isInteger(v)))
    return false;
  return v;
}

function readParams(v: unknown): CompletionParams | null {
  if (!isRecord(v) || !hasOnly(v, ['messages', 'temperature', 'maxTokens'])) return null;
  if (!Array.isArray(v.messages) || v.messages.length === 0 || v.messages.length > MAX_TURNS) {
    return null;
  }
  const messages = v.messages.map(readTurn);
  if (!messages.every((turn): turn is ChatTurn => turn !== null)) return null;
  const temperature = optionalNumber(v.temperature, 0, 2, false);
  const maxTokens = optionalNumber(v.maxTokens, 1, 1 << 20, true);
  if (temperature === false || maxTokens === false) return null;
  return { messages, temperature, maxTokens };
}

/** A host's message read off the port, or null: it is then dropped unanswered. */
export function readHostMessage(data: unknown): HostMessage | null {
  if (!isPlainMessage(data) || !isRecord(data) || !isId(data.id)) return null;
  const { id } = data;
  if (data.type === 'cancel') return hasOnly(data, ['type', 'id']) ? { type: 'cancel', id } : null;
  if (data.type !== 'call') return null;
  switch (data.method) {
    case 'availability':
    case 'prepare':
      return hasOnly(data, ['type', 'id', 'method'])
        ? { type: 'call', id, method: data.method }
        : null;
    case 'complete': {
      if (!hasOnly(data, ['type', 'id', 'method', 'params'])) return null;
      const params = readParams(data.params);
      return params && { type: 'call', id, method: 'complete', params };
    }
    default:
      return null;
  }
}

const AVAILABILITY: readonly string[] = ['unavailable', 'downloadable', 'downloading', 'available'];
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function readResult(v: unknown): CallResult | null {
  if (!isRecord(v)) return null;
  if (v.method === 'availability') {
    return typeof v.availability === 'string' && AVAILABILITY.includes(v.availability)
      ? { method: 'availability', availability: v.availability as Availability }
      : null;
  }
  if (v.method === 'prepare') {
    return isCount(v.contextWindow) && boundedString(v.modelName, 300)
      ? { method: 'prepare', contextWindow: v.contextWindow, modelName: v.modelName }
      : null;
  }
  const c = v.completion;
  if (v.method !== 'complete' || !isRecord(c) || typeof c.text !== 'string') return null;
  if (c.finishReason !== 'stop' && c.finishReason !== 'length') return null;
  if (!isCount(c.promptTokens) || !isCount(c.completionTokens)) return null;
  return {
    method: 'complete',
    completion: {
      text: c.text,
      finishReason: c.finishReason,
      promptTokens: c.promptTokens,
      completionTokens: c.completionTokens,
    },
  };
}

function readError(v: unknown): EmbedError | null {
  if (!isRecord(v) || !boundedString(v.kind, 64) || !/^[a-z0-9-]+$/.test(v.kind)) return null;
  if (!boundedString(v.message, 4000)) return null;
  // Kinds are checked by their spelling only: a newer widget may know kinds this loader does not.
  const error: EmbedError = { kind: v.kind as EmbedErrorKind, message: v.message };
  if (isRecord(v.engine) && v.engine.kind === v.kind) error.engine = v.engine as EngineError;
  return error;
}

/** A widget's message read off the port, or null: it is then ignored. */
export function readWidgetMessage(data: unknown): WidgetMessage | null {
  if (!isPlainMessage(data) || !isRecord(data)) return null;
  switch (data.type) {
    case 'welcome': {
      const model = data.model;
      if (data.version !== EMBED_VERSION || !isRecord(model)) return null;
      if (!boundedString(model.name, 300)) return null;
      if (model.sizeBytes !== null && !isCount(model.sizeBytes)) return null;
      if (data.storage !== 'partitioned' && data.storage !== 'shared') return null;
      return {
        type: 'welcome',
        version: EMBED_VERSION,
        model: { name: model.name, sizeBytes: model.sizeBytes },
        storage: data.storage,
      };
    }
    case 'attention':
      return { type: 'attention' };
    default:
      break;
  }
  if (!isId(data.id)) return null;
  const { id } = data;
  switch (data.type) {
    case 'progress':
      return typeof data.loaded === 'number' && data.loaded >= 0 && data.loaded <= 1
        ? { type: 'progress', id, loaded: data.loaded }
        : null;
    case 'chunk':
      return typeof data.content === 'string' && typeof data.reasoning === 'string'
        ? { type: 'chunk', id, content: data.content, reasoning: data.reasoning }
        : null;
    case 'done': {
      const result = readResult(data.result);
      return result && { type: 'done', id, result };
    }
    case 'failed': {
      const error = readError(data.error);
      return error && { type: 'failed', id, error };
    }
    default:
      return null;
  }
}
