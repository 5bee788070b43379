import type { StorageKind } from '../embed/embed-protocol.ts';
import type {
  LoadedModel,
  ModelOutcome,
  ModelSpec,
  StoredModel,
} from '../shared/engine-protocol.ts';
import { GRANTS_DB, createGrantStore, type GrantStore } from '../lib/embed-grants.ts';
import { loadedModel } from '../lib/engine-lifecycle.ts';
import type { EngineStore } from '../lib/engine-store.ts';
import { createExternalStore, type ExternalStore } from '../lib/external-store.ts';
import { storeIn } from '../shared/idb-store.ts';
import { modelKey, sameModel } from '../shared/model-keys.ts';
import type { HostConnection } from './host-bridge.ts';
import { readSharedModel, type SharedStorageAccess } from './shared-storage.ts';
import type { WidgetConfig } from './widget-config.ts';

/**
 * The widget's own state, beside the engine's: the visitor's consent to start the model, a site's
 * pending request to use it, where models are kept, and the host page connected. The visitor
 * decides everything here; a host page can only ask, and wait.
 */
export interface WidgetSnapshot {
  /** The consent card: shown, answered with Start, or folded with Not now. */
  consent: 'asking' | 'given' | 'declined';
  /** The site whose call waits for the visitor to start the model, if any. */
  startRequestedBy: string | null;
  /** A site asking to use the model through the host API, until the visitor answers. */
  grantAsk: string | null;
  /** The connected host page and its grant in the store in use. */
  host: { origin: string; grant: 'granted' | 'revoked' | null } | null;
  storage: StorageKind;
  /** What came of the visitor's request to use the app's own storage. */
  storageNote: string | null;
  /** Asking the browser for the app's own storage, and reading the model there. */
  sharing: boolean;
}

export type GrantAnswer = 'granted' | 'revoked' | 'denied' | 'aborted';

export interface WidgetController extends ExternalStore<WidgetSnapshot> {
  readonly config: WidgetConfig;
  /**
   * The visitor's Download and start (or Start, or Try again): loads the model, warning first
   * when other tabs' models leave too little memory (see `EngineStore.load`), unless the visitor
   * chose to load it `despiteOtherTabs`.
   */
  start: (choice?: { despiteOtherTabs?: boolean }) => Promise<ModelOutcome<LoadedModel>>;
  /** The visitor's Not now: calls waiting for the model end with `declined`. */
  decline: () => void;
  /** The visitor's "use the copy stored on the app": storage access, then the model from there. */
  useSharedStorage: () => Promise<void>;
  /** The grants in the store in use (the app's own, once storage access was given). */
  grants: () => GrantStore;
  /** The visitor's answer to a site's request. */
  answerGrant: (allow: boolean) => void;
  /** The visitor withdraws the connected site's grant. */
  revokeHost: () => Promise<void>;
  /** Resolves once the model is loaded (or failed to load), asking the visitor to start it. */
  whenStarted: (
    origin: string,
    signal: AbortSignal,
  ) => Promise<ModelOutcome<LoadedModel> | 'declined' | 'aborted'>;
  /** Asks the visitor, unless the site's grant (or refusal) is known. */
  askGrant: (origin: string, signal: AbortSignal) => Promise<GrantAnswer>;
  setHost: (connection: HostConnection | null) => void;
}

export interface WidgetParts {
  engine: EngineStore;
  config: WidgetConfig;
  /** Grants where no storage access was given (this frame's own, maybe partitioned, store). */
  grants: GrantStore;
  storage: StorageKind;
  requestSharedStorage: () => Promise<SharedStorageAccess>;
  /** For tests: the app storage's model files (reads IndexedDB through the handle by default). */
  readShared?: typeof readSharedModel;
}

/** Resolves with `value`, or with 'aborted' once `signal` aborts. */
function untilAborted<T>(
  signal: AbortSignal,
  wait: (settle: (value: T | 'aborted') => void) => () => void,
): Promise<T | 'aborted'> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve('aborted');
      return;
    }
    let forget: () => void = () => undefined;
    const settle = (value: T | 'aborted') => {
      signal.removeEventListener('abort', onAbort);
      forget();
      resolve(value);
    };
    const onAbort = () => settle('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    forget = wait(settle);
  });
}

export function createWidgetController({
  engine,
  config,
  grants: ownGrants,
  storage,
  requestSharedStorage,
  readShared = readSharedModel,
}: WidgetParts): WidgetController {
  const store = createExternalStore<WidgetSnapshot>({
    consent: 'asking',
    startRequestedBy: null,
    grantAsk: null,
    host: null,
    storage,
    storageNote: null,
    sharing: false,
  });
  let grants = ownGrants;
  let sharedFiles: Blob[] | null = null;
  let connection: HostConnection | null = null;
  let loadRun: Promise<ModelOutcome<LoadedModel>> | null = null;
  const startWaiters = new Set<(outcome: ModelOutcome<LoadedModel> | 'declined') => void>();
  const grantWaiters = new Set<(allow: boolean) => void>();
  /** Sites the visitor said no to in this page: asked once, not again until a reload. */
  const denied = new Set<string>();

  const ours = (): LoadedModel | null => {
    const model = loadedModel(engine.get().state);
    return model && sameModel(model.spec, config.model) ? model : null;
  };

  const refreshHostGrant = async () => {
    const origin = connection?.origin;
    if (!origin) return;
    const grant = await grants.get(origin).catch(() => null);
    store.set((s) =>
      s.host?.origin === origin ? { ...s, host: { origin, grant: grant?.state ?? null } } : s,
    );
  };

  const start = (
    choice: { despiteOtherTabs?: boolean } = {},
  ): Promise<ModelOutcome<LoadedModel>> => {
    store.set((s) => ({ ...s, consent: 'given', startRequestedBy: null }));
    if (loadRun) return loadRun;
    const model = ours();
    const run = model
      ? Promise.resolve<ModelOutcome<LoadedModel>>({ ok: true, value: model })
      : sharedFiles
        ? engine.loadFiles(config.model, sharedFiles, choice)
        : engine.load(config.model, choice);
    loadRun = run;
    void run.then((outcome) => {
      loadRun = null;
      for (const waiter of startWaiters) waiter(outcome);
      startWaiters.clear();
    });
    return run;
  };

  return {
    ...store,
    config,
    start,

    decline() {
      store.set((s) => ({ ...s, consent: 'declined', startRequestedBy: null }));
      for (const waiter of startWaiters) waiter('declined');
      startWaiters.clear();
    },

    async useSharedStorage() {
      store.set((s) => ({ ...s, sharing: true, storageNote: null }));
      const access = await requestSharedStorage();
      if (!access.ok) {
        store.set((s) => ({
          ...s,
          sharing: false,
          storageNote: `The browser did not open the app's storage (${access.reason}). Models are kept for this site only.`,
        }));
        return;
      }
      // The visitor's grants now go where the app's Privacy panel lists them.
      grants = createGrantStore(storeIn(access.indexedDB, GRANTS_DB, 'grants'));
      void refreshHostGrant();
      const files = await readShared(access.indexedDB, config.model).catch(() => null);
      if (!files) {
        store.set((s) => ({
          ...s,
          sharing: false,
          storageNote: `${location.host} has no copy of ${config.name} yet: it downloads into this site's storage.`,
        }));
        return;
      }
      sharedFiles = files;
      store.set((s) => ({ ...s, sharing: false, storage: 'shared' }));
      // The click was the visitor's choice to start with that copy.
      if (!ours()) await start();
    },

    grants: () => grants,

    answerGrant(allow) {
      for (const waiter of grantWaiters) waiter(allow);
      grantWaiters.clear();
    },

    async revokeHost() {
      const origin = connection?.origin;
      if (!origin) return;
      await grants.revoke(origin);
      await refreshHostGrant();
    },

    async whenStarted(origin, signal) {
      const model = ours();
      if (model) return { ok: true, value: model };
      if (loadRun)
        return untilAborted(signal, (settle) => {
          void loadRun?.then(settle);
          return () => undefined;
        });
      store.set((s) => ({ ...s, consent: 'asking', startRequestedBy: origin }));
      connection?.attention();
      return untilAborted(signal, (settle) => {
        startWaiters.add(settle);
        return () => {
          startWaiters.delete(settle);
          store.set((s) => (s.startRequestedBy === origin ? { ...s, startRequestedBy: null } : s));
        };
      });
    },

    async askGrant(origin, signal) {
      const known = await grants.get(origin);
      if (known) return known.state;
      if (denied.has(origin)) return 'denied';
      store.set((s) => ({ ...s, grantAsk: origin }));
      connection?.attention();
      const answer = await untilAborted<boolean>(signal, (settle) => {
        grantWaiters.add(settle);
        return () => grantWaiters.delete(settle);
      });
      store.set((s) => (s.grantAsk === origin ? { ...s, grantAsk: null } : s));
      if (answer === 'aborted') return 'aborted';
      if (!answer) {
        denied.add(origin);
        return 'denied';
      }
      await grants.grant(origin);
      await refreshHostGrant();
      return 'granted';
    },

    setHost(next) {
      connection = next;
      store.set((s) => ({
        ...s,
        host: next ? { origin: next.origin, grant: null } : null,
        grantAsk: null,
      }));
      void refreshHostGrant();
    },
  };
}

/** Whether `spec` is stored whole among `stored` (the engine's list of the store in use). */
export const isStored = (stored: readonly StoredModel[], spec: ModelSpec): boolean =>
  stored.some((m) => m.status === 'complete' && modelKey(m.spec) === modelKey(spec));
