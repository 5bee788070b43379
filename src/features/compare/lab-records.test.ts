import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { openLabArchive } from './lab-archive.ts';
import { labMarkdown } from './lab-table.ts';
import type { LabRun } from './lab-types.ts';
import { verdicts } from './verdict.ts';

/** Every shape of saved comparison the app ever wrote opens through the archive's read path. */
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

type Tokenization = NonNullable<LabRun['evaluation']>['tokenization'];

const versions: [name: string, writtenBy: string, tokenization: Tokenization][] = [
  [
    'lab-run-v1-untokenized',
    '61e51ab: no tokenization (the model always chose the tokens)',
    {
      kind: 'greedy',
      reason: 'the run was saved by an earlier version, which did not reproduce tokenizers',
    },
  ],
  ['lab-run-v1', '6a8f587 (now): + how the scored tokens were found', { kind: 'canonical' }],
];

let n = 0;
async function listStored(records: unknown[]) {
  const store = createStore(`lab-records-${++n}`, 'runs');
  for (const [i, record] of records.entries()) await set(`key-${i}`, record, store);
  return openLabArchive(store).list();
}

describe('saved comparisons of every version', () => {
  it.each(versions)('%s (written by %s) opens', async (name, _, tokenization) => {
    const stored = fixture(name);
    const [run] = await listStored([stored]);
    expect(run).toMatchObject({ id: stored.id, cancelled: false });
    expect(run?.rows.map((row) => row.status)).toEqual(['done', 'done', 'failed']);
    expect(run?.rows[2]?.error).toMatchObject({ kind: 'download-failed', status: 404 });
    // The results view reads every one of these.
    expect(run?.evaluation).toMatchObject({ tokens: [415, 2501, 263, 931], tokenization });
    expect(labMarkdown(run as LabRun)).toContain('Q8_0');
    expect(verdicts(run as LabRun).length).toBeGreaterThan(0);
  });

  it('drops a damaged record and still lists the others', async () => {
    const run = fixture('lab-run-v1');
    const listed = await listStored([
      { ...run, id: 'v2', version: 2 },
      { ...run, id: 'no-rows', rows: null },
      { ...run, id: 'bad-row', rows: [{ status: 'done' }] },
      { ...run, id: 'bad-evaluation', evaluation: { tokens: 'x' } },
      ...versions.map(([name]) => fixture(name)),
    ]);
    expect(listed.map((r) => r.id).sort()).toEqual(
      versions.map(([name]) => fixture(name).id).sort(),
    );
  });
});
