import { proxy, wrap, type Remote } from 'comlink';
import type {
  DeviceReport,
  EngineApi,
  GenerateRequest,
  GenerationResult,
  LoadEvent,
  LoadOptions,
  LoadedModel,
  ModelSpec,
  OriginContact,
  Outcome,
  StoredModel,
  TokenEvent,
} from '../shared/engine-protocol.ts';

/**
 * The only module that talks to the inference worker. It turns AbortSignals into the worker's
 * cancel/stop calls, and makes sure a worker that dies never leaves a call hanging.
 */
export interface EngineClient {
  probe: (again?: boolean) => Promise<DeviceReport>;
  listStored: () => Promise<StoredModel[]>;
  deleteStored: (spec: ModelSpec) => Promise<Outcome<null>>;
  importLocal: (
    file: File,
    handlers: { signal: AbortSignal; onEvent: (event: LoadEvent) => void },
  ) => Promise<Outcome<ModelSpec>>;
  current: () => Promise<LoadedModel | null>;
  networkLog: () => Promise<OriginContact[]>;
  load: (
    spec: ModelSpec,
    options: LoadOptions,
    handlers: { signal: AbortSignal; onEvent: (event: LoadEvent) => void },
  ) => Promise<Outcome<LoadedModel>>;
  generate: (
    request: GenerateRequest,
    handlers: { signal: AbortSignal; onToken: (text: string) => void },
  ) => Promise<Outcome<GenerationResult>>;
}

interface Connection {
  remote: Remote<EngineApi>;
  /** Rejects when the worker fails (e.g. its script cannot load or it crashes). */
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

export function createEngineClient(
  startWorker: () => WorkerLike = startInferenceWorker,
): EngineClient {
  let connection: Connection | null = null;

  /** The worker starts on first use, and again after it died. */
  const connect = (): Connection => {
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
    failed.catch(() => undefined); // observed by `call`
    connection = { remote: wrap<EngineApi>(worker), failed };
    return connection;
  };

  const call = <T>(invoke: (remote: Remote<EngineApi>) => Promise<T>): Promise<T> => {
    const { remote, failed } = connect();
    return Promise.race([invoke(remote), failed]);
  };

  const guarded = async <T>(
    invoke: (remote: Remote<EngineApi>) => Promise<Outcome<T>>,
  ): Promise<Outcome<T>> => {
    try {
      return await call(invoke);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      return { ok: false, error: { kind: 'internal', detail } };
    }
  };

  return {
    probe: (again) => call((remote) => remote.probe(again)),
    listStored: () => call((remote) => remote.listStored()),
    deleteStored: (spec) => guarded((remote) => remote.deleteStored(spec)),

    importLocal: (file, { signal, onEvent }) =>
      guarded((remote) => {
        const cancel = () => void remote.cancelLoad();
        signal.addEventListener('abort', cancel, { once: true });
        const events = untilSettled(onEvent);
        return remote.importLocal(file, proxy(events.callback)).finally(() => {
          events.close();
          signal.removeEventListener('abort', cancel);
        });
      }),
    current: () => call((remote) => remote.current()),
    networkLog: () => call((remote) => remote.networkLog()),

    load: (spec, options, { signal, onEvent }) =>
      guarded((remote) => {
        const cancel = () => void remote.cancelLoad();
        signal.addEventListener('abort', cancel, { once: true });
        const events = untilSettled(onEvent);
        return remote.load(spec, options, proxy(events.callback)).finally(() => {
          events.close();
          signal.removeEventListener('abort', cancel);
        });
      }),

    generate: (request, { signal, onToken }) =>
      guarded((remote) => {
        const stop = () => void remote.stopGeneration();
        signal.addEventListener('abort', stop, { once: true });
        const tokens = untilSettled((event: TokenEvent) => onToken(event.text));
        return remote.generate(request, proxy(tokens.callback)).finally(() => {
          tokens.close();
          signal.removeEventListener('abort', stop);
        });
      }),
  };
}

/**
 * Passes events on until the call that streams them has settled, and drops any that come later:
 * the result is final, and a late token must not be appended to an answer that is already done.
 */
function untilSettled<T>(handler: (event: T) => void) {
  let open = true;
  return {
    callback: (event: T) => {
      if (open) handler(event);
    },
    close: () => {
      open = false;
    },
  };
}
