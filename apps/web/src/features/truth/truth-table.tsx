import type { StatusCluster } from '@keepwatch/shared';
import { Link } from 'wouter';
import { useI18n } from '../../i18n/i18n-context';
import { probeCell, type ProbeState } from './probe-model';
import { truthRows } from './truth-model';

/** Per node: keepalived's claim, the kernel's VIPs, nginx, backends, probe; contradictions in red. */
export function TruthTable({ cluster, probe }: { cluster: StatusCluster; probe: ProbeState }) {
  const { t } = useI18n();
  const w = t.truth;
  const rows = truthRows(cluster);
  const health = (v: boolean | null) =>
    v === null ? (
      <span className="muted">{w.unknown}</span>
    ) : (
      <span className={v ? 'text-ok' : 'text-bad'}>{v ? w.up : w.down}</span>
    );
  return (
    <div className="table-wrap">
      <table className="kw-table truth-table" data-testid="truth-table" aria-label={w.tableLabel}>
        <thead>
          <tr>
            <th scope="col">{w.colNode}</th>
            <th scope="col">{w.colClaim}</th>
            <th scope="col">{w.colKernel}</th>
            <th scope="col">{w.colNginx}</th>
            <th scope="col">{w.colBackends}</th>
            <th scope="col">{w.colProbe}</th>
            <th scope="col">{w.colFlags}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.node}
              data-testid={`truth-${r.node}`}
              data-flags={r.flags.map((f) => f.code).join(' ')}
              className={
                r.flags.some((f) => f.code !== 'stale') ? 'row-bad' : r.online ? '' : 'row-stale'
              }
            >
              <th scope="row">
                <Link
                  href={`/hosts/${encodeURIComponent(r.node)}?cluster=${encodeURIComponent(cluster.id)}`}
                >
                  {r.node}
                </Link>{' '}
                <span className="muted small">{r.role}</span>
              </th>
              <td className="mono small">
                {r.claims.length === 0
                  ? '—'
                  : r.claims.map((c) => (
                      <div key={c.instance}>
                        {c.instance} {c.state}
                        {c.lastKnown && (
                          <span className="muted"> ({w.lastKnown(c.lastKnown)})</span>
                        )}
                      </div>
                    ))}
              </td>
              <td className="mono small">
                {r.kernelVips.length === 0 ? w.none : r.kernelVips.join(', ')}
              </td>
              <td>{r.role === 'lb' ? health(r.nginx) : '—'}</td>
              <td>
                {r.backends === null ? (
                  <span className="muted">{w.unknown}</span>
                ) : (
                  <span className={r.backends.up === r.backends.total ? 'text-ok' : 'text-bad'}>
                    {w.backends(r.backends.up, r.backends.total)}
                  </span>
                )}
              </td>
              <ProbeTd cell={r.role === 'lb' ? probeCell(probe, r.node) : null} />
              <td>
                {r.flags.length === 0 ? (
                  <span className="text-ok">{w.none}</span>
                ) : (
                  <ul className="flags">
                    {r.flags.map((f, i) => (
                      <li
                        key={i}
                        className={f.code === 'stale' ? 'muted' : 'text-bad'}
                        data-code={f.code}
                      >
                        <span aria-hidden="true">⚠ </span>
                        {w.flags[f.code]({ ...f })}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ProbeTd({ cell }: { cell: ReturnType<typeof probeCell> }) {
  const { t } = useI18n();
  const w = t.truth;
  if (!cell) return <td className="muted small">{w.noProbe}</td>;
  const good = typeof cell.own?.result === 'number' && cell.own.result < 400;
  return (
    <td className="small" data-testid="truth-probe">
      <div className={cell.own === null ? 'muted' : good ? 'text-ok' : 'text-bad'}>
        {cell.own === null
          ? w.probeOwnNone
          : w.probeOwn(String(cell.own.result), Math.round(cell.own.ms))}
      </div>
      {cell.viaVip && (
        <div className="muted">{w.probeViaVip(cell.viaVip.answered, cell.viaVip.total)}</div>
      )}
    </td>
  );
}
