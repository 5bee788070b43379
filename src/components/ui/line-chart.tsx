import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  type ChartDataset,
} from 'chart.js';
import { useEffect, useRef } from 'react';

// Only the pieces a line chart on linear axes uses, so the rest of Chart.js is left out of the
// bundle. Canvas drawing needs no inline style attribute, so the CSP's `style-src 'self'` holds.
Chart.register(LineController, LineElement, PointElement, LinearScale, Legend);

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  label: string;
  points: readonly ChartPoint[];
}

type LineChartInstance = Chart<'line', ChartPoint[]>;

/**
 * Colours come from CSS custom properties on the canvas (`--chart-1`…`--chart-4`, `--chart-grid`,
 * `--chart-text`), so a chart follows the theme like everything else; read on every draw.
 */
function themeColours(canvas: HTMLCanvasElement) {
  const style = getComputedStyle(canvas);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    lines: [1, 2, 3, 4].map((n) => read(`--chart-${n}`, style.color)),
    grid: read('--chart-grid', 'rgba(128, 128, 128, 0.3)'),
    text: read('--chart-text', style.color),
    font: style.fontFamily,
  };
}

function datasets(series: readonly ChartSeries[], lines: string[]) {
  return series.map((s, i): ChartDataset<'line', ChartPoint[]> => ({
    label: s.label,
    data: [...s.points],
    borderColor: lines[i % lines.length],
    backgroundColor: lines[i % lines.length],
    borderWidth: 2,
    pointRadius: 0,
    tension: 0.25,
  }));
}

function applyTheme(chart: LineChartInstance, series: readonly ChartSeries[]) {
  const colours = themeColours(chart.canvas);
  chart.data.datasets = datasets(series, colours.lines);
  for (const scale of [chart.options.scales?.x, chart.options.scales?.y]) {
    if (!scale) continue;
    scale.grid = { ...scale.grid, color: colours.grid };
    scale.ticks = { ...scale.ticks, color: colours.text };
    if (scale.title) scale.title.color = colours.text;
  }
  const legend = chart.options.plugins?.legend;
  if (legend) legend.labels = { ...legend.labels, color: colours.text };
  chart.options.font = { ...chart.options.font, family: colours.font };
}

/**
 * A small line chart of one or more series on linear axes (Chart.js on a canvas), for any
 * feature: the chat's live speed, the lab's comparisons. New data is drawn at most once per
 * animation frame, without animation; the canvas is an image named by `label` for assistive
 * technology, which should also get the numbers as text elsewhere. Its size comes from CSS on
 * the wrapper (`className`).
 */
export function LineChart({
  series,
  label,
  xTitle,
  yTitle,
  className,
}: {
  series: readonly ChartSeries[];
  label: string;
  xTitle?: string;
  yTitle?: string;
  className?: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<LineChartInstance | null>(null);
  const latest = useRef(series);
  const frame = useRef<number | null>(null);

  useEffect(() => {
    const element = canvas.current;
    // No 2D context (a test DOM without canvas): the label still names the image.
    if (!element?.getContext('2d')) return;
    const title = (text: string | undefined) => ({ display: text !== undefined, text: text ?? '' });
    const instance: LineChartInstance = new Chart(element, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        events: [],
        layout: { padding: 2 },
        scales: {
          x: { type: 'linear', title: title(xTitle), ticks: { maxTicksLimit: 5 } },
          y: {
            type: 'linear',
            beginAtZero: true,
            title: title(yTitle),
            ticks: { maxTicksLimit: 4 },
          },
        },
        plugins: { legend: { display: latest.current.length > 1 } },
      },
    });
    chart.current = instance;
    applyTheme(instance, latest.current);
    instance.update('none');

    // The theme may change under a chart that is not getting new data.
    const redraw = () => {
      applyTheme(instance, latest.current);
      instance.update('none');
    };
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', redraw);
    const themeAttribute = new MutationObserver(redraw);
    themeAttribute.observe(document.documentElement, { attributeFilter: ['data-theme'] });
    return () => {
      scheme.removeEventListener('change', redraw);
      themeAttribute.disconnect();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      instance.destroy();
      chart.current = null;
    };
  }, [xTitle, yTitle]);

  useEffect(() => {
    latest.current = series;
    if (frame.current !== null || !chart.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const instance = chart.current;
      if (!instance) return;
      applyTheme(instance, latest.current);
      instance.update('none');
    });
  }, [series]);

  return (
    <div className={className ? `line-chart ${className}` : 'line-chart'}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
