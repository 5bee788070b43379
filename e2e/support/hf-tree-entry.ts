/**
 * One file as Hugging Face's tree API lists it (`/api/models/<repo>/tree/main`), stored in LFS, so
 * the listing carries its SHA-256. For fakes of Hugging Face in the tests and the benchmark.
 */
export function hfTreeEntry(path: string, size: number, sha256: string) {
  return {
    type: 'file',
    path,
    size,
    oid: '0'.repeat(40),
    lfs: { oid: sha256, size, pointerSize: 134 },
  };
}
