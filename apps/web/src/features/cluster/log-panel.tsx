import { useEffect, useState } from 'react';
import type { LogSource, StatusCluster } from '@keepwatch/shared';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import type { LogEvent } from '../../lib/live-logs';

const KEEP = 300;
const SOURCES: LogSource[] = ['keepalived', 'nginx'];

interface Line {
  ts: number;
  source: LogSource;
  text: string;
}

/**
 * The load balancers' keepalived and nginx log lines, streamed from their agents through the
 * server (on demand: the subscription lives as long as this panel), one column per LB.
 */
export function LogPanel({ cluster }: { cluster: StatusCluster }) {
  const { live } = useServices();
  const { t, fmt } = useI18n();
  const lbs = cluster.nodes
    .filter((n) => n.role === 'lb')
    .map((n) => n.name)
    .slice(0, 8);
  const lbKey = lbs.join(',');
  const [lines, setLines] = useState<Record<string, Line[]>>({});
  const [status, setStatus] = useState<Record<string, string>>({});

  useEffect(() => {
    if (lbKey === '') return;
    const onEvent = (e: LogEvent): void => {
      if (e.type === 'logs.status') {
        setStatus((s) => ({
          ...s,
          [e.node]: e.state === 'streaming' ? '' : (e.message ?? e.state),
        }));
        return;
      }
      setLines((all) => {
        const next = [...(all[e.node] ?? []), ...e.lines.map((l) => ({ ...l, source: e.source }))];
        return { ...all, [e.node]: next.slice(-KEEP) };
      });
    };
    return live.subscribeLogs(
      { cluster: cluster.id, nodes: lbKey.split(','), sources: SOURCES, tail: 40 },
      onEvent,
    );
  }, [live, cluster.id, lbKey]);

  return (
    <section className="logs" aria-labelledby="logs-title" data-testid="log-panel">
      <h2 id="logs-title">
        {t.cluster.logsTitle} <span className="muted small">({t.shell.timeZone(fmt.zone)})</span>
      </h2>
      <div className="log-columns">
        {lbs.map((name) => (
          <div key={name} className="log-column" data-testid={`logs-${name}`}>
            <h3>{name}</h3>
            {status[name] && <p className="muted small">{status[name]}</p>}
            <ol className="log-lines mono" aria-live="off">
              {[...(lines[name] ?? [])].reverse().map((l, i) => (
                <li key={i} className={`log-${l.source}`}>
                  <span className="log-ts">{fmt.clock(l.ts)}</span>{' '}
                  <span className="log-src">{l.source}</span> {l.text}
                </li>
              ))}
            </ol>
            {(lines[name] ?? []).length === 0 && !status[name] && (
              <p className="muted small">{t.cluster.logsWaiting}</p>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}
