import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData, ChartSeriesSpec } from './chart-model';

/*
 * The drill chart drawn with uPlot (this module is its own chunk: drill-chart-lazy.tsx loads
 * it on first use, so uPlot stays out of the initial JavaScript). Probe requests are points
 * (latency, log scale); transitions, VIP moves and phases are vertical lines with a label;
 * log lines are ticks in one lane per host along the bottom. New data goes in with setData,
 * so a live drill redraws without rebuilding the chart.
 */

export interface DrillChartProps {
  data: ChartData;
  /** Text for the legend and axes, already in the reader's language. */
  labels: {
    series: (s: ChartSeriesSpec) => string;
    xAxis: string;
    yAxis: string;
  };
  /** Hosts that get a log lane, top to bottom. */
  lanes: readonly string[];
  height?: number;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

const VIA_COLOURS = ['--blue', '--green', '--amber', '--grey'];

function colourOf(s: ChartSeriesSpec, vias: string[]): string {
  if (s.outcome === 'failed')
    return s.target === 'vip' ? cssVar('--red', '#c4212b') : cssVar('--orange', '#b34700');
  // A load balancer's own address: grey, so the VIP's colours stay the LBs'.
  if (s.target !== 'vip') return cssVar('--grey', '#6b7580');
  const i = Math.max(0, vias.indexOf(s.via ?? ''));
  return cssVar(VIA_COLOURS[i % VIA_COLOURS.length] ?? '--blue', '#0b5cad');
}

const LANE_H = 10;

function drawMarks(u: uPlot, data: ChartData, lanes: readonly string[]): void {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const dpr = devicePixelRatio;
  const text = cssVar('--text', '#1c2128');
  const muted = cssVar('--muted', '#5c6672');
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  let labelRow = 0;
  for (const { x, mark } of data.marks) {
    const px = u.valToPos(x, 'x', true);
    if (mark.kind === 'log') {
      const lane = Math.max(0, lanes.indexOf(mark.node ?? ''));
      const y = top + height - (lanes.length - lane) * LANE_H * dpr;
      ctx.fillStyle = mark.source === 'nginx' ? muted : text;
      ctx.fillRect(px, y + 1 * dpr, 1.5 * dpr, (LANE_H - 2) * dpr);
      continue;
    }
    ctx.strokeStyle = mark.kind === 'phase' ? muted : text;
    ctx.setLineDash(mark.kind === 'phase' ? [4 * dpr, 4 * dpr] : []);
    ctx.lineWidth = dpr;
    ctx.beginPath();
    ctx.moveTo(px, top);
    ctx.lineTo(px, top + height);
    ctx.stroke();
    ctx.fillStyle = text;
    ctx.fillText(mark.label, px + 3 * dpr, top + (12 + 12 * (labelRow % 4)) * dpr);
    labelRow += 1;
  }
  ctx.restore();
}

function optionsFor(
  props: DrillChartProps,
  width: number,
  current: () => DrillChartProps,
): uPlot.Options {
  const { data, labels, lanes } = props;
  const vias = [...new Set(data.series.map((s) => s.via).filter((v): v is string => v !== null))];
  const axisStroke = cssVar('--muted', '#5c6672');
  const grid = { stroke: cssVar('--line-soft', '#edf0f3'), width: 1 };
  return {
    width,
    height: props.height ?? 320,
    scales: { x: { time: false }, ms: { distr: 3, log: 10 } },
    legend: { live: false },
    cursor: { drag: { x: true, y: false } },
    axes: [
      {
        label: labels.xAxis,
        stroke: axisStroke,
        grid,
        values: (_u, ticks) => ticks.map((t) => `${t}s`),
      },
      { scale: 'ms', label: labels.yAxis, stroke: axisStroke, grid, size: 56 },
    ],
    series: [
      {},
      ...data.series.map((s) => ({
        label: labels.series(s),
        scale: 'ms',
        stroke: colourOf(s, vias),
        fill: colourOf(s, vias),
        paths: () => null,
        points: { show: true, size: s.outcome === 'failed' ? 5 : 3, fill: colourOf(s, vias) },
      })),
    ],
    padding: [8, 12, lanes.length * LANE_H + 4, 0],
    hooks: { draw: [(u) => drawMarks(u, current().data, current().lanes)] },
  };
}

export default function DrillChart(props: DrillChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = props.data.series.map((s) => s.key).join('|') + `#${props.lanes.join(',')}`;
  const latest = useRef(props);
  // Declared first, so it runs before the effects below read it.
  useEffect(() => {
    latest.current = props;
  });

  // The chart is rebuilt only when its series change; new points go in with setData.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot(
      optionsFor(latest.current, el.clientWidth || 800, () => latest.current),
      latest.current.data.aligned,
      el,
    );
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: u.height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(props.data.aligned);
  }, [props.data, props.lanes]);

  return <div ref={box} className="drill-chart" data-testid="drill-chart" />;
}
