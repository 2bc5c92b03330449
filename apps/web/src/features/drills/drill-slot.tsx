import { useCallback, useEffect, useState } from 'react';
import { Link } from 'wouter';
import type { DrillKind, DrillProof, DrillSummary, StatusCluster } from '@keepwatch/shared';
import { useServices } from '../../app/services';
import { useCan } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { DrillDialog } from './drill-dialog';
import './drills.css';

/**
 * The cluster page's drill corner (the one hook features/cluster renders): when failover
 * was last proven, a running drill to watch, the drill history link, and "Run a drill" for
 * operators and admins (a viewer sees no button; the server refuses them too).
 */
export function DrillSlot({ cluster }: { cluster: StatusCluster }) {
  const { api, live } = useServices();
  const { t, fmt } = useI18n();
  const canRun = useCan('operator');
  const [open, setOpen] = useState(false);
  const [latest, setLatest] = useState<DrillSummary | null>(null);
  const [proof, setProof] = useState<DrillProof | null>(null);
  const [running, setRunning] = useState<{ id: string; kind: DrillKind } | null>(null);

  const load = useCallback(() => {
    api.drills(cluster.id, 1).then(
      (r) => {
        const d = r.drills[0] ?? null;
        setLatest(d);
        setRunning(d?.status === 'running' ? { id: d.id, kind: d.kind } : null);
      },
      () => undefined,
    );
    api.drillProof().then(
      (r) => setProof(r.clusters.find((c) => c.clusterId === cluster.id) ?? null),
      () => undefined,
    );
  }, [api, cluster.id]);
  useEffect(load, [load]);

  // A drill starting or ending anywhere on this cluster shows here at once.
  useEffect(
    () =>
      live.subscribeDrills((e) => {
        if (e.type !== 'drill.phase' || e.clusterId !== cluster.id) return;
        if (e.status === 'running') setRunning({ id: e.drillId, kind: e.kind });
        else {
          setRunning(null);
          load();
        }
      }),
    [live, cluster.id, load],
  );

  const kindName = (k: DrillKind): string => t.drills.kinds[k];
  return (
    <section className="drill-slot" aria-labelledby="drill-slot-title" data-testid="drill-slot">
      <h2 id="drill-slot-title" className="sr-only">
        {t.drills.nav}
      </h2>
      <p
        className={`small ${proof?.stale === false ? 'text-ok' : 'muted'}`}
        data-testid="drill-proof"
      >
        {proof?.lastProvenAt != null && proof.lastProvenKind
          ? t.drills.lastProven(kindName(proof.lastProvenKind), fmt.dateTime(proof.lastProvenAt))
          : t.drills.neverProven}
        {latest && latest.status !== 'passed' && latest.status !== 'running' && (
          <>
            {' '}
            <Link href={`/drills/${encodeURIComponent(latest.id)}`} className="text-bad">
              {t.drills.lastProvenFailed(kindName(latest.kind), fmt.dateTime(latest.startedAt))}
            </Link>
          </>
        )}
      </p>
      {running && (
        <p className="drill-running" role="status" data-testid="drill-running">
          <span className="spinner" aria-hidden="true" />
          {t.drills.runningNow(kindName(running.kind))}{' '}
          <Link href={`/drills/${encodeURIComponent(running.id)}`}>{t.drills.watch}</Link>
        </p>
      )}
      <div className="drill-slot-actions">
        {canRun && (
          <button
            type="button"
            className="primary"
            data-testid="run-drill"
            disabled={running !== null}
            onClick={() => setOpen(true)}
          >
            {t.drills.runDrill}
          </button>
        )}
        <Link
          href={`/clusters/${encodeURIComponent(cluster.id)}/drills`}
          data-testid="drill-history-link"
        >
          {t.drills.historyLink}
        </Link>
      </div>
      {open && <DrillDialog cluster={cluster} onClose={() => setOpen(false)} />}
    </section>
  );
}
