import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_HOSTS, hostAllows } from './model-hosts.ts';

describe('hostAllows', () => {
  it.each([
    ['https://huggingface.co/org/repo/resolve/main/model.gguf', true],
    ['https://cdn-lfs-us-1.hf.co/repos/ab/cd/file', true],
    ['https://cas-bridge.xethub.hf.co/xet-bridge-us/file', true],
    ['https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/x.wasm', true],
    ['http://huggingface.co/model.gguf', false], // the scheme must match
    ['https://huggingface.co.evil.example/model.gguf', false],
    ['https://evilhuggingface.co/model.gguf', false],
    ['https://hf.co/model.gguf', false], // `*.hf.co` does not cover hf.co itself
    ['https://huggingface.co:8443/model.gguf', false], // nor another port
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(hostAllows(DEFAULT_MODEL_HOSTS, url)).toBe(allowed);
  });

  it('honours ports: exact, default and any', () => {
    expect(hostAllows(['http://127.0.0.1:*'], 'http://127.0.0.1:51234/m.gguf')).toBe(true);
    expect(hostAllows(['http://127.0.0.1:8080'], 'http://127.0.0.1:8081/m.gguf')).toBe(false);
    expect(hostAllows(['http://127.0.0.1'], 'http://127.0.0.1/m.gguf')).toBe(true);
  });
});
