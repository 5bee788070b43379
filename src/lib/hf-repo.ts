import { ggufModels, restoreTree, treeUrl, type RepoModel } from '../shared/hf-listing.ts';

/** A repo's GGUF models, or a sentence that says why there are none to show. */
export type RepoListing =
  { ok: true; repo: string; models: RepoModel[] } | { ok: false; message: string };

const SPLIT_PART = /-\d{5}-of-\d{5}\.gguf$/i;

async function errorText(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as unknown;
    return typeof body === 'object' &&
      body !== null &&
      'error' in body &&
      typeof body.error === 'string'
      ? body.error
      : '';
  } catch {
    return '';
  }
}

/**
 * Lists the GGUF models of the Hugging Face repo `repo` (every folder of its main branch). Each
 * way it can fail ends in its own message: no such repo (or a private one), no main branch, a
 * limit on requests, Hugging Face down, an answer that is not a listing, no GGUF file at all,
 * only some parts of a split file, or no network.
 */
export async function listRepoModels(
  repo: string,
  fetchTree: (url: string) => Promise<Response> = (url) => fetch(url),
): Promise<RepoListing> {
  const failed = (message: string): RepoListing => ({ ok: false, message });
  let response: Response;
  try {
    response = await fetchTree(treeUrl(repo, 'main', '', true));
  } catch {
    return failed('Could not reach Hugging Face. Check your connection and try again.');
  }
  if (!response.ok) {
    const { status } = response;
    if (status === 404 && /revision/i.test(await errorText(response))) {
      return failed(`${repo} has no branch “main”, so its files cannot be listed here.`);
    }
    if (status === 401 || status === 403 || status === 404) {
      return failed(
        `Hugging Face has no public model repo ${repo}: it does not exist, or it is private. Check the spelling (owner/name, as in the repo’s address).`,
      );
    }
    if (status === 429) {
      return failed(
        'Hugging Face is limiting requests from this address (429). Wait a minute and try again.',
      );
    }
    return failed(
      status >= 500
        ? `Hugging Face answered ${status}, a problem on its side. Try again later.`
        : `Hugging Face answered ${status}. Try again later.`,
    );
  }
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    raw = null;
  }
  if (!Array.isArray(raw)) {
    return failed('Hugging Face answered with something that is not a file list. Try again later.');
  }
  const files = restoreTree(raw);
  const models = ggufModels(files);
  if (models.length > 0) return { ok: true, repo, models };
  if (files.length === 0) return failed(`${repo} has no files at all.`);
  const part = files.find((file) => SPLIT_PART.test(file.path));
  if (part) {
    return failed(
      `${repo} has only some parts of a split GGUF model (such as ${part.path}), not all of them, so none can be loaded.`,
    );
  }
  return failed(
    `${repo} has no GGUF files (${files.length} ${files.length === 1 ? 'file' : 'files'}, none ending in .gguf). Look for a repo with GGUF in its name, e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF.`,
  );
}
