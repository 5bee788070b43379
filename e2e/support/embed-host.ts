import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { LaunchOptions } from '@playwright/test';
import { webgpuF16Launch } from '../../scripts/browser-launch.ts';

/**
 * What the widget's tests need around the app: host pages on other sites, the build served
 * without any header, and a browser that partitions storage as Chromium does for users.
 */

export interface HostServer {
  /** This server as a site the e2e build allows to embed the widget (`http://localhost:<port>`). */
  allowed: string;
  /** The same server as another site, one that is not allowed (`http://127.0.0.1:<port>`). */
  other: string;
  /** Serves `html` at `path` (on both names). */
  serve: (path: string, html: string) => void;
  /** `GET /path` of every request, in order. */
  requests: () => string[];
  close: () => Promise<void>;
}

export async function startHostServer(): Promise<HostServer> {
  const pages = new Map<string, string>();
  const received: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    received.push(`${request.method ?? '?'} ${path}`);
    const html = pages.get(path);
    if (html === undefined) response.writeHead(404).end('not found');
    else response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    allowed: `http://localhost:${port}`,
    other: `http://127.0.0.1:${port}`,
    serve: (path, html) => pages.set(path, html),
    requests: () => [...received],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const escape = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A host page with the README's snippet: the loader from the app's origin and one element.
 * `script` runs after it (the host's own code, e.g. recording the messages its window gets).
 */
export function snippetPage(app: string, attributes: Record<string, string>, script = ''): string {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${escape(value)}"`)
    .join('');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>A shop</title></head>
  <body>
    <h1>A shop that embeds a private chat</h1>
    <script src="${app}/embed.js"></script>
    <tab-llm-chat${attrs}></tab-llm-chat>
    <script>${script}</script>
  </body>
</html>`;
}

/** A host page with the plain `<iframe>` equivalent of the snippet (the loader only for the API). */
export function iframePage(app: string, fragment: Record<string, string>, script = ''): string {
  const src = `${app}/widget.html#${new URLSearchParams(fragment).toString()}`;
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>A blog</title></head>
  <body>
    <iframe id="chat" src="${escape(src)}" title="Private chat" allow="cross-origin-isolated"
      style="width: 420px; height: 560px; border: 0"></iframe>
    <script src="${app}/embed.js"></script>
    <script>${script}</script>
  </body>
</html>`;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/**
 * The production build as a static host that sends no headers at all would serve it: no CSP
 * header (so no `frame-ancestors`), no isolation headers, no Document-Isolation-Policy.
 */
export async function startBareStaticServer(
  dir = 'dist',
): Promise<{ origin: string; close: () => Promise<void> }> {
  const root = normalize(join(process.cwd(), dir));
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root)) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) =>
        response
          .writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' })
          .end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Playwright launches Chromium with `--disable-features=…,ThirdPartyStoragePartitioning,…`, which
 * users' Chromium never has: an embedded frame then shares its origin's storage with the app. The
 * same switch given again replaces Playwright's (Chromium keeps the last value of a switch), so
 * this repeats Playwright's list without that feature. The widget's tests check that storage is
 * really partitioned, so a change in Playwright's list cannot pass unnoticed.
 */
const PLAYWRIGHT_DISABLED_FEATURES_BUT_PARTITIONING = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
];

/** The lavapipe WebGPU browser, with storage partitioned by top-level site as for users. */
export function partitionedLaunch(): LaunchOptions {
  const launch = webgpuF16Launch();
  return {
    ...launch,
    args: [
      ...(launch.args ?? []),
      `--disable-features=${PLAYWRIGHT_DISABLED_FEATURES_BUT_PARTITIONING.join(',')}`,
    ],
  };
}

/**
 * A browser profile that allows third-party cookies, as Chrome's default profile does (the
 * browser Playwright starts blocks them, as Chrome's Incognito does). Storage access is then
 * given to the widget's frame on a click, without a prompt.
 */
export function thirdPartyCookiesAllowedProfile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tab-llm-e2e-profile-'));
  mkdirSync(join(dir, 'Default'));
  writeFileSync(
    join(dir, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: 0 } }),
  );
  return dir;
}
