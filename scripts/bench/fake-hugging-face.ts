/**
 * Figure 2's stand-in for Hugging Face: an HTTPS server that the bench's browser reaches as
 * `huggingface.co` (Chromium's `--host-resolver-rules`, with a self-signed certificate that
 * `--ignore-certificate-errors` accepts). It lists one repo whose GGUF file carries its SHA-256,
 * as Hugging Face lists LFS files, so the app checks the hash while it downloads; the file's
 * resolve URL redirects to the bench's model server, as Hugging Face redirects to its CDN.
 *
 * Not Playwright's `context.route`: with any route set, every request of the context goes through
 * DevTools interception, which halves the download speeds that figure 2 compares.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hfTreeEntry } from '../../e2e/support/hf-tree-entry.ts';

export const FAKE_REPO = 'bench/synthetic';

export interface FakeHuggingFace {
  /** Chromium flags that send `huggingface.co` to this server. */
  browserArgs: string[];
  close: () => Promise<void>;
}

/** A throwaway certificate for huggingface.co (openssl, as Debian ships it). */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'tab-llm-bench-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-subj', '/CN=huggingface.co', '-addext', 'subjectAltName=DNS:huggingface.co',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' }); // prettier-ignore
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Serves `FAKE_REPO` with `file` (its bytes `bytes`), whose bytes are at `servedAt`. */
export async function startFakeHuggingFace(
  file: string,
  bytes: Buffer,
  servedAt: string,
): Promise<FakeHuggingFace> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const listing = JSON.stringify([hfTreeEntry(file, bytes.length, sha256)]);
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' };
  const server = createServer(selfSignedCertificate(), (request, response) => {
    const path = new URL(request.url ?? '/', 'https://huggingface.co').pathname;
    if (request.method === 'OPTIONS') response.writeHead(204, cors).end();
    else if (path === `/api/models/${FAKE_REPO}/tree/main`) {
      response.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(listing);
    } else if (path === `/${FAKE_REPO}/resolve/main/${file}`) {
      response.writeHead(302, { ...cors, Location: servedAt }).end();
    } else response.writeHead(404, cors).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    browserArgs: [
      `--host-resolver-rules=MAP huggingface.co 127.0.0.1:${port}`,
      '--ignore-certificate-errors',
    ],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
