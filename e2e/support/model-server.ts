import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/**
 * A local HTTP server for model files, started by the tests themselves. It counts the requests it
 * answers (so a test can prove that a model came from IndexedDB, not the network) and serves
 * CORS headers, as Hugging Face does.
 */
export interface ModelServer {
  origin: string;
  url: (file: string) => string;
  /** Requests answered so far, by path. */
  hits: () => Map<string, number>;
  totalHits: () => number;
  close: () => Promise<void>;
}

export async function startModelServer(root: string): Promise<ModelServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    hits.set(path, (hits.get(path) ?? 0) + 1);
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (request.method === 'OPTIONS') {
      response.setHeader('Access-Control-Allow-Headers', '*');
      response.writeHead(204).end();
      return;
    }
    const file = normalize(join(root, path));
    let size: number;
    try {
      if (!file.startsWith(root)) throw new Error('outside root');
      size = statSync(file).size;
    } catch {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(size),
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (file) => `${origin}/${file}`,
    hits: () => new Map(hits),
    totalHits: () => [...hits.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
