import { describe, expect, it } from 'vitest';
import { readModelUrl, readRepoId } from './source-input.ts';

const problemOf = (check: ReturnType<typeof readRepoId>) => (check.ok ? null : check.problem);

describe('readRepoId', () => {
  it.each([
    ['Qwen/Qwen2.5-0.5B-Instruct-GGUF', 'Qwen/Qwen2.5-0.5B-Instruct-GGUF'],
    ['  bartowski/Llama-3.2-1B-Instruct-GGUF  ', 'bartowski/Llama-3.2-1B-Instruct-GGUF'],
    ['https://huggingface.co/Qwen/Qwen3-0.6B-GGUF', 'Qwen/Qwen3-0.6B-GGUF'],
    ['https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/tree/main', 'Qwen/Qwen3-0.6B-GGUF'],
    ['huggingface.co/unsloth/x-GGUF/blob/main/x-Q4_K_M.gguf', 'unsloth/x-GGUF'],
    ['https://hf.co/o/r?x=1#readme', 'o/r'],
  ])('reads %s as %s', (input, repo) => {
    expect(readRepoId(input)).toEqual({ ok: true, value: repo });
  });

  it.each([
    ['', 'Enter a repo id like Qwen/Qwen2.5-0.5B-Instruct-GGUF.'],
    ['justname', 'Add the owner: owner/name, e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF.'],
    ['a/b/c.gguf', 'has 3. For one file, paste its link under “Add a GGUF model by URL”.'],
    ['owner/', 'Both parts of owner/name are needed'],
    ['my org/model', 'A repo id has no spaces'],
    ['owner/modèle', '“modèle” has a character a repo id cannot have (“è”)'],
    ['owner/name@main', '(“@”)'],
    ['owner/-name', 'cannot start or end with “-” or “.”'],
    ['owner/a..b', 'nor contain “--” or “..”'],
    [`owner/${'x'.repeat(97)}`, 'longer than Hugging Face allows (96 characters)'],
    ['https://example.com/o/r', 'That is a link to example.com, not to a Hugging Face repo'],
    ['https://huggingface.co/datasets/o/r', 'That is a Hugging Face dataset, not a model repo.'],
    ['https://huggingface.co/Qwen', 'That link names no repo: it needs /owner/name.'],
  ])('refuses %s, saying why', (input, message) => {
    expect(problemOf(readRepoId(input))).toContain(message);
  });
});

describe('readModelUrl', () => {
  const url = 'https://huggingface.co/o/r/resolve/main/m-Q4_K_M.gguf';

  it('takes a plain https link, and writes unicode in its path the way it is sent', () => {
    expect(readModelUrl(` ${url} `)).toEqual({ ok: true, value: url });
    expect(readModelUrl('https://huggingface.co/o/r/resolve/main/模型 Q4.gguf')).toEqual({
      ok: true,
      value: 'https://huggingface.co/o/r/resolve/main/%E6%A8%A1%E5%9E%8B%20Q4.gguf',
    });
  });

  it.each([
    ['', 'Enter a link to a .gguf file.'],
    ['Qwen/Qwen3-0.6B-GGUF', 'That looks like a repo id: list its files under'],
    ['models.example/m.gguf', 'Enter a full link that starts with https://.'],
    ['https://exa mple.com/m.gguf', 'is not a valid link'],
    ['ftp://example.com/m.gguf', 'Links that start with “ftp:” cannot be downloaded'],
    ['file:///home/me/m.gguf', 'Links that start with “file:” cannot be downloaded'],
    ['https://me:secret@huggingface.co/m.gguf', 'holds a user name or password'],
    ['https://token@huggingface.co/m.gguf', 'holds a user name or password'],
    [`${url}#main`, 'Remove the “#main” at the end'],
    [
      'https://hüggingface.co/o/r/resolve/main/m.gguf',
      'The host “hüggingface.co” is written with non-ASCII letters (the browser reads it as xn--',
    ],
    ['https://xn--hggingface-ecb.co/m.gguf', 'non-ASCII letters'],
    [
      'https://huggingface.co/o/r/blob/main/sub/m.gguf',
      'Use https://huggingface.co/o/r/resolve/main/sub/m.gguf',
    ],
    ['https://huggingface.co/o/r', 'That is the page of the repo o/r, not a file'],
  ])('refuses %s, saying why', (input, message) => {
    expect(problemOf(readModelUrl(input))).toContain(message);
  });
});
