/**
 * The inference worker: it runs the engine API (`engine-api.ts`) off the main thread, so a model
 * never blocks the page. The main thread reaches it only through `src/lib/engine-client.ts`.
 */
import { expose } from 'comlink';
import { createEngineApi } from './engine-api.ts';
import { logRequestsOf } from './network-log.ts';

logRequestsOf(self);
expose(createEngineApi());
