import type { LoadedModel, SizedModel } from '../shared/engine-protocol.ts';
import {
  loadedModelBytes,
  loadedModelLockName,
  othersAdvertised,
} from '../shared/loaded-model-lock.ts';
import { modelLabel } from '../shared/model-keys.ts';

/** This engine among the origin's tabs (one engine per tab), so that it can leave itself out. */
const holder = crypto.randomUUID();

/**
 * Holds the lock that tells the origin's other tabs that `model` is loaded here, until the
 * returned function is called (the model unloaded). Without Web Locks nothing is advertised.
 */
export function advertiseLoaded(model: LoadedModel): () => void {
  if (!('locks' in navigator)) return () => undefined;
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const name = loadedModelLockName({
    holder,
    bytes: loadedModelBytes(model),
    label: modelLabel(model.spec),
  });
  void navigator.locks
    .request(name, () => released)
    .catch((cause: unknown) => {
      console.warn('could not advertise the loaded model to other tabs', cause);
    });
  return release;
}

/** The models that other tabs of this origin hold now (empty without Web Locks). */
export async function otherTabsModels(): Promise<SizedModel[]> {
  if (!('locks' in navigator)) return [];
  const { held = [] } = await navigator.locks.query();
  return othersAdvertised(
    held.map((lock) => lock.name),
    holder,
  ).map(({ label, bytes }) => ({ label, bytes }));
}
