import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { Drill } from '@keepwatch/shared';
import { Empty, ErrorState, Loading } from '../../app/page-states';
import type { PageParams } from '../../app/routes';
import { useServices } from '../../app/services';
import { useCan, useLive } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { buildChartData, type ChartSeriesSpec } from './chart-model';
import { LazyDrillChart } from './drill-chart-lazy';
import { DrillTimelineTable } from './drill-timeline-table';
import { isFinal, laneHosts, marksOf, type DrillView } from './drills-model';
import { PhaseSteps } from './phase-steps';
import { ReportSlot } from './report-view';
import { useDrill } from './use-drill';
import { useDrillLogs } from './use-drill-logs';
import './drills.css';

/**
 * #/drills/:id — one drill. While it runs: the phase, the client probe drawn as its batches
 * arrive, transitions as they happen, both LBs' log lines, and Abort. When it ends: the
 * report (the same chart with the stored samples and logs, figures, verdict, advice, export).
 */
export default function DrillPage({ params }: { params: PageParams }) {
  const { t } = useI18n();
  const id = params['id'] ?? '';
  const { load, reload } = useDrill(id);
  if (load.state === 'loading') return <Loading />;
  if (load.state === 'missing') return <Empty>{t.drills.notFound(id)}</Empty>;
  if (load.state === 'error') return <ErrorState message={load.message} onRetry={reload} />;
  return <DrillBody drill={load.drill} view={load.view} />;
}

function DrillBody({ drill, view }: { drill: Drill; view: DrillView }) {
  const { t, fmt } = useI18n();
  const live = useLive();
  const cluster = live.data.clusters.find((c) => c.id === drill.clusterId);
  const running = !isFinal(view.status);
  const lbs = useMemo(
    () => (cluster?.nodes ?? []).filter((n) => n.role === 'lb').map((n) => n.name),
    [cluster],
  );
  const liveLogs = useDrillLogs(running ? drill.clusterId : null, lbs, drill.startedAt);
  const logs = running ? liveLogs : drill.report.logs;
  const chart = useMemo(
    () => buildChartData(view.t0, view.batches, marksOf(view.transitions, logs)),
    [view.t0, view.batches, view.transitions, logs],
  );
  const lanes = useMemo(() => laneHosts(logs, lbs), [logs, lbs]);
  const kind = t.drills.kinds[drill.kind];
  const clusterName = cluster?.name ?? drill.clusterId;
  const seriesLabel = (s: ChartSeriesSpec): string =>
    s.outcome === 'failed'
      ? t.drills.seriesFailed(s.target)
      : s.via
        ? t.drills.seriesOk(s.target, s.via)
        : t.drills.seriesOkDirect(s.target);

  return (
    <div
      className="drill-page"
      data-testid="drill-page"
      data-status={view.status}
      data-phase={view.phase}
    >
      <nav className="crumbs" aria-label={t.cluster.crumbs}>
        <Link href="/">{t.shell.nav.overview}</Link> /{' '}
        <Link href={`/clusters/${encodeURIComponent(drill.clusterId)}`}>{clusterName}</Link> /{' '}
        <Link href={`/clusters/${encodeURIComponent(drill.clusterId)}/drills`}>{t.drills.nav}</Link>{' '}
        / <span className="mono">{drill.id}</span>
      </nav>
      <div className="page-head drill-head">
        <h1>{t.drills.drillTitle(kind, clusterName)}</h1>
        <span className={`drill-status status-${view.status}`} data-testid="drill-status">
          {t.drills.status[view.status]}
        </span>
        {running && <AbortButton id={drill.id} />}
      </div>
      <p className="muted small">
        {t.drills.startedBy(drill.startedBy, fmt.dateTime(drill.startedAt))}
        {view.faultKnown && <> · {t.drills.faultAt(fmt.dateTime(view.t0))}</>}
      </p>
      <PhaseSteps phase={view.phase} status={view.status} />
      <section className="drill-chart-box" aria-labelledby="chart-title">
        <div className="report-head">
          <h2 id="chart-title">{running ? t.drills.liveProgress : t.drills.chartTitle}</h2>
          <span
            className="small muted"
            data-testid="probe-counts"
            data-total={chart.totals.requests}
            data-failed={chart.totals.failed}
          >
            {t.drills.probeCounts(chart.totals.requests, chart.totals.failed)}
          </span>
        </div>
        <p className="muted small">{t.drills.chartHelp}</p>
        {chart.totals.requests === 0 && running ? (
          <p className="muted" role="status">
            {t.drills.waitingSamples}
          </p>
        ) : null}
        <LazyDrillChart
          data={chart}
          lanes={lanes}
          labels={{ series: seriesLabel, xAxis: t.drills.xAxis, yAxis: t.drills.yAxis }}
        />
      </section>
      {running && (
        <section aria-labelledby="transitions-title" className="drill-live-transitions">
          <h2 id="transitions-title">{t.drills.transitions}</h2>
          {view.transitions.length === 0 ? (
            <p className="muted small">{t.drills.noTransitions}</p>
          ) : (
            <ol className="transition-list" aria-live="polite" data-testid="drill-transitions">
              {view.transitions.map((tr, i) => (
                <li key={i} data-kind={tr.kind} data-node={tr.node}>
                  <span className="mono">{fmt.time(tr.at)}</span> <b>{tr.node}</b>{' '}
                  {t.drills.transitionKinds[tr.kind]}: {tr.detail}
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
      {!running && <ReportSlot drill={drill} />}
      <section aria-labelledby="drill-logs-title">
        <h2 id="drill-logs-title">
          {t.drills.logsTitle} <span className="muted small">({t.shell.timeZone(fmt.zone)})</span>
        </h2>
        <DrillTimelineTable
          t0={view.t0}
          transitions={view.transitions}
          logs={logs}
          testId="drill-rows"
        />
      </section>
    </div>
  );
}

function AbortButton({ id }: { id: string }) {
  const { api } = useServices();
  const { t } = useI18n();
  const canAbort = useCan('operator');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!canAbort) return null;
  const abort = (): void => {
    if (!window.confirm(t.drills.confirmAbort)) return;
    setBusy(true);
    setError(null);
    api.abortDrill(id).then(
      () => setBusy(false),
      (err: unknown) => {
        setBusy(false);
        setError(t.drills.abortFailed((err as Error).message));
      },
    );
  };
  return (
    <>
      <button
        type="button"
        className="danger-button"
        onClick={abort}
        disabled={busy}
        data-testid="drill-abort"
      >
        {busy ? t.drills.aborting : t.drills.abort}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
