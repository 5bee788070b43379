import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { EMBED_LOADER_FILE } from './embed-loader-plugin.ts';

/** The widget page's file in the build (a second HTML entry, next to index.html). */
export const WIDGET_PAGE_FILE = 'widget.html';

/**
 * `vite preview` sends one set of headers for every file; the widget page and the loader need
 * their own (`widgetHeaders`, `LOADER_HEADERS`). This serves those two files from the build
 * with them, before the preview's static server answers.
 */
export function embedPreviewPlugin(headers: {
  widget: Readonly<Record<string, string>>;
  loader: Readonly<Record<string, string>>;
}): Plugin {
  const files: Record<string, { file: string; headers: Readonly<Record<string, string>> }> = {
    [`/${WIDGET_PAGE_FILE}`]: {
      file: WIDGET_PAGE_FILE,
      headers: { 'Content-Type': 'text/html; charset=utf-8', ...headers.widget },
    },
    [`/${EMBED_LOADER_FILE}`]: { file: EMBED_LOADER_FILE, headers: headers.loader },
  };
  return {
    name: 'embed-preview-headers',
    configurePreviewServer(server) {
      const outDir = resolve(server.config.root, server.config.build.outDir);
      server.middlewares.use((request, response, next) => {
        const served = files[request.url?.split(/[?#]/)[0] ?? ''];
        if (!served || (request.method !== 'GET' && request.method !== 'HEAD')) {
          next();
          return;
        }
        readFile(join(outDir, served.file)).then(
          (body) => {
            for (const [name, value] of Object.entries(served.headers)) {
              response.setHeader(name, value);
            }
            response.setHeader('Content-Length', body.length);
            response.end(request.method === 'HEAD' ? undefined : body);
          },
          () => next(),
        );
      });
    },
  };
}
