import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/**
 * A local HTTP server for model files, started by the tests themselves. It counts the requests it
 * answers and the body bytes it sends (so a test can prove that a model came from IndexedDB, or
 * what a resume re-downloaded), and serves CORS headers, as Hugging Face does (exposing
 * Content-Range and ETag, which resuming needs).
 *
 * A test can make one path misbehave with `behave(path, …)`: throttle it, cut the connection
 * after N bytes, serve wrong bytes, or ignore Range. `?rate=<bytes per second>` also throttles.
 * A path may start with a scratch folder `/~name/`, which is ignored when finding the file: it
 * gives a test its own counters and behaviour for a shared file.
 */
export interface Behaviour {
  /** Bytes per second. */
  rate?: number;
  /** Destroy the connection after sending this many body bytes (then forget this setting). */
  cutAfter?: number;
  /** Flip the bits of one byte in the middle of the file (same size, other SHA-256). */
  wrongBytes?: boolean;
  /** Answer every request with the whole file (200), as servers without Range support do. */
  ignoreRange?: boolean;
  /** Answer with fewer bytes than the file has (Content-Length says so too). */
  truncateTo?: number;
}

export interface ModelServer {
  origin: string;
  url: (file: string) => string;
  /** Requests answered so far, by path. */
  hits: () => Map<string, number>;
  totalHits: () => number;
  /** Body bytes sent so far for one path. */
  served: (path: string) => number;
  /** The Range headers of the requests for one path, in order (null: none). */
  ranges: (path: string) => (string | null)[];
  behave: (path: string, behaviour: Behaviour) => void;
  close: () => Promise<void>;
}

/** Small slices when cutting, so that the cut lands close to the byte asked for. */
const SLICE_BYTES = 16 * 1024;
/** Unthrottled, the server writes as a static file server would: large pieces, little CPU. */
const FAST_SLICE_BYTES = 1024 * 1024;

export async function startModelServer(root: string): Promise<ModelServer> {
  const hits = new Map<string, number>();
  const served = new Map<string, number>();
  const ranges = new Map<string, (string | null)[]>();
  const behaviours = new Map<string, Behaviour>();
  const contents = new Map<string, { etag: string; bytes: Buffer }>();

  const server: Server = createServer((request, response) => {
    const requestUrl = new URL(request.url ?? '/', 'http://x');
    const path = decodeURIComponent(requestUrl.pathname);
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag');
    response.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (request.method === 'OPTIONS') {
      response.setHeader('Access-Control-Allow-Headers', '*');
      response.writeHead(204).end();
      return;
    }
    hits.set(path, (hits.get(path) ?? 0) + 1);
    ranges.set(path, [...(ranges.get(path) ?? []), request.headers.range ?? null]);

    const file = normalize(join(root, path.replace(/^\/~[^/]+\//, '/')));
    let bytes: Buffer;
    let etag: string;
    try {
      if (!file.startsWith(root)) throw new Error('outside root');
      const stat = statSync(file);
      etag = `"${stat.size}-${Math.floor(stat.mtimeMs)}"`;
      // Read once per version of the file: reading 200 MB for every request would delay its
      // first byte and take CPU that the browser under test needs.
      const cached = contents.get(file);
      bytes = cached?.etag === etag ? cached.bytes : readFileSync(file);
      contents.set(file, { etag, bytes });
    } catch {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const behaviour = behaviours.get(path) ?? {};
    if (behaviour.wrongBytes) {
      bytes = Buffer.from(bytes);
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    }
    if (behaviour.truncateTo !== undefined) bytes = bytes.subarray(0, behaviour.truncateTo);
    const cutAfter = behaviour.cutAfter;
    if (cutAfter !== undefined) behaviours.set(path, { ...behaviour, cutAfter: undefined });

    const range = behaviour.ignoreRange ? null : rangeOf(request, etag);
    if (range !== null && range.start >= bytes.length) {
      response.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` }).end();
      return;
    }
    const from = range?.start ?? 0;
    const to = Math.min(bytes.length, range?.end ?? bytes.length);
    response.writeHead(range ? 206 : 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(to - from),
      ETag: etag,
      ...(range ? { 'Content-Range': `bytes ${from}-${to - 1}/${bytes.length}` } : {}),
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const rate = behaviour.rate ?? Number(requestUrl.searchParams.get('rate'));
    send(bytes.subarray(from, to), response, {
      rate: rate > 0 ? rate : null,
      cutAfter: cutAfter ?? null,
      count: (n) => served.set(path, (served.get(path) ?? 0) + n),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (file) => `${origin}/${file}`,
    hits: () => new Map(hits),
    totalHits: () => [...hits.values()].reduce((a, b) => a + b, 0),
    served: (path) => served.get(path) ?? 0,
    ranges: (path) => [...(ranges.get(path) ?? [])],
    behave: (path, behaviour) => behaviours.set(path, behaviour),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The bytes a `Range: bytes=N-` or `bytes=N-M` request asks for (`end` exclusive, null for the
 * file's end), or null for the whole file (no range, or a stale If-Range).
 */
function rangeOf(
  request: IncomingMessage,
  etag: string,
): { start: number; end: number | null } | null {
  const match = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
  if (!match) return null;
  const ifRange = request.headers['if-range'];
  if (ifRange !== undefined && ifRange !== etag) return null;
  return { start: Number(match[1]), end: match[2] ? Number(match[2]) + 1 : null };
}

function send(
  bytes: Buffer,
  response: ServerResponse,
  options: { rate: number | null; cutAfter: number | null; count: (n: number) => void },
) {
  const { rate, cutAfter, count } = options;
  // Throttled, a slice is about 10 ms of bytes, and each waits for its due time on the clock,
  // so that timer slack does not slow a fast rate.
  const sliceBytes =
    rate !== null
      ? Math.max(SLICE_BYTES, Math.round(rate / 100))
      : cutAfter !== null
        ? SLICE_BYTES
        : FAST_SLICE_BYTES;
  const startedAt = Date.now();
  let at = 0;
  const next = () => {
    if (response.destroyed) return;
    if (cutAfter !== null && at >= cutAfter) {
      response.destroy(); // the client sees the body end before its Content-Length
      return;
    }
    if (at >= bytes.length) {
      response.end();
      return;
    }
    const end = Math.min(bytes.length, at + sliceBytes, cutAfter ?? Infinity);
    const slice = bytes.subarray(at, end);
    count(slice.length);
    at = end;
    const flushed = response.write(slice);
    if (rate !== null) setTimeout(next, Math.max(0, startedAt + (at / rate) * 1000 - Date.now()));
    else if (flushed) setImmediate(next);
    else response.once('drain', next);
  };
  next();
}
