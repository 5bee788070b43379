import { describe, expect, it } from 'vitest';
import { listRepoModels } from './hf-repo.ts';

const lfs = (path: string, size = 100) => ({
  type: 'file',
  path,
  size: 134,
  lfs: { oid: 'a'.repeat(64), size, pointerSize: 134 },
});

/** A fetch that answers `body` with `status`, and remembers the URL it was asked for. */
function answering(status: number, body: unknown) {
  const asked: string[] = [];
  const fetchTree = async (url: string) => {
    asked.push(url);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  };
  return { asked, fetchTree };
}

const messageOf = async (status: number, body: unknown) => {
  const listing = await listRepoModels('o/r', answering(status, body).fetchTree);
  return listing.ok ? null : listing.message;
};

describe('listRepoModels', () => {
  it('lists the GGUF models of every folder of the main branch', async () => {
    const { asked, fetchTree } = answering(200, [
      lfs('README.md'),
      lfs('Q8_0/m-Q8_0-00001-of-00002.gguf', 5),
      lfs('Q8_0/m-Q8_0-00002-of-00002.gguf', 5),
      lfs('m-Q4_K_M.gguf', 3),
    ]);
    const listing = await listRepoModels('o/r', fetchTree);
    expect(asked).toEqual(['https://huggingface.co/api/models/o/r/tree/main?recursive=true']);
    expect(listing.ok && listing.models.map((m) => [m.name, m.sizeBytes])).toEqual([
      ['m-Q4_K_M.gguf', 3],
      ['m-Q8_0.gguf', 10],
    ]);
  });

  it('says a repo is missing or private, and a branch is missing', async () => {
    for (const status of [401, 404]) {
      expect(await messageOf(status, { error: 'Repository not found' })).toBe(
        'Hugging Face has no public model repo o/r: it does not exist, or it is private. Check the spelling (owner/name, as in the repo’s address).',
      );
    }
    expect(await messageOf(404, { error: 'Revision Not Found' })).toBe(
      'o/r has no branch “main”, so its files cannot be listed here.',
    );
  });

  it('says when the repo has no GGUF file, no file at all, or only some parts of a split', async () => {
    expect(await messageOf(200, [lfs('model.safetensors'), lfs('config.json')])).toBe(
      'o/r has no GGUF files (2 files, none ending in .gguf). Look for a repo with GGUF in its name, e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF.',
    );
    expect(await messageOf(200, [])).toBe('o/r has no files at all.');
    expect(await messageOf(200, [lfs('m-00001-of-00003.gguf'), lfs('m-00003-of-00003.gguf')])).toBe(
      'o/r has only some parts of a split GGUF model (such as m-00001-of-00003.gguf), not all of them, so none can be loaded.',
    );
  });

  it('tells a limit, an outage, a strange answer and no network apart', async () => {
    expect(await messageOf(429, '')).toContain('limiting requests');
    expect(await messageOf(503, '<html>')).toBe(
      'Hugging Face answered 503, a problem on its side. Try again later.',
    );
    expect(await messageOf(200, '<!doctype html><p>captive portal</p>')).toBe(
      'Hugging Face answered with something that is not a file list. Try again later.',
    );
    expect(await messageOf(200, { error: 'odd' })).toContain('not a file list');
    const offline = await listRepoModels('o/r', () => Promise.reject(new TypeError('failed')));
    expect(offline).toEqual({
      ok: false,
      message: 'Could not reach Hugging Face. Check your connection and try again.',
    });
  });
});
