import { sameModel } from '../../shared/model-keys.ts';
import type { LabRow, LabRun } from './lab-types.ts';

const times = (ratio: number) => `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}×`;

/** "3.4× smaller", "1.2× larger", "about the same size". */
function sizeWords(size: number, reference: number): string {
  const ratio = reference / size;
  if (Math.abs(ratio - 1) < 0.05) return 'about the same size as';
  return ratio > 1 ? `${times(ratio)} smaller than` : `${times(1 / ratio)} larger than`;
}

/** "decode 2.1× faster", "decode 1.3× slower", "decode as fast". */
function speedWords(decode: number, reference: number): string {
  const ratio = decode / reference;
  if (Math.abs(ratio - 1) < 0.05) return 'decode about as fast';
  return ratio > 1 ? `decode ${times(ratio)} faster` : `decode ${times(1 / ratio)} slower`;
}

/**
 * One plain sentence per measured variant against the reference, e.g. "Q4_K_M: 3.4× smaller
 * than F16, same top token 97 %, perplexity +2.7 %, decode 2.1× faster on this device". Parts
 * that were not measured are left out; a failed variant says so.
 */
export function verdicts(run: LabRun): string[] {
  const reference = referenceRow(run);
  return run.rows
    .filter((row) => row !== reference)
    .map((row) => {
      if (row.status !== 'done')
        return `${row.variant.label}: ${row.status === 'failed' ? 'failed' : 'cancelled'}.`;
      const parts: string[] = [];
      if (reference?.sizeBytes && row.sizeBytes) {
        parts.push(`${sizeWords(row.sizeBytes, reference.sizeBytes)} ${reference.variant.label}`);
      }
      if (row.quality) {
        parts.push(`same top token ${(row.quality.sameTop * 100).toFixed(0)} %`);
        const change = (row.quality.perplexity.ratio - 1) * 100;
        parts.push(`perplexity ${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(1)} %`);
      }
      const decode = row.speeds[0]?.decode.median;
      const referenceDecode = reference?.speeds[0]?.decode.median;
      if (decode && referenceDecode)
        parts.push(`${speedWords(decode, referenceDecode)} on this device`);
      return `${row.variant.label}: ${parts.length > 0 ? parts.join(', ') : 'measured'}.`;
    });
}

/** The row of the run's reference variant, if it finished. */
export function referenceRow(run: LabRun): LabRow | undefined {
  const { reference } = run;
  return reference ? run.rows.find((row) => sameModel(row.variant.spec, reference)) : undefined;
}
