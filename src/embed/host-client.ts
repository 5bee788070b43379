/**
 * The host API, as a host page's script uses it: a connection to one widget frame over the
 * `MessageChannel` of the handshake, with an OpenAI-shaped `chat.completions.create` and the shape
 * of Chrome's built-in Prompt API (`LanguageModel`). It runs on other sites (bundled into
 * `embed.js`), so it imports nothing but the protocol.
 */
import type { ChatTurn } from '../shared/engine-protocol.ts';
import {
  EMBED_PROTOCOL,
  EMBED_VERSION,
  readWidgetMessage,
  type Availability,
  type CallResult,
  type CompletionResult,
  type EmbedError,
  type EmbedErrorKind,
  type Hello,
  type HostCall,
  type HostMessage,
  type StorageKind,
  type WidgetMessage,
} from './embed-protocol.ts';

/** A failure of the host API: `kind` says which (see `EmbedErrorKind`), the message in words. */
export class TabLlmError extends Error {
  override name = 'TabLlmError';
  readonly kind: EmbedErrorKind;
  readonly engine: EmbedError['engine'];
  constructor(error: EmbedError) {
    super(error.message);
    this.kind = error.kind;
    this.engine = error.engine;
  }
}

const aborted = () => new DOMException('The request was aborted.', 'AbortError');

type Welcome = Extract<WidgetMessage, { type: 'welcome' }>;

interface CallHandlers {
  signal?: AbortSignal | undefined;
  onProgress?: (loaded: number) => void;
  onChunk?: (content: string, reasoning: string) => void;
}

/** Calls over the port, each with its id; the widget's messages go to the call they name. */
function createChannel(port: MessagePort, onAttention: () => void) {
  let nextId = 1;
  const calls = new Map<number, (message: WidgetMessage) => void>();
  port.onmessage = (event) => {
    const message = readWidgetMessage(event.data);
    if (!message) return;
    if (message.type === 'attention') onAttention();
    else if ('id' in message) calls.get(message.id)?.(message);
  };
  const post = (message: HostMessage) => port.postMessage(message);

  return {
    call(call: HostCall, { signal, onProgress, onChunk }: CallHandlers = {}): Promise<CallResult> {
      const id = nextId++;
      return new Promise<CallResult>((resolve, reject) => {
        if (signal?.aborted) {
          reject(aborted());
          return;
        }
        const settle = () => {
          calls.delete(id);
          signal?.removeEventListener('abort', cancel);
        };
        const cancel = () => {
          settle();
          post({ type: 'cancel', id });
          reject(aborted());
        };
        signal?.addEventListener('abort', cancel, { once: true });
        calls.set(id, (message) => {
          if (message.type === 'progress') onProgress?.(message.loaded);
          else if (message.type === 'chunk') onChunk?.(message.content, message.reasoning);
          else if (message.type === 'done') {
            settle();
            resolve(message.result);
          } else if (message.type === 'failed') {
            settle();
            reject(new TabLlmError(message.error));
          }
        });
        post({ type: 'call', id, ...call });
      });
    },
    close() {
      port.close();
      calls.clear();
    },
  };
}

type Channel = ReturnType<typeof createChannel>;

/**
 * Sends the hello to `frame` until the widget welcomes the latest one (the first may arrive
 * before the widget listens: a lost message costs nothing, the next one goes). The widget takes
 * the newest port of a hello it accepts, so only the latest hello's welcome counts.
 */
function handshake(
  frame: HTMLIFrameElement,
  widgetOrigin: string,
  timeoutMs: number,
): Promise<{ port: MessagePort; welcome: Welcome }> {
  return new Promise((resolve, reject) => {
    let latest: MessagePort | null = null;
    const attempt = () => {
      const target = frame.contentWindow;
      if (!target) return;
      latest?.close();
      const { port1, port2 } = new MessageChannel();
      latest = port1;
      port1.onmessage = (event) => {
        const message = readWidgetMessage(event.data);
        if (port1 !== latest || message?.type !== 'welcome') return;
        finish();
        port1.onmessage = null;
        resolve({ port: port1, welcome: message });
      };
      const hello: Hello = {
        protocol: EMBED_PROTOCOL,
        version: EMBED_VERSION,
        type: 'hello',
        origin: location.origin,
      };
      // Addressed to the widget's origin: while the frame shows anything else (still loading,
      // or an error page where embedding is not allowed), the browser drops it.
      target.postMessage(hello, widgetOrigin, [port2]);
    };
    const retry = setInterval(attempt, 500);
    const timeout = setTimeout(() => {
      finish();
      latest?.close();
      reject(
        new TabLlmError({
          kind: 'unavailable',
          message:
            'The Tab LLM widget did not answer: it may not be allowed on this site, or it could not load.',
        }),
      );
    }, timeoutMs);
    function finish() {
      clearInterval(retry);
      clearTimeout(timeout);
      frame.removeEventListener('load', attempt);
    }
    frame.addEventListener('load', attempt);
    attempt();
  });
}

/** One piece of a streamed completion, as OpenAI's API sends it. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: [
    {
      index: 0;
      delta: { role?: 'assistant'; content?: string; reasoning_content?: string };
      finish_reason: 'stop' | 'length' | null;
    },
  ];
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [
    {
      index: 0;
      message: { role: 'assistant'; content: string };
      finish_reason: 'stop' | 'length';
    },
  ];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface ChatCompletionParams {
  messages: ChatTurn[];
  stream?: boolean;
  temperature?: number | null;
  max_tokens?: number | null;
  /** Either here or in the second argument, as OpenAI's SDK takes it. */
  signal?: AbortSignal;
  /** Ignored: the widget runs the model its page was configured with. */
  model?: string;
}

export interface PromptOptions {
  signal?: AbortSignal;
}

export interface LanguageModelCreateOptions {
  initialPrompts?: ChatTurn[];
  temperature?: number;
  signal?: AbortSignal;
  /** Receives an EventTarget that fires `downloadprogress` events (`loaded` from 0 to 1). */
  monitor?: (monitor: EventTarget) => void;
}

/** A session in the shape of Chrome's Prompt API: it keeps the conversation. */
export interface LanguageModelSession {
  readonly contextWindow: number;
  /** The same number, as older versions of Chrome's API call it. */
  readonly inputQuota: number;
  prompt: (input: string | ChatTurn[], options?: PromptOptions) => Promise<string>;
  promptStreaming: (input: string | ChatTurn[], options?: PromptOptions) => ReadableStream<string>;
  destroy: () => void;
}

/** What a host page gets from `connect()`. */
export interface TabLlmClient {
  /** The widget's model, and where the widget keeps models. */
  model: { name: string; sizeBytes: number | null };
  storage: StorageKind;
  chat: {
    completions: {
      create: {
        (
          params: ChatCompletionParams & { stream: true },
          options?: PromptOptions,
        ): Promise<AsyncIterable<ChatCompletionChunk>>;
        (
          params: ChatCompletionParams & { stream?: false },
          options?: PromptOptions,
        ): Promise<ChatCompletion>;
      };
    };
  };
  LanguageModel: {
    availability: () => Promise<Availability>;
    create: (options?: LanguageModelCreateOptions) => Promise<LanguageModelSession>;
  };
  /** Ends the connection; calls under way fail. */
  close: () => void;
}

function completionOf(result: CallResult): CompletionResult {
  if (result.method !== 'complete') throw new TypeError('the widget answered another call');
  return result.completion;
}

/**
 * Streams one completion: `onChunk` hears each piece, the promise its end. Pieces and the end
 * come in order on one port, so the end never overtakes a piece.
 */
function streamCompletion(
  channel: Channel,
  params: ChatCompletionParams,
  signal: AbortSignal | undefined,
): AsyncIterable<{ content: string; reasoning: string } | CompletionResult> {
  const queue: ({ content: string; reasoning: string } | CompletionResult)[] = [];
  let failure: Error | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const stop = new AbortController();
  const abortFromCaller = () => stop.abort();
  signal?.addEventListener('abort', abortFromCaller, { once: true });
  if (signal?.aborted) stop.abort();
  const notify = () => {
    wake?.();
    wake = null;
  };
  channel
    .call(
      {
        method: 'complete',
        params: {
          messages: params.messages,
          temperature: params.temperature ?? null,
          maxTokens: params.max_tokens ?? null,
        },
      },
      {
        signal: stop.signal,
        onChunk: (content, reasoning) => {
          queue.push({ content, reasoning });
          notify();
        },
      },
    )
    .then(
      (result) => queue.push(completionOf(result)),
      (cause: unknown) => (failure = cause instanceof Error ? cause : new Error(String(cause))),
    )
    .finally(() => {
      ended = true;
      signal?.removeEventListener('abort', abortFromCaller);
      notify();
    });

  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const next = queue.shift();
          if (next) {
            yield next;
            continue;
          }
          if (ended) {
            if (failure !== null) throw failure;
            return;
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        // Leaving the loop early (break, return, a throw in the loop body) stops the answer.
        if (!ended) stop.abort();
      }
    },
  };
}

export interface ConnectOptions {
  /** How long to wait for the widget's welcome (default 15 s). */
  timeoutMs?: number;
  /** The widget asks the visitor something: show it (a folded launcher opens). */
  onAttention?: () => void;
}

/**
 * Connects to the widget in `frame`, whose page is on `widgetOrigin`.
 *
 * @throws TabLlmError `unavailable` when the widget does not answer within `timeoutMs` (it is not
 * allowed on this site, or it could not load).
 */
export async function connectToFrame(
  frame: HTMLIFrameElement,
  widgetOrigin: string,
  options: ConnectOptions = {},
): Promise<TabLlmClient> {
  const { timeoutMs = 15_000, onAttention = () => undefined } = options;
  const { port, welcome } = await handshake(frame, widgetOrigin, timeoutMs);
  const channel = createChannel(port, onAttention);
  const modelName = welcome.model.name;
  const created = () => Math.floor(Date.now() / 1000);
  const newId = () => `chatcmpl-${crypto.randomUUID()}`;

  async function create(
    params: ChatCompletionParams,
    options: PromptOptions = {},
  ): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion> {
    const signal = options.signal ?? params.signal;
    const id = newId();
    const pieces = streamCompletion(channel, params, signal);
    if (params.stream) {
      return {
        async *[Symbol.asyncIterator]() {
          const chunk = (
            delta: ChatCompletionChunk['choices'][0]['delta'],
            finish: 'stop' | 'length' | null,
          ): ChatCompletionChunk => ({
            id,
            object: 'chat.completion.chunk',
            created: created(),
            model: modelName,
            choices: [{ index: 0, delta, finish_reason: finish }],
          });
          for await (const piece of pieces) {
            if ('text' in piece) yield chunk({}, piece.finishReason);
            else {
              yield chunk(
                {
                  role: 'assistant',
                  ...(piece.content && { content: piece.content }),
                  ...(piece.reasoning && { reasoning_content: piece.reasoning }),
                },
                null,
              );
            }
          }
        },
      };
    }
    let result: CompletionResult | null = null;
    for await (const piece of pieces) if ('text' in piece) result = piece;
    if (!result) throw new TypeError('the widget ended without an answer');
    return {
      id,
      object: 'chat.completion',
      created: created(),
      model: modelName,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: result.text },
          finish_reason: result.finishReason,
        },
      ],
      usage: {
        prompt_tokens: result.promptTokens,
        completion_tokens: result.completionTokens,
        total_tokens: result.promptTokens + result.completionTokens,
      },
    };
  }

  const asTurns = (input: string | ChatTurn[]): ChatTurn[] =>
    typeof input === 'string' ? [{ role: 'user', content: input }] : input;

  async function createSession(
    options: LanguageModelCreateOptions = {},
  ): Promise<LanguageModelSession> {
    const monitor = new EventTarget();
    options.monitor?.(monitor);
    const progress = (loaded: number) =>
      monitor.dispatchEvent(Object.assign(new Event('downloadprogress'), { loaded, total: 1 }));
    progress(0);
    const prepared = await channel.call(
      { method: 'prepare' },
      { signal: options.signal, onProgress: progress },
    );
    if (prepared.method !== 'prepare') throw new TypeError('the widget answered another call');
    progress(1);
    let history: ChatTurn[] = [...(options.initialPrompts ?? [])];
    const destroyed = new AbortController();
    const temperature = options.temperature ?? null;
    /** Prompts of one session run one after another, each on the history the last one left. */
    let queue: Promise<unknown> = Promise.resolve();

    const run = (
      input: string | ChatTurn[],
      signal: AbortSignal | undefined,
      onPiece: (content: string) => void,
    ): Promise<string> => {
      const next = queue.then(async () => {
        if (destroyed.signal.aborted) {
          throw new DOMException('The session was destroyed.', 'InvalidStateError');
        }
        const messages = [...history, ...asTurns(input)];
        const both = signal ? AbortSignal.any([signal, destroyed.signal]) : destroyed.signal;
        let text = '';
        for await (const piece of streamCompletion(channel, { messages, temperature }, both)) {
          if ('text' in piece) text = piece.text;
          else if (piece.content) onPiece(piece.content);
        }
        history = [...messages, { role: 'assistant', content: text }];
        return text;
      });
      queue = next.catch(() => undefined);
      return next;
    };

    return {
      contextWindow: prepared.contextWindow,
      inputQuota: prepared.contextWindow,
      prompt: (input, { signal } = {}) => run(input, signal, () => undefined),
      promptStreaming(input, { signal } = {}) {
        const stop = new AbortController();
        return new ReadableStream<string>({
          start(controller) {
            const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
            run(input, both, (piece) => controller.enqueue(piece)).then(
              () => controller.close(),
              (cause: unknown) => controller.error(cause),
            );
          },
          cancel() {
            stop.abort();
          },
        });
      },
      destroy: () => destroyed.abort(),
    };
  }

  return {
    model: welcome.model,
    storage: welcome.storage,
    chat: { completions: { create: create as TabLlmClient['chat']['completions']['create'] } },
    LanguageModel: {
      async availability() {
        const result = await channel.call({ method: 'availability' });
        if (result.method !== 'availability')
          throw new TypeError('the widget answered another call');
        return result.availability;
      },
      create: createSession,
    },
    close: () => channel.close(),
  };
}
