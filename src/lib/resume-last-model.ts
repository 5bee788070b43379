import { modelKey } from '../shared/model-keys.ts';
import type { EngineStore } from './engine-store.ts';
import type { PreferenceStore } from './preferences.ts';

/**
 * What became of the last model when the app opened: `loaded` (from storage), `failed` (the
 * engine said why, in its state), `missing` (no longer stored: nothing is downloaded), `off`
 * (the setting is off, or no model was ever loaded), or `busy` (something else had started).
 */
export type ResumeOutcome = 'loaded' | 'failed' | 'missing' | 'off' | 'busy';

/** The stored, complete copy of the last model, if there is one. */
export function storedLastModel(engine: EngineStore, preferences: PreferenceStore) {
  const last = preferences.get().lastModel;
  if (!last) return null;
  return (
    engine
      .get()
      .stored.find((model) => model.status === 'complete' && modelKey(model.spec) === last.key) ??
    null
  );
}

/**
 * Loads the model used last, when the setting asks for it, from this browser's storage only:
 * a model that is not stored complete any more is not downloaded again (the UI says so; see
 * `storedLastModel`). Call it once the engine has started.
 */
export async function resumeLastModel(
  engine: EngineStore,
  preferences: PreferenceStore,
): Promise<ResumeOutcome> {
  const { autoLoadLast, lastModel } = preferences.get();
  if (!autoLoadLast || !lastModel) return 'off';
  const stored = storedLastModel(engine, preferences);
  if (!stored) return 'missing';
  const outcome = await engine.load(stored.spec);
  if (outcome.ok) return 'loaded';
  return outcome.error.kind === 'busy' ? 'busy' : 'failed';
}
