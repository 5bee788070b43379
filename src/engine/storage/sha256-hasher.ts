import { createSHA256 } from 'hash-wasm';
import type { HashProgress } from '../../shared/shard-store.ts';

/**
 * A running SHA-256 of a file whose chunks arrive in order. `hash-wasm` is incremental and can
 * save and restore its state, so a resumed download continues the hash where it stopped.
 */
export interface ChunkHasher {
  /** Hashes the next bytes; the hasher may keep (and detach) `bytes`. */
  update: (bytes: Uint8Array<ArrayBuffer>) => void;
  /** The latest saved state and how many bytes it covers (it may lag behind `update`). */
  progress: () => HashProgress;
  /** The hex digest of every byte given, once all are hashed. */
  digest: () => Promise<string>;
  close: () => void;
}

export type { HashProgress };

/** The hashing core, shared by the in-thread hasher and the hash worker. */
export async function sha256Core(resumeFrom: HashProgress) {
  const hasher = await createSHA256();
  if (resumeFrom.state) hasher.load(resumeFrom.state);
  else hasher.init();
  let hashedBytes = resumeFrom.state ? resumeFrom.hashedBytes : 0;
  return {
    update(bytes: Uint8Array): HashProgress {
      hasher.update(bytes);
      hashedBytes += bytes.byteLength;
      return { hashedBytes, state: hasher.save() };
    },
    digest: () => hasher.digest('hex'),
  };
}

/** Hashes in this thread: for tests, and where a nested worker cannot start. */
export async function inThreadHasher(resumeFrom: HashProgress): Promise<ChunkHasher> {
  const core = await sha256Core(resumeFrom);
  let latest: HashProgress = resumeFrom.state ? resumeFrom : { hashedBytes: 0, state: null };
  return {
    update: (bytes) => {
      latest = core.update(bytes);
    },
    progress: () => latest,
    digest: () => Promise.resolve(core.digest()),
    close: () => undefined,
  };
}

type HashRequest =
  | { type: 'start'; resumeFrom: HashProgress }
  | { type: 'update'; bytes: Uint8Array }
  | { type: 'digest' };
export type HashReply =
  | { type: 'progress'; progress: HashProgress }
  | { type: 'digest'; digest: string }
  | { type: 'failed'; detail: string };
export type { HashRequest };

/**
 * Hashes in a worker of its own, so that a download runs at the speed of the network and of
 * IndexedDB: wasm SHA-256 (about 160 MB/s on this project's 2-core machine) would otherwise be
 * the slowest step of a fast download. Chunks are transferred, never copied again.
 */
export function workerHasher(resumeFrom: HashProgress): ChunkHasher {
  const worker = new Worker(new URL('./sha256.worker.ts', import.meta.url), {
    type: 'module',
    name: 'sha256',
  });
  let latest: HashProgress = resumeFrom.state ? resumeFrom : { hashedBytes: 0, state: null };
  let failure: string | null = null;
  let digestWaiter: { resolve: (d: string) => void; reject: (e: Error) => void } | null = null;
  const fail = (detail: string) => {
    failure = detail;
    digestWaiter?.reject(new Error(`hashing failed: ${detail}`));
  };
  worker.onmessage = (event: MessageEvent<HashReply>) => {
    const reply = event.data;
    if (reply.type === 'progress') latest = reply.progress;
    else if (reply.type === 'digest') digestWaiter?.resolve(reply.digest);
    else fail(reply.detail);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    fail(event.message || 'the hash worker stopped');
  };
  const send = (request: HashRequest, transfer: Transferable[] = []) =>
    worker.postMessage(request, transfer);
  send({ type: 'start', resumeFrom });
  return {
    update: (bytes) => send({ type: 'update', bytes }, [bytes.buffer]),
    progress: () => latest,
    digest: () =>
      new Promise<string>((resolve, reject) => {
        if (failure !== null) {
          reject(new Error(`hashing failed: ${failure}`));
          return;
        }
        digestWaiter = { resolve, reject };
        send({ type: 'digest' });
      }),
    close: () => worker.terminate(),
  };
}

/** The off-thread hasher where workers exist (browsers), else the in-thread one (tests). */
export async function createChunkHasher(resumeFrom: HashProgress): Promise<ChunkHasher> {
  return typeof Worker === 'function' &&
    typeof window === 'undefined' &&
    'importScripts' in globalThis
    ? workerHasher(resumeFrom)
    : inThreadHasher(resumeFrom);
}
