import type { DrillReport, DrillStatus } from '@keepwatch/shared';
import type { Lang } from '../../i18n/dictionary';
import type { DrillsMessages } from './drills-i18n';

/*
 * The report's figures as rows of words, pure (report-view.tsx draws them):
 *
 *   RF-1 downtime first, then its three parts (detection, takeover, convergence) as sub-rows;
 *        a part the drill could not measure reads "not measured", never 0.
 *   RF-2 requests: failed of total, and who answered (per load balancer, busiest first).
 *   RF-3 the bound from the live config: expected with its range, and its parts.
 *   RF-4 booleans read yes/no; the check script's null reads "not measured".
 */

export type Verdict = 'passed' | 'failed' | 'aborted' | 'interrupted' | 'running';

export function verdictOf(status: DrillStatus): Verdict {
  return status;
}

export interface FigureRow {
  key: string;
  label: string;
  value: string;
  sub?: boolean;
}

export function figureRows(r: DrillReport, t: DrillsMessages, lang: Lang): FigureRow[] {
  const ms = (v: number | null): string => (v === null ? t.notMeasured : t.ms(v));
  const yes = (v: boolean | null): string => (v === null ? t.notMeasured : v ? t.yes : t.no);
  const answered = Object.entries(r.answeredBy)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([lb, n]) => `${lb} ${n}`)
    .join(', ');
  const rows: FigureRow[] = [
    { key: 'downtime', label: t.fig.downtime, value: t.ms(r.downtimeMs) },
    { key: 'detection', label: t.fig.detection, value: ms(r.detectionMs), sub: true },
    { key: 'takeover', label: t.fig.takeover, value: ms(r.takeoverMs), sub: true },
    { key: 'convergence', label: t.fig.convergence, value: ms(r.convergenceMs), sub: true },
    {
      key: 'failedRequests',
      label: t.fig.failedRequests,
      value: t.failedOf(r.failedRequests, r.totalRequests),
    },
    { key: 'totalRequests', label: t.fig.totalRequests, value: String(r.totalRequests) },
    { key: 'answeredBy', label: t.fig.answeredBy, value: answered || t.none },
    {
      key: 'probe',
      label: t.fig.probeInterval,
      value: t.probeValue(r.probeIntervalMs, r.probeTimeoutMs, r.probeFrom),
    },
    { key: 'newMaster', label: t.fig.newMaster, value: r.newMaster ?? t.none },
    { key: 'timeToNewMaster', label: t.fig.timeToNewMaster, value: ms(r.timeToNewMasterMs) },
    {
      key: 'failback',
      label: t.fig.failback,
      value: t.failbackValue(
        t.ms(r.failback.disruptionMs),
        r.failback.failedRequests,
        ms(r.failback.timeMs),
      ),
    },
  ];
  if (r.bound) {
    const b = r.bound;
    rows.push({
      key: 'bound',
      label: t.fig.bound,
      value:
        b.expectedMs === null
          ? t.none
          : t.boundValue(t.ms(b.expectedMs), ms(b.lowMs), ms(b.highMs)),
    });
    for (const p of b.parts) {
      rows.push({ key: `bound-${p.name}`, label: p.text[lang], value: t.ms(p.ms), sub: true });
    }
  }
  rows.push(
    { key: 'splitBrain', label: t.fig.splitBrain, value: yes(r.splitBrainSeen) },
    { key: 'checkScript', label: t.fig.checkScript, value: yes(r.checkScriptFired) },
    { key: 'restored', label: t.fig.restored, value: yes(r.restored) },
  );
  return rows;
}
