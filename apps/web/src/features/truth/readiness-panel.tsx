import { useEffect, useMemo, useState } from 'react';
import type { ReadinessCheck, ReadinessResponse, StatusCluster } from '@keepwatch/shared';
import { ErrorState, Loading } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { configDifferences } from './config-diffs';
import { READINESS_CHECKS, type ReadinessCheckId } from './truth-i18n';

/** What readiness depends on in the live status: it is asked again only when this changes. */
function signature(c: StatusCluster): string {
  return JSON.stringify([
    c.vips.map((v) => v.holders),
    c.nodes.map((n) => [
      n.online,
      n.keepalivedRunning,
      n.vrrp.map((v) => v.state),
      n.services.nginx?.healthy,
      (n.upstreams ?? []).map((u) => u.healthy),
    ]),
    c.findings.map((f) => f.code),
  ]);
}

const known = (id: string): id is ReadinessCheckId =>
  (READINESS_CHECKS as readonly string[]).includes(id);

/** Per VRRP pair: would the BACKUP take over and serve? Checked by the server, worded here. */
export function ReadinessPanel({ cluster }: { cluster: StatusCluster }) {
  const { t, fmt } = useI18n();
  const { api } = useServices();
  const [data, setData] = useState<ReadinessResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sig = useMemo(() => signature(cluster), [cluster]);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let gone = false;
    api.readiness(cluster.id).then(
      (r) => !gone && (setData(r), setError(null)),
      (err: unknown) => !gone && setError((err as Error).message),
    );
    return () => {
      gone = true;
    };
  }, [api, cluster.id, sig, attempt]);
  const w = t.truth;
  const words = (c: ReadinessCheck): string => {
    if (!known(c.id)) return c.id;
    const set = w.checks[c.id];
    const text = c.ok === null ? set.unknown(c.args) : c.ok ? set.ok(c.args) : set.bad(c.args);
    const problem = c.args['problem'];
    return c.ok === false && typeof problem === 'string' && problem in w.problems
      ? `${text} (${w.problems[problem as keyof typeof w.problems]})`
      : text;
  };
  return (
    <section className="readiness" aria-labelledby="readiness-title" data-testid="readiness-panel">
      <h3 id="readiness-title">{w.readinessTitle}</h3>
      {error && <ErrorState message={error} onRetry={() => setAttempt((n) => n + 1)} />}
      {!data && !error && <Loading text={w.readinessLoading} />}
      {data && (
        <>
          <p className="small" data-testid="last-drill">
            {w.lastDrill(data.lastDrill ? fmt.dateTime(data.lastDrill.at) : w.never)}
          </p>
          {data.pairs.map((p) => (
            <div
              key={p.instance}
              className="failover-instance"
              data-ready={String(p.ready)}
              data-testid={`readiness-${p.instance}`}
            >
              <p className={`failover-answer ${p.ready ? 'text-ok' : 'text-bad'}`}>
                {w.pair(p.instance, p.master ?? '—', p.backup ?? '—')}{' '}
                {p.ready ? w.ready : w.notReady}
              </p>
              <ul className="checks">
                {p.checks.map((c) => (
                  <li
                    key={c.id}
                    data-check={c.id}
                    data-ok={String(c.ok)}
                    className={
                      c.ok === true ? 'check-ok' : c.ok === false ? 'check-bad' : 'check-unknown'
                    }
                  >
                    <span aria-hidden="true">
                      {c.ok === true ? '✓' : c.ok === false ? '✗' : '?'}
                    </span>{' '}
                    {words(c)}
                    <Differences check={c} />
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
    </section>
  );
}

/** config-same's structural differences, one line each, in the reader's language. */
function Differences({ check }: { check: ReadinessCheck }) {
  const { t } = useI18n();
  const { shown, more } = configDifferences(check);
  if (check.ok !== false || shown.length === 0) return null;
  const m = String(check.args['master'] ?? '');
  const b = String(check.args['backup'] ?? '');
  return (
    <ul className="config-diffs small" data-testid="config-diffs">
      {shown.map((d) => (
        <li key={d.where} className="mono">
          {t.truth.diffLine(d.where, m, d.master, b, d.backup)}
        </li>
      ))}
      {more > 0 && <li>{t.truth.moreDiffs(more)}</li>}
    </ul>
  );
}
