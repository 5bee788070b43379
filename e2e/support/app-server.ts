import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { preview } from 'vite';
import { E2E_EMBED_ORIGINS, E2E_MODEL_HOSTS } from './e2e-build.ts';

export interface AppServer {
  origin: string;
  /** The method and path of every request the server received, in order. */
  requests: () => string[];
  close: () => Promise<void>;
}

/**
 * A server of the production build (`dist/`, built by playwright.config.ts's webServer, or a
 * copy of it in `outDir`) that a test owns, so it can stop it and prove the app then runs without any server at all. It sends
 * the same headers as `vite preview`, Content-Security-Policy included.
 */
export async function startAppServer(outDir = 'dist'): Promise<AppServer> {
  process.env.TAB_LLM_MODEL_HOSTS = E2E_MODEL_HOSTS;
  process.env.TAB_LLM_EMBED_ORIGINS = E2E_EMBED_ORIGINS;
  const server = await preview({
    logLevel: 'silent',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const { port } = server.httpServer.address() as AddressInfo;
  // What reached the server, whoever asked (page, worker, service worker): the ground truth for
  // what the browser sent to the app's origin.
  const received: string[] = [];
  server.httpServer.on('request', (request: { method?: string; url?: string }) => {
    received.push(`${request.method ?? '?'} ${request.url ?? '?'}`);
  });
  return {
    origin: `http://127.0.0.1:${String(port)}`,
    requests: () => [...received],
    close: async () => {
      (server.httpServer as Server).closeAllConnections();
      await server.close();
    },
  };
}
