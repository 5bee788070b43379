import { useState } from 'react';
import { formatCount } from '../../../lib/format.ts';
import { useChatStore } from '../chat-context.tsx';
import type { ImportReport } from '../chat-import.ts';

/** What an import did, in a sentence. */
function reportText(report: Extract<ImportReport, { ok: true }>): string {
  const { added, alreadyStored } = report;
  if (added === 0)
    return `Nothing new: the ${formatCount(alreadyStored, 'chat')} in the file are already here.`;
  const already =
    alreadyStored > 0 ? ` ${formatCount(alreadyStored, 'other')} were already here.` : '';
  return `Imported ${formatCount(added, 'chat')}.${already}`;
}

/**
 * Reads a file written by "Export all" back in. The file is checked whole first: a damaged or
 * hostile one is refused with the reason and changes nothing.
 */
export function ImportChats() {
  const chat = useChatStore();
  const [report, setReport] = useState<ImportReport | null>(null);
  const [reading, setReading] = useState(false);

  return (
    <>
      <label className="file-button">
        Import chats
        <input
          type="file"
          accept=".json,application/json"
          disabled={reading}
          onChange={(event) => {
            const input = event.currentTarget;
            const file = input.files?.[0];
            if (!file) return;
            setReading(true);
            setReport(null);
            void chat.importChats(file).then((result) => {
              setReport(result);
              setReading(false);
              input.value = ''; // so that the same file can be picked again
            });
          }}
        />
      </label>
      {/* One live region, present before its text changes, so that screen readers say each step. */}
      {/* Not role=status: the page has one status, the loaded model. */}
      <p aria-live="polite">
        {reading ? 'Reading the file…' : report?.ok ? reportText(report) : ''}
      </p>
      {report && !report.ok && (
        <p role="alert" className="alert">
          Not imported. {report.reason}
        </p>
      )}
    </>
  );
}
