/**
 * `npm run bench:models -- <size> <type> [out dir]`: writes one synthetic GGUF file, e.g.
 * `npm run bench:models -- 400m f16` (sizes 25m, 100m, 400m; types f16, q8_0, q4_0). The bench
 * writes the files it needs itself; this is for measuring other sizes by hand.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sharedModelsDir } from '../shared-dir.ts';
import {
  MODEL_SIZES,
  syntheticFileName,
  writeSyntheticGguf,
  type ModelSize,
  type WeightType,
} from './synthetic-gguf.ts';

const TYPES: readonly WeightType[] = ['f16', 'q8_0', 'q4_0'];
const [size, type, out = 'bench-models'] = process.argv.slice(2);

if (!size || !(size in MODEL_SIZES) || !TYPES.includes(type as WeightType)) {
  console.error(
    `usage: npm run bench:models -- <${Object.keys(MODEL_SIZES).join('|')}> <${TYPES.join('|')}> [out dir]`,
  );
  process.exit(2);
}
const model = { size: size as ModelSize, type: type as WeightType };
const dir = resolve(out);
mkdirSync(dir, { recursive: true });
const path = join(dir, syntheticFileName(model));
const started = Date.now();
const { bytes, parameters } = writeSyntheticGguf(
  path,
  model,
  join(sharedModelsDir(), 'llama-2-tiny-random.gguf'),
);
console.log(
  `${path}: ${(parameters / 1e6).toFixed(1)}M parameters, ${(bytes / 1e6).toFixed(1)} MB, ${Date.now() - started} ms`,
);
