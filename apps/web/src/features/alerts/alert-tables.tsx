import type { Alert } from '@keepwatch/shared';
import { Link } from 'wouter';
import type { Messages } from '../../i18n/dictionary';
import type { Format } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { ResourceTable, type Column } from '../../ui/resource-table';
import { firingDuration, relativeAge } from './alerts-model';

/* The two alert lists, presentational: sorted alerts and the (server-time) clock in. */

function Severity({ severity }: { severity: string }) {
  const { t } = useI18n();
  const label = severity in t.severity ? t.severity[severity as keyof typeof t.severity] : severity;
  return <span className={`alert-sev alert-sev-${severity}`}>{label}</span>;
}

/** The alert's cluster, linked to its moment on that cluster's timeline. */
function ClusterAt({ cluster, at }: { cluster: string; at: number }) {
  const { t } = useI18n();
  return (
    <Link
      href={`/clusters/${encodeURIComponent(cluster)}?at=${Math.round(at)}`}
      title={t.alerts.onTimeline(cluster)}
      data-testid="alert-timeline-link"
    >
      {cluster}
    </Link>
  );
}

function Ago({ now, at }: { now: number; at: number }) {
  const { t, fmt } = useI18n();
  const age = relativeAge(now, at, t.durationUnits);
  return (
    <span title={fmt.dateTime(at)}>{age === null ? t.alerts.justNow : t.alerts.ago(age)}</span>
  );
}

/** Severity, cluster (linked to its moment on the timeline), rule and message: both lists. */
function alertColumns(t: Messages, fmt: Format): Column<Alert>[] {
  return [
    { head: t.alerts.colSeverity, cell: (a) => <Severity severity={a.severity} /> },
    {
      head: t.alerts.colCluster,
      cell: (a) => <ClusterAt cluster={a.cluster} at={a.firingAt} />,
      className: 'nowrap',
    },
    { head: t.alerts.colRule, cell: (a) => a.rule, className: 'mono small nowrap' },
    { head: t.alerts.colMessage, cell: (a) => fmt.finding(a), className: 'alert-msg' },
  ];
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
  const columns: Column<Alert>[] = [
    ...alertColumns(t, fmt),
    {
      head: t.alerts.colSince,
      cell: (a) => <Ago now={now} at={a.firingAt} />,
      className: 'nowrap',
    },
  ];
  return (
    <ResourceTable
      state={{ value: alerts, error: null }}
      columns={columns}
      rowKey={(a) => a.id}
      rowProps={(a) => ({ 'data-alert-key': a.key, className: `alert-row-${a.severity}` })}
      empty={t.alerts.noneActive}
      testId="alerts-active"
    />
  );
}

export function RecentAlerts({ alerts, now }: { alerts: Alert[]; now: number }) {
  const { t, fmt } = useI18n();
  if (alerts.length === 0) return <p className="muted small">{t.alerts.noneRecent}</p>;
  const columns: Column<Alert>[] = [
    ...alertColumns(t, fmt),
    {
      head: t.alerts.colResolved,
      cell: (a) => a.resolvedAt !== null && <Ago now={now} at={a.resolvedAt} />,
      className: 'nowrap',
    },
    {
      head: t.alerts.colLasted,
      cell: (a) => firingDuration(a, t.durationUnits),
      className: 'nowrap muted',
    },
  ];
  return (
    <ResourceTable
      state={{ value: alerts, error: null }}
      columns={columns}
      rowKey={(a) => a.id}
      rowProps={(a) => ({ 'data-alert-key': a.key })}
      empty={t.alerts.noneRecent}
      testId="alerts-recent"
      className="kw-table-quiet"
    />
  );
}
