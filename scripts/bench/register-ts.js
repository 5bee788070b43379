/**
 * Lets Node 20 run the benchmark's TypeScript directly (`node --import ./scripts/bench/register-ts.js x.ts`):
 * Node 20 cannot strip types itself, and TypeScript is already a dev dependency. Types are only
 * erased, never checked here (`npm run typecheck` checks them).
 */
import { register } from 'node:module';

register('./ts-hooks.js', import.meta.url);
