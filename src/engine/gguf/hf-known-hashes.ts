import type { GgufPart } from '../../shared/engine-protocol.ts';
import { parseResolveUrl, restoreTree, treeUrl } from '../../shared/hf-listing.ts';
import { EngineFailure } from '../../shared/engine-failure.ts';

/**
 * Fills in the size and SHA-256 of Hugging Face files from the repo's listing where a part lacks
 * its hash (a catalog entry or a pasted URL). Best effort: without the listing the part stays as
 * it is, and the size check remains.
 *
 * @throws EngineFailure `cancelled` when `signal` aborts a listing request.
 */
export async function withKnownHashes(parts: GgufPart[], signal: AbortSignal): Promise<GgufPart[]> {
  return Promise.all(
    parts.map(async (part) => {
      const source = part.sha256 === null ? parseResolveUrl(part.url) : null;
      if (!source) return part;
      const directory = source.path.includes('/')
        ? source.path.slice(0, source.path.lastIndexOf('/'))
        : '';
      try {
        const response = await fetch(treeUrl(source.repo, source.revision, directory), { signal });
        if (!response.ok) return part;
        const listed = restoreTree(await response.json()).find((f) => f.path === source.path);
        return listed ? { ...part, sizeBytes: listed.sizeBytes, sha256: listed.sha256 } : part;
      } catch {
        if (signal.aborted) throw new EngineFailure({ kind: 'cancelled' });
        return part;
      }
    }),
  );
}
