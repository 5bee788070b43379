import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The workplace's shared folder (test models, the WebGPU-on-CPU setup). It sits beside the
 * checkout; `SHARED_DIR` overrides that for clones made elsewhere (e.g. `/tmp/ci`).
 */
export function sharedDir(): string {
  const candidates = [process.env.SHARED_DIR, join(repoRoot, '..', 'shared'), '/work/shared'];
  const found = candidates.find((dir) => dir && existsSync(join(dir, 'models', 'README.md')));
  if (!found) {
    throw new Error(
      `No shared folder with models/README.md found (tried ${candidates.filter(Boolean).join(', ')}). ` +
        'Set SHARED_DIR to the folder that holds models/ and webgpu-cpu/.',
    );
  }
  return found;
}

export const sharedModelsDir = () => join(sharedDir(), 'models');
