import { useEngineValue } from '../../../lib/engine-context.tsx';
import { formatBytes } from '../../../lib/format.ts';
import { useStorageFacts } from '../../../lib/storage-estimate.ts';
import { useLab, useLabStore } from '../lab-context.tsx';
import { planLab, runOrder } from '../lab-plan.ts';
import type { LabFamily } from '../lab-types.ts';
import { LabPlanTable } from './lab-plan-table.tsx';
import { LabProgress } from './lab-progress.tsx';
import { LabResults } from './lab-results.tsx';
import { LabSettingsForm } from './lab-settings-form.tsx';
import { SavedRuns } from './saved-runs.tsx';
import { VariantPicker } from './variant-picker.tsx';
import './compare.css';

/**
 * The quantization lab: pick variants of one model, run them one after the other on this
 * device, and see size, speed and quality side by side (see `lab-runner.ts`).
 */
export function ComparePage({ families }: { families: LabFamily[] }) {
  const lab = useLabStore();
  const picked = useLab((s) => s.picked);
  const running = useLab((s) => s.running !== null);
  const shown = useLab((s) => s.shown);
  const problem = useLab((s) => s.problem);
  const stored = useEngineValue((s) => s.stored);
  const device = useEngineValue((s) => s.device);
  const heldElsewhere = useEngineValue((s) => s.heldBy !== null && !running);
  const facts = useStorageFacts(stored);
  const room = { usageBytes: facts.usageBytes, quotaBytes: facts.quotaBytes };
  const settings = useLab((s) => s.settings);
  const plan = planLab(runOrder(picked), stored, room, device, formatBytes, {
    prompt: settings.evaluationPrompt,
    target: settings.evaluationText,
  });

  return (
    <section className="compare" aria-labelledby="compare-title">
      <h2 id="compare-title">Compare quantizations</h2>
      <p className="muted">
        Size, speed and quality of one model&apos;s quantizations, measured here on this device:
        speed as llama-bench measures it (prefill and decode tokens per second), quality as
        llama.cpp&apos;s perplexity tool does (perplexity, KL divergence from the most precise
        variant, how often the most likely token is the same). Nothing leaves the device.
      </p>
      <VariantPicker families={families} />
      <LabPlanTable plan={plan} room={room} />
      <LabSettingsForm />
      {problem && (
        <p className="field-problem" role="alert">
          {problem}
        </p>
      )}
      {running ? (
        <LabProgress />
      ) : (
        <button
          type="button"
          className="primary"
          disabled={plan.refusal !== null || heldElsewhere}
          onClick={() => void lab.start()}
        >
          Run comparison
        </button>
      )}
      {shown && !running && <LabResults run={shown} />}
      <SavedRuns />
    </section>
  );
}
