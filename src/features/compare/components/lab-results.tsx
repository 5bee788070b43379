import { useMemo, useState } from 'react';
import { ScatterChart, type ScatterPoint } from '../../../components/ui/scatter-chart.tsx';
import { formatBackend } from '../../../lib/format.ts';
import { saveFile } from '../../../lib/save-file.ts';
import { divergenceIndex } from '../answer-divergence.ts';
import { useLabStore } from '../lab-context.tsx';
import { labColumns, labCsv, labMarkdown, type LabColumn } from '../lab-table.ts';
import type { LabRow, LabRun } from '../lab-types.ts';
import { referenceRow, verdicts } from '../verdict.ts';

const MB = 1_000_000;

type Sort = { key: string; descending: boolean };

function compareBy(column: LabColumn, descending: boolean) {
  return (a: LabRow, b: LabRow) => {
    const x = column.value(a);
    const y = column.value(b);
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1; // nulls last
    const order =
      typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return descending ? -order : order;
  };
}

/** The results table: one row per variant, sortable by any column (press its header). */
function ResultsTable({ run }: { run: LabRun }) {
  const columns = useMemo(() => labColumns(run), [run]);
  const [sort, setSort] = useState<Sort | null>(null);
  const column = sort && columns.find((c) => c.key === sort.key);
  const rows = column ? [...run.rows].sort(compareBy(column, sort.descending)) : run.rows;
  return (
    <div className="table-scroll">
      <table aria-label="Comparison results" className="lab-results-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                aria-sort={
                  sort?.key === c.key ? (sort.descending ? 'descending' : 'ascending') : undefined
                }
              >
                <button
                  type="button"
                  className="sort"
                  onClick={() =>
                    setSort({
                      key: c.key,
                      descending: sort?.key === c.key ? !sort.descending : c.numeric,
                    })
                  }
                >
                  {c.header}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr
              key={row.variant.label + String(index)}
              className={row.status !== 'done' ? 'failed' : ''}
            >
              {columns.map((c, i) =>
                i === 0 ? (
                  <th key={c.key} scope="row">
                    {c.text(row)}
                  </th>
                ) : (
                  <td key={c.key} className={c.numeric ? 'num' : ''}>
                    {c.text(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A chart and, beside it, the same points as a table (a canvas is only a picture to a screen reader). */
function ChartWithTable({
  title,
  points,
  xTitle,
  yTitle,
  logY,
  format,
}: {
  title: string;
  points: ScatterPoint[];
  xTitle: string;
  yTitle: string;
  logY?: boolean;
  format: (y: number) => string;
}) {
  if (points.length === 0) return null;
  return (
    <figure className="lab-chart">
      <figcaption>{title}</figcaption>
      <ScatterChart points={points} label={title} xTitle={xTitle} yTitle={yTitle} logY={logY} />
      <table aria-label={`${title}: data`} className="chart-data">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">{xTitle}</th>
            <th scope="col">{yTitle}</th>
          </tr>
        </thead>
        <tbody>
          {points.map((point) => (
            <tr key={point.label}>
              <th scope="row">{point.label}</th>
              <td className="num">{point.x.toFixed(1)}</td>
              <td className="num">{format(point.y)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** A chart's point label: the quantization where known (the family is the same for all). */
const shortLabel = (row: LabRow) => row.variant.quantization ?? row.variant.label;

function Charts({ run }: { run: LabRun }) {
  const sized = run.rows.filter((row) => row.status === 'done' && row.sizeBytes !== null);
  const quality = sized.flatMap((row) =>
    row.quality && row.quality.kld.mean > 0
      ? [{ x: (row.sizeBytes ?? 0) / MB, y: row.quality.kld.mean, label: shortLabel(row) }]
      : [],
  );
  const speed = sized.flatMap((row) =>
    row.speeds[0]
      ? [{ x: (row.sizeBytes ?? 0) / MB, y: row.speeds[0].decode.median, label: shortLabel(row) }]
      : [],
  );
  return (
    <div className="lab-charts">
      <ChartWithTable
        title="Quality loss (KL divergence from the reference) against size"
        points={quality}
        xTitle="Size (MB)"
        yTitle="KLD"
        logY
        format={(y) => y.toFixed(5)}
      />
      <ChartWithTable
        title="Decode speed against size"
        points={speed}
        xTitle="Size (MB)"
        yTitle="Decode tok/s"
        format={(y) => y.toFixed(1)}
      />
    </div>
  );
}

/** Each variant's greedy answer to each prompt, with where it departs from the reference marked. */
function Answers({ run }: { run: LabRun }) {
  const reference = referenceRow(run) ?? run.rows.find((row) => row.answers.length > 0);
  const answered = run.rows.filter((row) => row.answers.length > 0);
  const prompts = reference?.answers.map((answer) => answer.prompt) ?? [];
  if (prompts.length === 0) return null;
  return (
    <section aria-label="Greedy answers" className="lab-answers">
      <h4>Greedy answers, side by side</h4>
      <p className="muted">
        Marked from where each departs from the reference ({reference?.variant.label}).
      </p>
      {prompts.map((prompt, p) => (
        <div key={prompt} className="answer-group">
          <h5>{prompt}</h5>
          <div className="answer-grid">
            {answered.map((row) => {
              const text = row.answers[p]?.text ?? '';
              const at =
                row === reference ? null : divergenceIndex(reference?.answers[p]?.text ?? '', text);
              return (
                <article key={row.variant.label} aria-label={`${row.variant.label} answer`}>
                  <h6>{row.variant.label}</h6>
                  <p>
                    {at === null ? (
                      text
                    ) : (
                      <>
                        {text.slice(0, at)}
                        <mark title="differs from the reference from here">
                          {text.slice(at) || '∅'}
                        </mark>
                      </>
                    )}
                  </p>
                </article>
              );
            })}
          </div>
        </div>
      ))}
    </section>
  );
}

/**
 * What was scored and how its tokens were found, with the engine's own count as the check that
 * they are the canonical ones (llama-perplexity scores the canonical tokenization).
 */
function evaluationNote(evaluation: NonNullable<LabRun['evaluation']>): string {
  const { tokens, promptTokens, canonicalTokens, topK, tokenization } = evaluation;
  const scored = `Scored on ${tokens.length} tokens after a ${promptTokens}-token context, top-${topK}.`;
  const engineCount = canonicalTokens === null ? null : canonicalTokens - promptTokens;
  if (tokenization.kind === 'greedy') {
    return `${scored} This model's tokenizer cannot be reproduced here (${tokenization.reason}), so the model chose its own tokens that spell the text${
      engineCount === null
        ? ''
        : `: ${tokens.length} where llama.cpp's tokenization has ${engineCount}`
    }; perplexity is then higher than llama-perplexity would say.`;
  }
  if (engineCount === null || engineCount === tokens.length) {
    return `${scored} The tokens are llama.cpp's own tokenization of the text${
      engineCount === null ? '' : ', and the engine counts the same'
    }.`;
  }
  return `${scored} The engine counts ${engineCount} tokens for this text where the lab's tokenizer made ${tokens.length}: read the perplexity with care.`;
}

const fileStem = (run: LabRun) =>
  `tab-llm-compare-${new Date(run.startedAt).toISOString().slice(0, 19).replaceAll(':', '-')}`;

/** A finished (or opened) comparison: verdicts, the table, charts, answers, exports. */
export function LabResults({ run }: { run: LabRun }) {
  const lab = useLabStore();
  const reference = referenceRow(run);
  const evaluation = run.evaluation;
  return (
    <section className="lab-results" aria-label="Comparison">
      <h3>
        Results · {new Date(run.startedAt).toLocaleString()}
        {run.cancelled && ' (cancelled)'}
      </h3>
      <p className="muted">
        {reference ? `Reference: ${reference.variant.label}. ` : 'No variant could be scored. '}
        {evaluation && evaluationNote(evaluation)}{' '}
        {run.rows[0]?.speeds[0] && `Speed on ${formatBackend(run.rows[0].speeds[0].backend)}.`}
      </p>
      <ul className="verdicts">
        {verdicts(run).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <ResultsTable run={run} />
      <Charts run={run} />
      <Answers run={run} />
      <div className="button-row">
        <button
          type="button"
          onClick={() =>
            saveFile(`${fileStem(run)}.json`, JSON.stringify(run, null, 2), 'application/json')
          }
        >
          Export JSON
        </button>
        <button
          type="button"
          onClick={() => saveFile(`${fileStem(run)}.csv`, labCsv(run), 'text/csv')}
        >
          Export CSV
        </button>
        <button
          type="button"
          onClick={() => saveFile(`${fileStem(run)}.md`, labMarkdown(run), 'text/markdown')}
        >
          Export Markdown
        </button>
        <button type="button" onClick={() => lab.again(run)}>
          Pick these again
        </button>
      </div>
    </section>
  );
}
