import {
  Chart,
  LinearScale,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type Plugin,
} from 'chart.js';
import { useEffect, useRef } from 'react';

// Only the pieces a scatter chart needs, so the bundle carries no other chart type.
Chart.register(ScatterController, LinearScale, LogarithmicScale, PointElement, Tooltip);

export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
}

/** Writes each point's label beside it: with six points at most, a legend would only hide them. */
const pointLabels: Plugin<'scatter'> = {
  id: 'point-labels',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const points = chart.data.datasets[0]?.data as ScatterPoint[] | undefined;
    const elements = chart.getDatasetMeta(0).data;
    ctx.save();
    ctx.fillStyle = cssVar(chart.canvas, '--text', '#222');
    ctx.font = '12px system-ui, sans-serif';
    elements.forEach((element, i) => {
      const label = points?.[i]?.label;
      if (!label) return;
      // Near the right edge the label goes to the left of its point, so it is never cut off.
      const width = ctx.measureText(label).width;
      const right = element.x + 7 + width > chart.chartArea.right;
      ctx.fillText(label, right ? element.x - 7 - width : element.x + 7, element.y - 7);
    });
    ctx.restore();
  },
};

const cssVar = (element: Element, name: string, fallback: string) =>
  getComputedStyle(element).getPropertyValue(name).trim() || fallback;

/**
 * A scatter chart on a canvas (Chart.js), with each point labelled. A canvas is a picture to
 * assistive technology: `label` names it, and the caller puts the same data in a table beside it.
 * Colours follow the page's theme (its CSS custom properties).
 */
export function ScatterChart({
  points,
  label,
  xTitle,
  yTitle,
  logY = false,
}: {
  points: ScatterPoint[];
  label: string;
  xTitle: string;
  yTitle: string;
  logY?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const text = cssVar(element, '--muted', '#666');
    const grid = cssVar(element, '--border', '#ddd');
    const accent = cssVar(element, '--accent', '#1f5fbf');
    const axis = (title: string) => ({
      title: { display: true, text: title, color: text },
      ticks: { color: text },
      grid: { color: grid },
    });
    const chart = new Chart(element, {
      type: 'scatter',
      data: {
        datasets: [{ data: points, backgroundColor: accent, pointRadius: 5, pointHoverRadius: 7 }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        layout: { padding: { top: 16, right: 12 } },
        scales: {
          x: { type: 'linear', ...axis(xTitle) },
          y: { type: logY ? 'logarithmic' : 'linear', ...axis(yTitle) },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => {
                const point = item.raw as ScatterPoint;
                return `${point.label}: ${point.x.toPrecision(3)}, ${point.y.toPrecision(3)}`;
              },
            },
          },
        },
      },
      plugins: [pointLabels],
    });
    return () => chart.destroy();
  }, [points, xTitle, yTitle, logY]);

  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
