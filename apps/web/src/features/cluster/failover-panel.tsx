import type { StatusCluster } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { failoverReadiness } from './failover-model';

/** "Will it fail over?" in words, one block per VRRP instance. */
export function FailoverPanel({ cluster }: { cluster: StatusCluster }) {
  const { t } = useI18n();
  const list = failoverReadiness(cluster);
  return (
    <section className="failover" aria-labelledby="failover-title" data-testid="failover-panel">
      <h2 id="failover-title">{t.cluster.failoverTitle}</h2>
      {list.length === 0 && <p className="muted small">{t.cluster.failoverNoVip}</p>}
      {list.map((r) => (
        <div key={r.instance} className="failover-instance" data-ready={String(r.ready)}>
          <p className={`failover-answer ${r.ready ? 'text-ok' : 'text-bad'}`}>
            <span className="mono">{r.instance}</span> ({r.vips.join(', ')}):{' '}
            {r.ready ? t.cluster.failoverYes : t.cluster.failoverNo}
          </p>
          <ul className="checks">
            {r.checks.map((c, i) => (
              <li key={i} className={c.ok ? 'check-ok' : 'check-bad'}>
                <span aria-hidden="true">{c.ok ? '✓' : '✗'}</span> {t.cluster.checks[c.id](c.args)}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
