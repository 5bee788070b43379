/** What the e2e build may download from: the tests' model servers on random local ports. */
export const E2E_MODEL_HOSTS = 'http://127.0.0.1:*';
