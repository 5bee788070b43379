/** The bench's servers: the app's production build, the bare raw-engine page and the model files. */
import { join } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import { startModelServer, type ModelServer } from '../../e2e/support/model-server.ts';
import { APP_PORT, RAW_PORT, ROOT, log } from './config.ts';

export interface Servers {
  app: string;
  raw: string;
  models: ModelServer;
  modelsDir: string;
  close: () => Promise<void>;
}

/** Builds the app and the raw-engine page (`dist-bench/`), then serves both and `modelsDir`. */
export async function buildAndServe(modelsDir: string): Promise<Servers> {
  log('building the app (vite build) and the raw-engine page');
  // Builds with a model-host allowlist (TAB_LLM_MODEL_HOSTS, read by vite.config.ts where it
  // exists) must let the app reach the bench's local model server, as the e2e build does.
  process.env.TAB_LLM_MODEL_HOSTS ??= 'http://127.0.0.1:*';
  await build({ root: ROOT, configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  const rawConfig = join(ROOT, 'scripts/bench/vite.raw-engine.config.ts');
  await build({ configFile: rawConfig, logLevel: 'warn' });
  const serve = (configFile: string, port: number, extra: object = {}) =>
    preview({
      ...extra,
      configFile,
      logLevel: 'warn',
      preview: { host: '127.0.0.1', port, strictPort: true },
    });
  const servers: PreviewServer[] = [
    await serve(join(ROOT, 'vite.config.ts'), APP_PORT, { root: ROOT }),
    await serve(rawConfig, RAW_PORT),
  ];
  const models = await startModelServer(modelsDir);
  return {
    app: `http://127.0.0.1:${APP_PORT}`,
    raw: `http://127.0.0.1:${RAW_PORT}`,
    models,
    modelsDir,
    close: async () => {
      await models.close();
      for (const server of servers) await server.close();
    },
  };
}
