import { createEngineClient, inferenceWorker, type EngineConnection } from './engine-client.ts';
import { createEngineStore, type EngineStore } from './engine-store.ts';
import { createPreferenceStore, type PreferenceStore } from './preferences.ts';
import { createRunLog, type RunLog } from './run-log.ts';

/** Everything a page needs to run models: the engine's store, its run log, the preferences. */
export interface EngineServices {
  engine: EngineStore;
  runs: RunLog;
  preferences: PreferenceStore;
}

/**
 * The one way any page (the app, the embeddable widget) starts the engine: it connects to the
 * inference worker (or to `connect`), restores the preferences, then probes the device and
 * lists the stored models. Call it once per page, outside React's render.
 */
export function startEngine(
  connect: () => EngineConnection = inferenceWorker(),
  preferences: PreferenceStore = createPreferenceStore(),
): EngineServices {
  const runs = createRunLog();
  const engine = createEngineStore(createEngineClient(connect), { runs, preferences });
  void preferences.restore().finally(() => engine.start());
  return { engine, runs, preferences };
}
