/**
 * Hashes a download's chunks off the downloading thread (see `workerHasher`). Messages are
 * handled strictly in order: each update waits for the one before it.
 */
import { sha256Core, type HashReply, type HashRequest } from './sha256-hasher.ts';

let core: ReturnType<typeof sha256Core> | null = null;
let queue: Promise<void> = Promise.resolve();

const reply = (message: HashReply) => postMessage(message);

onmessage = (event: MessageEvent<HashRequest>) => {
  const request = event.data;
  queue = queue
    .then(async () => {
      if (request.type === 'start') {
        core = sha256Core(request.resumeFrom);
        await core;
        return;
      }
      if (!core) throw new Error('hash worker used before start');
      const hasher = await core;
      if (request.type === 'update')
        reply({ type: 'progress', progress: hasher.update(request.bytes) });
      else reply({ type: 'digest', digest: hasher.digest() });
    })
    .catch((cause: unknown) =>
      reply({ type: 'failed', detail: cause instanceof Error ? cause.message : String(cause) }),
    );
};
