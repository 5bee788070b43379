import type { LoadedModel, ModelMemory, SizedModel } from './engine-protocol.ts';

/**
 * A loaded model, made known to this origin's other tabs as a Web Lock held for as long as it is
 * loaded: `navigator.locks.query()` lists the locks held in every tab of the origin, and a lock
 * goes with the worker that holds it, so a closed or crashed tab stops counting by itself. The
 * name says all the other tabs need: `tab-llm:loaded-model:<holder>:<bytes>:<label>`, where
 * `holder` names one engine (one per tab), so that a tab can leave its own model out.
 */
const PREFIX = 'tab-llm:loaded-model:';

export interface AdvertisedModel extends SizedModel {
  /** The engine that holds the model: a random id, one per engine worker. */
  holder: string;
}

export const loadedModelLockName = ({ holder, bytes, label }: AdvertisedModel): string =>
  `${PREFIX}${holder}:${Math.round(bytes)}:${label}`;

/** The model a lock name advertises, or null for any other lock (or a malformed name). */
export function parseLoadedModelLock(name: string): AdvertisedModel | null {
  if (!name.startsWith(PREFIX)) return null;
  const match = /^([^:]+):(\d+):(.+)$/s.exec(name.slice(PREFIX.length));
  if (!match) return null;
  const [, holder = '', bytes = '', label = ''] = match;
  const size = Number(bytes);
  return Number.isSafeInteger(size) ? { holder, bytes: size, label } : null;
}

/** The models that engines other than `own` advertise among held locks' names. */
export function othersAdvertised(
  lockNames: readonly (string | undefined)[],
  own: string,
): AdvertisedModel[] {
  return lockNames
    .map((name) => (name === undefined ? null : parseLoadedModelLock(name)))
    .filter((model): model is AdvertisedModel => model !== null && model.holder !== own);
}

/** Weights, KV cache and compute buffers together; null when the engine reported none. */
export function measuredBytes(memory: ModelMemory): number | null {
  const known = [memory.weightsBytes, memory.kvCacheBytes, memory.computeBytes].filter(
    (bytes) => bytes !== null,
  );
  return known.length > 0 ? known.reduce((sum, bytes) => sum + bytes, 0) : null;
}

/**
 * The memory a loaded model takes, as well as this app knows it: what the engine measured, else
 * its file size (web-llm reports neither; then its weights, or 0).
 */
export const loadedModelBytes = (model: LoadedModel): number =>
  measuredBytes(model.memory) ?? model.sizeBytes ?? model.weights?.bytes ?? 0;
