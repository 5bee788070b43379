import { createEngineClient, inferenceWorker, type EngineConnection } from './engine-client.ts';
import { createEngineStore, type EngineStore } from './engine-store.ts';
import { createPreferenceStore, type PreferenceStore } from './preferences.ts';
import { resumeLastModel, type ResumeOutcome } from './resume-last-model.ts';
import { createRunLog, type RunLog } from './run-log.ts';

/** Everything a page needs to run models: the engine's store, its run log, the preferences. */
export interface EngineServices {
  engine: EngineStore;
  runs: RunLog;
  preferences: PreferenceStore;
  /**
   * Settles once the engine has started and, where the preference asks for it, the last model
   * has been loaded again from storage (or found missing).
   */
  started: Promise<ResumeOutcome>;
}

export interface StartOptions {
  /** Load the last model from storage once started, if the preference says so (default). */
  resumeLast?: boolean;
}

/**
 * The one way any page (the app, the embeddable widget) starts the engine: it connects to the
 * inference worker (or to `connect`), restores the preferences, then probes the device, lists
 * the stored models and reopens the last model. Call it once per page, outside React's render.
 */
export function startEngine(
  connect: () => EngineConnection = inferenceWorker(),
  preferences: PreferenceStore = createPreferenceStore(),
  { resumeLast = true }: StartOptions = {},
): EngineServices {
  const runs = createRunLog();
  const engine = createEngineStore(createEngineClient(connect), { runs, preferences });
  const started = preferences
    .restore()
    .finally(() => engine.start())
    .then(() => (resumeLast ? resumeLastModel(engine, preferences) : 'off'));
  return { engine, runs, preferences, started };
}
