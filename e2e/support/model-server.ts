import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/**
 * A local HTTP server for model files, started by the tests themselves. It counts the requests it
 * answers (so a test can prove that a model came from IndexedDB, not the network) and serves
 * CORS headers, as Hugging Face does. `?rate=<bytes per second>` throttles a download so that its
 * progress can be watched.
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
    const requestUrl = new URL(request.url ?? '/', 'http://x');
    const path = decodeURIComponent(requestUrl.pathname);
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
    const rate = Number(requestUrl.searchParams.get('rate'));
    if (rate > 0) sendThrottled(readFileSync(file), rate, response);
    else createReadStream(file).pipe(response);
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

const SLICE_BYTES = 16 * 1024;

function sendThrottled(bytes: Buffer, bytesPerSecond: number, response: ServerResponse) {
  let at = 0;
  const next = () => {
    if (response.destroyed) return;
    if (at >= bytes.length) {
      response.end();
      return;
    }
    response.write(bytes.subarray(at, at + SLICE_BYTES));
    at += SLICE_BYTES;
    setTimeout(next, (SLICE_BYTES / bytesPerSecond) * 1000);
  };
  next();
}
