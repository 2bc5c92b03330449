import type { Alert } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { firingDuration, relativeAge } from './alerts-model';

/* The two alert lists, presentational: sorted alerts and the (server-time) clock in. */

function Severity({ severity }: { severity: string }) {
  const { t } = useI18n();
  const label = severity in t.severity ? t.severity[severity as keyof typeof t.severity] : severity;
  return <span className={`alert-sev alert-sev-${severity}`}>{label}</span>;
}

function Ago({ now, at }: { now: number; at: number }) {
  const { t, fmt } = useI18n();
  const age = relativeAge(now, at, t.durationUnits);
  return (
    <span title={fmt.dateTime(at)}>{age === null ? t.alerts.justNow : t.alerts.ago(age)}</span>
  );
}

export function ActiveAlerts({ alerts, now }: { alerts: Alert[]; now: number }) {
  const { t, fmt } = useI18n();
  if (alerts.length === 0) {
    return (
      <p className="alerts-none" data-testid="alerts-none">
        {t.alerts.noneActive}
      </p>
    );
  }
  return (
    <table className="kw-table" data-testid="alerts-active">
      <thead>
        <tr>
          <th>{t.alerts.colSeverity}</th>
          <th>{t.alerts.colCluster}</th>
          <th>{t.alerts.colRule}</th>
          <th>{t.alerts.colMessage}</th>
          <th>{t.alerts.colSince}</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr key={a.id} data-alert-key={a.key} className={`alert-row-${a.severity}`}>
            <td>
              <Severity severity={a.severity} />
            </td>
            <td className="nowrap">{a.cluster}</td>
            <td className="mono small nowrap">{a.rule}</td>
            <td className="alert-msg">{fmt.finding(a)}</td>
            <td className="nowrap">
              <Ago now={now} at={a.firingAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RecentAlerts({ alerts, now }: { alerts: Alert[]; now: number }) {
  const { t, fmt } = useI18n();
  if (alerts.length === 0) return <p className="muted small">{t.alerts.noneRecent}</p>;
  return (
    <table className="kw-table kw-table-quiet" data-testid="alerts-recent">
      <thead>
        <tr>
          <th>{t.alerts.colSeverity}</th>
          <th>{t.alerts.colCluster}</th>
          <th>{t.alerts.colRule}</th>
          <th>{t.alerts.colMessage}</th>
          <th>{t.alerts.colResolved}</th>
          <th>{t.alerts.colLasted}</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr key={a.id} data-alert-key={a.key}>
            <td>
              <Severity severity={a.severity} />
            </td>
            <td className="nowrap">{a.cluster}</td>
            <td className="mono small nowrap">{a.rule}</td>
            <td className="alert-msg">{fmt.finding(a)}</td>
            <td className="nowrap">
              {a.resolvedAt !== null && <Ago now={now} at={a.resolvedAt} />}
            </td>
            <td className="nowrap muted">{firingDuration(a, t.durationUnits)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
