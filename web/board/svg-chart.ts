import { texts } from '../../texts';
import { escapeHtml } from './html';

export interface ChartSeries {
  name: string;
  colour: string;
  values: (number | null)[];
} // one value per x label; null = no data (gap)

export interface LineChartOptions {
  title: string;
  labels: string[];
  series: ChartSeries[];
  formatValue: (v: number) => string;
  /** Shown instead of lines when there is no value at all; the Chinese catalogue's when not given. */
  noData?: string;
  yMin?: number;
  yMax?: number;
  width?: number;
  height?: number;
}

interface Frame {
  left: number;
  right: number;
  top: number;
  bottom: number;
  yMin: number;
  yMax: number;
  count: number;
}

const PAD = { left: 56, right: 12, top: 28, bottom: 26 };
const TICK_INTERVALS = 4;
const MAX_X_LABELS = 12;

/** An inline, self-contained SVG line chart that scales to its container. */
export function renderLineChart(options: LineChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 220;
  const open = `<svg xmlns="http://www.w3.org/2000/svg" class="line-chart" role="img" aria-label="${escapeHtml(options.title)}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMidYMid meet" font-size="11" font-family="inherit">`;
  const values = options.series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0 || options.labels.length === 0) {
    return `${open}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" dominant-baseline="middle" fill="#80868b" font-size="14">${escapeHtml(options.noData ?? texts('zh').board.charts.noData)}</text></svg>`;
  }
  const [yMin, yMax] = yRange(values, options.yMin, options.yMax);
  const frame: Frame = {
    left: PAD.left,
    right: width - PAD.right,
    top: PAD.top,
    bottom: height - PAD.bottom,
    yMin,
    yMax,
    count: options.labels.length,
  };
  return [
    open,
    gridLines(frame, options.formatValue),
    xLabels(frame, options.labels),
    ...options.series.map((s) => seriesMarks(frame, s, options.labels, options.formatValue)),
    legend(options.series, width),
    '</svg>',
  ].join('');
}

function yRange(values: number[], fixedMin?: number, fixedMax?: number): [number, number] {
  const min = fixedMin ?? 0;
  if (fixedMax !== undefined && fixedMax > min) return [min, fixedMax];
  const span = Math.max(...values) - min;
  if (span <= 0) return [min, min + TICK_INTERVALS];
  return [min, min + niceStep(span / TICK_INTERVALS) * TICK_INTERVALS];
}

/** The smallest of 1, 2, 2.5, 5, 10 (times a power of ten) that is at least `raw`, so tick labels stay round. */
function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 2.5, 5, 10].find((n) => n * magnitude >= raw) ?? 10;
  return nice * magnitude;
}

function xAt(frame: Frame, index: number): number {
  return frame.left + ((index + 0.5) * (frame.right - frame.left)) / frame.count;
}

function yAt(frame: Frame, value: number): number {
  const ratio = (value - frame.yMin) / (frame.yMax - frame.yMin);
  const clamped = Math.min(1, Math.max(0, ratio));
  return frame.bottom - clamped * (frame.bottom - frame.top);
}

function gridLines(frame: Frame, formatValue: (v: number) => string): string {
  const lines: string[] = [];
  for (let i = 0; i <= TICK_INTERVALS; i++) {
    // toPrecision drops float noise such as 0.30000000000000004 before formatValue sees it
    const value = Number((frame.yMin + ((frame.yMax - frame.yMin) * i) / TICK_INTERVALS).toPrecision(12));
    const y = round(yAt(frame, value));
    const stroke = i === 0 ? '#9aa0a6' : '#e8eaed';
    lines.push(
      `<line x1="${frame.left}" y1="${y}" x2="${frame.right}" y2="${y}" stroke="${stroke}" stroke-width="1"/>`,
      `<text x="${frame.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#5f6368">${escapeHtml(formatValue(value))}</text>`,
    );
  }
  return `<g class="y-axis">${lines.join('')}</g>`;
}

function xLabels(frame: Frame, labels: string[]): string {
  const every = Math.ceil(labels.length / MAX_X_LABELS);
  const texts = labels.map((label, i) =>
    i % every === 0
      ? `<text x="${round(xAt(frame, i))}" y="${frame.bottom + 16}" text-anchor="middle" fill="#5f6368">${escapeHtml(label)}</text>`
      : '',
  );
  return `<g class="x-axis">${texts.join('')}</g>`;
}

/** One polyline per unbroken run of values, so a null leaves a visible gap, plus a dot with a tooltip per value. */
function seriesMarks(frame: Frame, series: ChartSeries, labels: string[], formatValue: (v: number) => string): string {
  const colour = escapeHtml(series.colour);
  const runs: string[][] = [];
  let run: string[] = [];
  const dots: string[] = [];
  series.values.slice(0, labels.length).forEach((value, i) => {
    if (value === null || !Number.isFinite(value)) {
      run = [];
      return;
    }
    if (run.length === 0) runs.push(run);
    const x = round(xAt(frame, i));
    const y = round(yAt(frame, value));
    run.push(`${x},${y}`);
    const tip = `${labels[i] ?? ''} ${series.name}: ${formatValue(value)}`;
    dots.push(`<circle cx="${x}" cy="${y}" r="3.5" fill="${colour}"><title>${escapeHtml(tip)}</title></circle>`);
  });
  const polylines = runs
    .filter((points) => points.length > 1)
    .map(
      (points) =>
        `<polyline points="${points.join(' ')}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
  return `<g class="series" data-series="${escapeHtml(series.name)}">${polylines.join('')}${dots.join('')}</g>`;
}

/** Legend entries laid out right-to-left from the top-right corner; width estimated from the name length. */
function legend(series: ChartSeries[], width: number): string {
  let x = width - PAD.right;
  const items = [...series].reverse().map((s) => {
    const textWidth = [...s.name].reduce((w, ch) => w + (ch.charCodeAt(0) > 0xff ? 11 : 6.5), 0);
    x -= textWidth + 18;
    const item = `<g class="legend-item"><rect x="${round(x)}" y="8" width="10" height="10" rx="2" fill="${escapeHtml(s.colour)}"/><text x="${round(x + 14)}" y="13" dominant-baseline="middle" fill="#3c4043">${escapeHtml(s.name)}</text></g>`;
    x -= 8;
    return item;
  });
  return `<g class="legend">${items.reverse().join('')}</g>`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
