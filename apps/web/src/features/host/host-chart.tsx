import { useEffect, useRef, useState } from 'react';
import type { HistorySeriesPoint } from '@keepwatch/shared';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';

const DAY_MS = 86_400_000;

/**
 * One stored series (min/avg/max per minute over 24 h) drawn with uPlot, which is loaded on
 * first use (its own chunk, not in the initial bundle).
 */
export function HostChart({
  cluster,
  node,
  metric,
  now,
}: {
  cluster: string;
  node: string;
  metric: string;
  now: number;
}) {
  const { t, fmt } = useI18n();
  const { api } = useServices();
  const box = useRef<HTMLDivElement>(null);
  const [points, setPoints] = useState<HistorySeriesPoint[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Asked once per page visit: the chart is history, the live state is elsewhere on the page.
  const [to] = useState(now);
  useEffect(() => {
    let gone = false;
    api.series({ cluster, node, metric, from: to - DAY_MS, to, step: 'minute' }).then(
      (r) => !gone && setPoints(r.points),
      (err: unknown) => !gone && setError((err as Error).message),
    );
    return () => {
      gone = true;
    };
  }, [api, cluster, node, metric, to]);
  useEffect(() => {
    const el = box.current;
    if (!el || !points || points.length === 0) return;
    let plot: { destroy(): void } | undefined;
    let gone = false;
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([mod]) => {
      if (gone) return;
      const UPlot = mod.default;
      const xs = points.map((p) => p.ts / 1000);
      plot = new UPlot(
        {
          width: Math.max(280, el.clientWidth),
          height: 160,
          tzDate: (ts) => new Date(ts * 1000),
          series: [
            { value: (_u, v) => (v === null ? '—' : fmt.time(v * 1000)) },
            { label: 'max', stroke: '#c4212b', width: 1 },
            { label: 'avg', stroke: '#0b5cad', width: 2 },
            { label: 'min', stroke: '#1a7f37', width: 1 },
          ],
          axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor' }],
        },
        [xs, points.map((p) => p.max), points.map((p) => p.avg), points.map((p) => p.min)],
        el,
      );
    });
    return () => {
      gone = true;
      plot?.destroy();
    };
  }, [points, fmt]);
  const title = t.host.metrics[metric.replace('.', '-')] ?? metric;
  return (
    <figure className="host-chart" data-testid={`chart-${metric}`}>
      <figcaption>
        {title}{' '}
        <span className="muted small">
          · {t.host.chartRange} · {fmt.zone}
        </span>
      </figcaption>
      {error ? (
        <p className="state state-error">{t.shell.loadFailed(error)}</p>
      ) : points === null ? (
        <p className="muted small">{t.host.chartLoading}</p>
      ) : points.length === 0 ? (
        <p className="muted small" data-testid="chart-empty">
          {t.host.chartEmpty}
        </p>
      ) : (
        <div ref={box} className="host-chart-plot" role="img" aria-label={title} />
      )}
    </figure>
  );
}
