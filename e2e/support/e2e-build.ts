/** What the e2e build may download from: the tests' model servers on random local ports. */
export const E2E_MODEL_HOSTS = 'http://127.0.0.1:*';
/**
 * The sites the e2e build lets embed the widget: the tests' host pages, served as
 * `http://localhost:<port>` (another site than the app's `127.0.0.1`). The same pages served as
 * `http://127.0.0.1:<port>` are a site that is not allowed.
 */
export const E2E_EMBED_ORIGINS = 'http://localhost:*';
