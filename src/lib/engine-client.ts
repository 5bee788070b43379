import { transfer, wrap } from 'comlink';
import type {
  BenchmarkEvent,
  BenchmarkRequest,
  BenchmarkRun,
  BenchmarkStream,
  DeviceReport,
  EngineApi,
  EngineError,
  GenerateRequest,
  GenerateStream,
  GenerationResult,
  ImportStream,
  LoadEvent,
  LoadOptions,
  LoadStream,
  LoadedModel,
  LostModel,
  ModelOutcome,
  ModelSpec,
  OriginContact,
  Outcome,
  ScoreEvent,
  ScoreRequest,
  ScoreResult,
  ScoreStream,
  SizedModel,
  StoredModel,
  TokenEvent,
  TurnEvent,
} from '../shared/engine-protocol.ts';
import { describe } from '../shared/engine-failure.ts';
import {
  streamReceiver,
  type AnyStream,
  type EndOf,
  type EventOf,
} from '../shared/event-stream.ts';

/**
 * The only module that talks to the engine API: in the inference worker (`inferenceWorker`), or
 * in this thread (`inThread`, for tests and hosts that want no worker). It opens one port per
 * long operation, turns AbortSignals into a cancel on that port, and makes sure a worker that
 * dies never leaves a call hanging.
 */
export interface EngineClient {
  probe: (again?: boolean) => Promise<DeviceReport>;
  listStored: () => Promise<StoredModel[]>;
  deleteStored: (spec: ModelSpec) => Promise<Outcome<null>>;
  networkLog: () => Promise<OriginContact[]>;
  /** See `EngineApi.otherTabsModels`. */
  otherTabsModels: () => Promise<SizedModel[]>;
  unload: () => Promise<Outcome<null>>;
  /**
   * Settles when the engine drops its model by itself (see `EngineApi.lostModel`); rejects
   * when the worker dies first.
   */
  lostModel: () => Promise<LostModel>;
  importLocal: (file: File, handlers: LoadHandlers) => Promise<Outcome<ModelSpec>>;
  load: (
    spec: ModelSpec,
    options: LoadOptions,
    handlers: LoadHandlers,
  ) => Promise<ModelOutcome<LoadedModel>>;
  /** Loads a GGUF model from Blobs this thread read (see `EngineApi.loadFiles`). */
  loadFiles: (
    spec: ModelSpec,
    files: Blob[],
    options: LoadOptions,
    handlers: LoadHandlers,
  ) => Promise<ModelOutcome<LoadedModel>>;
  /** Resolves with the whole text (the streamed pieces joined) and how the run ended. */
  generate: (
    request: GenerateRequest,
    handlers: { signal: AbortSignal; onToken: (text: string) => void; onTurn?: OnTurn },
  ) => Promise<ModelOutcome<GenerationResult>>;
  score: (
    request: ScoreRequest,
    handlers: Handlers<ScoreEvent>,
  ) => Promise<ModelOutcome<ScoreResult>>;
  benchmark: (
    request: BenchmarkRequest,
    handlers: Handlers<BenchmarkEvent>,
  ) => Promise<ModelOutcome<BenchmarkRun[]>>;
}

export interface Handlers<E> {
  signal: AbortSignal;
  onEvent: (event: E) => void;
  onTurn?: OnTurn;
}

/** Told when a run has to wait for another tab's model (true), and when its turn comes (false). */
export type OnTurn = (waitingForTab: boolean) => void;

/** One handler for a run's events: its turn events go to `onTurn`, the rest to `onEvent`. */
const withTurns =
  <E extends object>(onEvent: (event: E) => void, onTurn: OnTurn | undefined) =>
  (event: E | TurnEvent) => {
    if ('waitingForTab' in event) onTurn?.(event.waitingForTab);
    else onEvent(event);
  };

export interface LoadHandlers {
  signal: AbortSignal;
  onEvent: (event: LoadEvent) => void;
}

/** An engine API to talk to, and a promise that rejects when it dies (a crashed worker). */
export interface EngineConnection {
  api: EngineApi;
  failed: Promise<never>;
}

/** What the client needs of a worker (a test passes a MessagePort dressed as one). */
export type WorkerLike = Pick<
  Worker,
  'postMessage' | 'addEventListener' | 'removeEventListener' | 'terminate'
>;

const startInferenceWorker = (): WorkerLike =>
  new Worker(new URL('../engine/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'inference',
  });

/** Connects to a worker that `expose()`s the engine API; a new one after it died. */
export function inferenceWorker(
  startWorker: () => WorkerLike = startInferenceWorker,
): () => EngineConnection {
  let connection: EngineConnection | null = null;
  return () => {
    if (connection) return connection;
    const worker = startWorker();
    const failed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        connection = null;
        worker.terminate();
        reject(new Error(event.message || 'The inference worker stopped.'));
      });
    });
    failed.catch(() => undefined); // observed by each call
    connection = { api: wrap<EngineApi>(worker), failed };
    return connection;
  };
}

/** The engine API in this thread: nothing to start, nothing that can die apart from the page. */
export const inThread =
  (api: EngineApi): (() => EngineConnection) =>
  () => ({ api, failed: new Promise<never>(() => undefined) });

/** The worker died under a call: whatever it held is gone (the next call starts a new one). */
const workerStopped = (cause: unknown): EngineError => ({
  kind: 'engine-crashed',
  detail: describe(cause),
  neededBytes: null,
  limitBytes: null,
});

/** A stopped engine holds no model any more. */
const modelGone = (error: EngineError) => ({ ok: false as const, error, loaded: null });

export function createEngineClient(
  connect: () => EngineConnection = inferenceWorker(),
): EngineClient {
  const call = <T>(invoke: (api: EngineApi) => Promise<T>): Promise<T> => {
    const { api, failed } = connect();
    return Promise.race([invoke(api), failed]);
  };

  /**
   * Runs one streamed operation on a port of its own. If the engine dies first, `orphaned` is
   * its outcome; a cancel reaches the engine through the port.
   */
  const stream = <M extends AnyStream>(
    start: (api: EngineApi, port: MessagePort) => Promise<void>,
    signal: AbortSignal,
    onEvent: (event: EventOf<M>) => void,
    orphaned: (error: EngineError) => EndOf<M>,
  ): Promise<EndOf<M>> => {
    const { api, failed } = connect();
    const { port1, port2 } = new MessageChannel();
    const receiver = streamReceiver<M>(port1, onEvent);
    const cancel = () => receiver.cancel();
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    const started = start(api, transfer(port2, [port2]));
    return Promise.race([receiver.outcome, started.then(() => receiver.outcome), failed])
      .catch((cause: unknown) => {
        receiver.close();
        return orphaned(workerStopped(cause));
      })
      .finally(() => signal.removeEventListener('abort', cancel));
  };

  return {
    probe: (again) => call((api) => api.probe(again)),
    listStored: () => call((api) => api.listStored()),
    deleteStored: (spec) =>
      call((api) => api.deleteStored(spec)).catch((cause: unknown): Outcome<null> => ({
        ok: false,
        error: workerStopped(cause),
      })),
    networkLog: () => call((api) => api.networkLog()),
    otherTabsModels: () => call((api) => api.otherTabsModels()),
    lostModel: () => call((api) => api.lostModel()),
    unload: () =>
      call((api) => api.unload()).catch((cause: unknown): Outcome<null> => ({
        ok: false,
        error: workerStopped(cause),
      })),

    importLocal: (file, { signal, onEvent }) =>
      stream<ImportStream>(
        (api, port) => api.importLocal(file, port),
        signal,
        onEvent,
        (error) => ({
          ok: false,
          error,
        }),
      ),

    load: (spec, options, { signal, onEvent }) =>
      stream<LoadStream>((api, port) => api.load(spec, options, port), signal, onEvent, modelGone),

    // Blobs are cloned by reference: the bytes stay where they are (on disk, for stored ones).
    loadFiles: (spec, files, options, { signal, onEvent }) =>
      stream<LoadStream>(
        (api, port) => api.loadFiles(spec, files, options, port),
        signal,
        onEvent,
        modelGone,
      ),

    async generate(request, { signal, onToken, onTurn }) {
      let text = '';
      const end = await stream<GenerateStream>(
        (api, port) => api.generate(request, port),
        signal,
        withTurns((token: TokenEvent) => {
          text += token.text;
          onToken(token.text);
        }, onTurn),
        modelGone,
      );
      return end.ok ? { ok: true, value: { ...end.value, text } } : end;
    },

    score: (request, { signal, onEvent, onTurn }) =>
      stream<ScoreStream>(
        (api, port) => api.score(request, port),
        signal,
        withTurns(onEvent, onTurn),
        modelGone,
      ),

    benchmark: (request, { signal, onEvent, onTurn }) =>
      stream<BenchmarkStream>(
        (api, port) => api.benchmark(request, port),
        signal,
        withTurns(onEvent, onTurn),
        modelGone,
      ),
  };
}
