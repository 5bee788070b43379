import type { GgufPart } from './engine-protocol.ts';

/**
 * Hugging Face repositories as sources of GGUF files. The tree API
 * (`/api/models/<owner>/<name>/tree/<revision>`) lists each file's `path` and `size`, and for
 * LFS files (every model file) `lfs.oid`, which is the file's SHA-256.
 */
export const HF_ORIGIN = 'https://huggingface.co';

/** The tree API's listing of `directory`; `recursive` lists every folder below it too. */
export const treeUrl = (repo: string, revision = 'main', directory = '', recursive = false) =>
  `${HF_ORIGIN}/api/models/${repo}/tree/${revision}${directory ? `/${directory}` : ''}${
    recursive ? '?recursive=true' : ''
  }`;

export const resolveUrl = (repo: string, path: string, revision = 'main') =>
  `${HF_ORIGIN}/${repo}/resolve/${revision}/${path.split('/').map(encodeURIComponent).join('/')}`;

/** The repo, revision and path of a `…/resolve/…` URL, or null for any other URL. */
export function parseResolveUrl(
  url: string,
): { repo: string; revision: string; path: string } | null {
  const match = /^https:\/\/huggingface\.co\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/([^?#]+)/.exec(url);
  if (!match) return null;
  const [, repo = '', revision = '', path = ''] = match;
  return { repo, revision, path: decodeURIComponent(path) };
}

export interface RepoFile {
  path: string;
  sizeBytes: number;
  sha256: string | null;
}

/** Normalises the tree API's answer: files only, with what we need; anything else is skipped. */
export function restoreTree(raw: unknown): RepoFile[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item: unknown): RepoFile[] => {
    if (typeof item !== 'object' || item === null) return [];
    const r = item as Record<string, unknown>;
    if (r.type !== 'file' || typeof r.path !== 'string') return [];
    const lfs =
      typeof r.lfs === 'object' && r.lfs !== null ? (r.lfs as Record<string, unknown>) : null;
    const size = typeof lfs?.size === 'number' ? lfs.size : r.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return [];
    const oid = lfs?.oid;
    const sha256 =
      typeof oid === 'string' && /^[0-9a-f]{64}$/i.test(oid) ? oid.toLowerCase() : null;
    return [{ path: r.path, sizeBytes: size, sha256 }];
  });
}

/** A GGUF model in a repo: one file, or every part of a split file in order. */
export interface RepoModel {
  /** The file name, or the split's common name (`model-Q4_K_M.gguf` for `model-Q4_K_M-0000…`). */
  name: string;
  quantization: string | null;
  sizeBytes: number;
  parts: RepoFile[];
}

const SPLIT = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

/**
 * The GGUF models among a repo's files. Split files (`-00001-of-00003.gguf`) become one model,
 * listed only when every part is there.
 */
export function ggufModels(files: RepoFile[]): RepoModel[] {
  const singles: RepoModel[] = [];
  const splits = new Map<string, { count: number; parts: Map<number, RepoFile> }>();
  for (const file of files) {
    if (!/\.gguf$/i.test(file.path)) continue;
    const split = SPLIT.exec(file.path);
    if (!split) {
      singles.push(modelOf(file.path, [file]));
      continue;
    }
    const [, stem = '', index = '', count = ''] = split;
    const group = splits.get(stem) ?? { count: Number(count), parts: new Map() };
    group.parts.set(Number(index), file);
    splits.set(stem, group);
  }
  const joined = [...splits].flatMap(([stem, { count, parts }]) => {
    const ordered = Array.from({ length: count }, (_, i) => parts.get(i + 1));
    if (!ordered.every((p): p is RepoFile => p !== undefined)) return [];
    return [modelOf(`${stem}.gguf`, ordered)];
  });
  return [...singles, ...joined].sort((a, b) => a.sizeBytes - b.sizeBytes);
}

function modelOf(path: string, parts: RepoFile[]): RepoModel {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return {
    name,
    quantization: quantizationOf(name),
    sizeBytes: parts.reduce((sum, part) => sum + part.sizeBytes, 0),
    parts,
  };
}

export const partsOf = (repo: string, model: RepoModel): GgufPart[] =>
  model.parts.map((part) => ({
    url: resolveUrl(repo, part.path),
    sizeBytes: part.sizeBytes,
    sha256: part.sha256,
  }));

/** The quantization named in a file name (`…-Q4_K_M.gguf` → `Q4_K_M`), or null. */
export function quantizationOf(name: string): string | null {
  const match =
    /(?:^|[-_.])(I?Q\d_(?:K_[SML]|K|[01]|XXS|XS|S|M|NL)|Q\d_K|BF16|F16|FP16|F32|MXFP4)(?=[-_.]|$)/i.exec(
      name,
    );
  const found = match?.[1]?.toUpperCase();
  return found === 'FP16' ? 'F16' : (found ?? null);
}
