import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs the project's boundary check (the same config `npm run lint` uses) on a folder. */
function violations(folder: string): Violation[] {
  let out: string;
  try {
    out = execFileSync(
      'npx',
      ['depcruise', folder, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
      { encoding: 'utf8' },
    );
  } catch (failed) {
    // depcruise exits non-zero when it finds violations; its report is still on stdout.
    out = (failed as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

describe('import boundaries', () => {
  it('catches wrong imports by their resolved path, however they are spelled', () => {
    const found = violations('scripts/boundaries/fixture/src').map(
      (v) =>
        `${v.rule.name}: ${v.from.replace(/.*\/src\//, '')} → ${v.to.replace(/.*\/src\//, '')}`,
    );
    expect(found.sort()).toEqual([
      'app-not-engine: widget/page.ts → engine/worker-side.ts',
      'embed-is-self-contained: embed/loader.ts → lib/helper.ts',
      'embed-is-self-contained: embed/loader.ts → shared/rule.ts',
      'engine-is-worker-only: engine/worker-side.ts → lib/helper.ts',
      'feature-to-feature: features/chat/components/leak.ts → features/models/catalog.ts',
      'shared-is-self-contained: shared/both-threads.ts → lib/helper.ts',
    ]);
  }, 60_000);

  it('finds none in the app', () => {
    expect(violations('src')).toEqual([]);
  }, 60_000);
});
