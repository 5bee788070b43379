import { resolveUrl } from '../shared/hf-listing.ts';

/** What a person typed, understood, or a sentence that says what is wrong and what to do. */
export type InputCheck = { ok: true; value: string } | { ok: false; problem: string };

const HF_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);
/** Hugging Face's own limit on a repo name (huggingface_hub `validate_repo_id`). */
const MAX_NAME_LENGTH = 96;
const EXAMPLE_REPO = 'Qwen/Qwen2.5-0.5B-Instruct-GGUF';
const URL_FORM = '“Add a GGUF model by URL”';
const REPO_FORM = '“Add from a Hugging Face repo”';

const problem = (text: string): InputCheck => ({ ok: false, problem: text });
const hasScheme = (text: string) => /^[a-z][a-z\d+.-]*:/i.test(text);
/** Text from the input, shown back short. */
const shown = (text: string) => `“${text.length > 60 ? `${text.slice(0, 60)}…` : text}”`;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** What is wrong with one part of a repo id (owner or name), or null. */
function namePartProblem(part: string): string | null {
  const bad = /[^A-Za-z\d_.-]/u.exec(part)?.[0];
  if (bad !== undefined) {
    return `${shown(part)} has a character a repo id cannot have (${shown(bad)}): only letters a–z, digits, “-”, “_” and “.”.`;
  }
  if (/^[.-]|[.-]$|--|\.\./.test(part)) {
    return `${shown(part)} cannot start or end with “-” or “.”, nor contain “--” or “..”.`;
  }
  if (part.length > MAX_NAME_LENGTH) {
    return `${shown(part)} is longer than Hugging Face allows (${MAX_NAME_LENGTH} characters).`;
  }
  return null;
}

function repoIdProblem(id: string): string | null {
  if (/\s/.test(id)) return `A repo id has no spaces: ${shown(id)}.`;
  const parts = id.split('/');
  if (parts.length === 1) return `Add the owner: owner/name, e.g. ${EXAMPLE_REPO}.`;
  if (parts.length > 2) {
    return `A repo id has two parts, owner/name; ${shown(id)} has ${parts.length}. For one file, paste its link under ${URL_FORM}.`;
  }
  if (parts.some((part) => part === ''))
    return `Both parts of owner/name are needed: ${shown(id)}.`;
  for (const part of parts) {
    const wrong = namePartProblem(part);
    if (wrong) return wrong;
  }
  return null;
}

/**
 * The Hugging Face repo id in what a person typed or pasted: `owner/name`, or a link to the repo
 * or to one of its files (`https://huggingface.co/owner/name/…`, with or without `https://`).
 */
export function readRepoId(input: string): InputCheck {
  const text = input.trim();
  if (text === '') return problem(`Enter a repo id like ${EXAMPLE_REPO}.`);
  const linkLike = hasScheme(text) || /^(www\.)?(huggingface|hf)\.co\//i.test(text);
  if (!linkLike) {
    const wrong = repoIdProblem(text);
    return wrong ? problem(wrong) : { ok: true, value: text };
  }
  let url: URL;
  try {
    url = new URL(hasScheme(text) ? text : `https://${text}`);
  } catch {
    return problem(`${shown(text)} is not a link. Enter owner/name, e.g. ${EXAMPLE_REPO}.`);
  }
  if (!HF_HOSTS.has(url.hostname)) {
    return problem(
      `That is a link to ${url.hostname || url.protocol}, not to a Hugging Face repo. For a file elsewhere, use ${URL_FORM}.`,
    );
  }
  const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
  const [first = '', second = ''] = segments;
  if (first === 'datasets' || first === 'spaces') {
    return problem(`That is a Hugging Face ${first.slice(0, -1)}, not a model repo.`);
  }
  if (segments.length < 2) return problem('That link names no repo: it needs /owner/name.');
  const id = `${first}/${second}`;
  const wrong = repoIdProblem(id);
  return wrong ? problem(wrong) : { ok: true, value: id };
}

/** The host as typed (before the browser turns non-ASCII letters into `xn--…`). */
const typedHost = (text: string) =>
  /^[a-z][a-z\d+.-]*:\/\/(?:[^@/?#]*@)?([^/:?#]*)/i.exec(text)?.[1];

/**
 * The link to a GGUF file that a person typed, ready to download, or why it cannot be used:
 * not http(s), a user name or password in it, a fragment, a host in non-ASCII letters (a
 * look-alike of an allowed one), or a Hugging Face page instead of the file.
 */
export function readModelUrl(input: string): InputCheck {
  const text = input.trim();
  if (text === '') return problem('Enter a link to a .gguf file.');
  if (!hasScheme(text)) {
    return readRepoId(text).ok && !text.includes('.gguf')
      ? problem(`That looks like a repo id: list its files under ${REPO_FORM}.`)
      : problem('Enter a full link that starts with https://.');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem(
      `${shown(text)} is not a valid link. Enter a full https:// link to a .gguf file.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return problem(
      `Links that start with “${url.protocol}” cannot be downloaded: enter an https:// link.`,
    );
  }
  if (url.username || url.password) {
    return problem(
      'This link holds a user name or password (before “@”). Browsers do not send those with a download, and a password in a link is not private: remove it. Private models cannot be downloaded here.',
    );
  }
  if (url.hash) {
    return problem(
      `Remove the ${shown(url.hash)} at the end: a link to a file has no fragment, and the server never sees it.`,
    );
  }
  const host = typedHost(text) ?? url.hostname;
  if (/[^\x20-\x7e]/u.test(host) || url.hostname.split('.').some((l) => l.startsWith('xn--'))) {
    return problem(
      `The host ${shown(safeDecode(host))} is written with non-ASCII letters (the browser reads it as ${url.hostname}). It may imitate a known host: type the host's address in plain letters.`,
    );
  }
  if (HF_HOSTS.has(url.hostname)) {
    const [owner, name, kind, revision, ...path] = url.pathname.split('/').filter(Boolean);
    if (owner && name && kind === 'blob' && revision && path.length > 0) {
      const resolve = resolveUrl(`${owner}/${name}`, path.map(safeDecode).join('/'), revision);
      return problem(`That link opens the page about the file, not the file. Use ${resolve}`);
    }
    if (owner && name && (kind === undefined || kind === 'tree')) {
      return problem(
        `That is the page of the repo ${owner}/${name}, not a file: list its GGUF files under ${REPO_FORM}.`,
      );
    }
  }
  return { ok: true, value: url.href };
}
