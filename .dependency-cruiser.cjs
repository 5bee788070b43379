/**
 * The architecture's import directions (README, "How it is built"), checked on resolved paths:
 * `../../../features/models/x.ts` from inside a feature is caught like any other spelling.
 * Paths are matched from a `src/` folder anywhere, so the fixture in scripts/boundaries/ is
 * checked by the same rules (scripts/boundaries/boundaries.test.ts).
 */
const src = '(?:^|/)src/';
const forbid = (name, comment, fromPath, toPath, extra = {}) => ({
  name,
  comment,
  severity: 'error',
  from: { path: fromPath },
  to: { path: toPath, ...extra },
});

module.exports = {
  forbidden: [
    forbid(
      'feature-to-feature',
      'Features do not import each other: share through src/lib (main thread) or src/shared.',
      `${src}features/([^/]+)/`,
      `${src}features/`,
      { pathNot: `${src}features/$1/` },
    ),
    forbid(
      'feature-to-app-or-engine',
      'Features do not import the pages (app, widget), the loader or worker code (the worker is reached through src/lib/engine-client.ts).',
      `${src}features/`,
      `${src}(?:app|widget|embed|engine)/`,
    ),
    forbid(
      'lib-is-feature-free',
      'src/lib is main-thread code shared by features; it imports no feature, no page, no loader and no worker code.',
      `${src}lib/`,
      `${src}(?:features|app|widget|embed|engine)/`,
    ),
    forbid(
      'components-are-feature-free',
      'Shared components import no feature, no page, no loader and no worker code.',
      `${src}components/`,
      `${src}(?:features|app|widget|embed|engine)/`,
    ),
    forbid(
      'app-not-engine',
      'The pages (the app shell, the widget page) reach the worker only through src/lib/engine-client.ts.',
      `${src}(?:app|widget)/`,
      `${src}engine/`,
    ),
    forbid(
      'pages-apart',
      'The app shell and the widget page compose features each on its own; neither imports the other.',
      `${src}(app|widget)/`,
      `${src}(?:app|widget)/`,
      { pathNot: `${src}$1/` },
    ),
    forbid(
      'embed-is-self-contained',
      'src/embed runs on other sites (embed.js) and must stay small: it imports only src/embed, and only types from src/shared.',
      `${src}embed/`,
      `${src}(?!embed/)[^/]+/`,
      { dependencyTypesNot: ['type-only'] },
    ),
    forbid(
      'engine-is-worker-only',
      'Worker code imports only src/engine and src/shared: nothing of the main thread.',
      `${src}engine/`,
      `${src}(?:features|app|lib|components|widget|embed)/`,
    ),
    forbid(
      'shared-is-self-contained',
      'src/shared runs on both threads, so it imports only src/shared.',
      `${src}shared/`,
      `${src}(?!shared/)[^/]+/`,
    ),
    forbid(
      'service-worker-is-self-contained',
      'src/service-worker is bundled on its own into the service worker: it imports only src/shared.',
      `${src}service-worker/`,
      `${src}(?!shared/|service-worker/)[^/]+/`,
    ),
    {
      name: 'no-circular',
      comment: 'Import cycles make module order (and worker start-up) fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(?:^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.app.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
