import type { DrillTransition } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { relativeSeconds } from './chart-model';
import { word } from './drills-i18n';
import { timelineRows } from './drills-model';

/**
 * The chart's readable twin: the transitions and both hosts' keepalived/nginx log lines in
 * one table on the same time axis (seconds after the fault, and the wall-clock time with its
 * zone in the header).
 */
export function DrillTimelineTable({
  t0,
  transitions,
  logs,
  testId,
}: {
  t0: number;
  transitions: readonly DrillTransition[];
  logs: readonly { at: number; node: string; source: string; text: string }[];
  testId: string;
}) {
  const { t, fmt } = useI18n();
  const rows = timelineRows(transitions, logs);
  if (rows.length === 0) return <p className="muted small">{t.drills.logsEmpty}</p>;
  return (
    <div className="drill-table-wrap" tabIndex={0} role="region" aria-label={t.drills.logsTitle}>
      <table className="kw-table drill-rows" data-testid={testId}>
        <thead>
          <tr>
            <th>{t.drills.colRelative}</th>
            <th>
              {t.drills.colTime} <span className="muted">({fmt.zone})</span>
            </th>
            <th>{t.drills.colHost}</th>
            <th>{t.drills.colSource}</th>
            <th>{t.drills.colLine}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} className={`row-${r.what}`} data-what={r.what} data-node={r.node}>
              <td className="mono nowrap">{relativeSeconds((r.at - t0) / 1000)}</td>
              <td className="mono nowrap">{fmt.clock(r.at)}</td>
              <td>{r.node}</td>
              <td>
                {r.what === 'transition' ? word(t.drills.transitionKinds, r.source) : r.source}
              </td>
              <td className={r.what === 'log' ? 'mono' : ''}>{r.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
