import type { StatusNode } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { formatDuration } from '../../lib/format-duration';
import { AgentLine, ClockLine, ServiceLine, StateBadge } from './node-parts';
import { isPriorityLowered, nodeAnchor } from './topology-model';

interface LbCardProps {
  node: StatusNode;
  /** VIPs this node's kernel holds. */
  heldVips: string[];
  /** The VIP is held by more than one node: the marker turns red. */
  splitBrain: boolean;
  /** Server-time now, for "MASTER for 3m 12s". */
  now: number;
  clusterId?: string;
}

export function LbCard({ node, heldVips, splitBrain, now }: LbCardProps) {
  const { t } = useI18n();
  const first = node.vrrp[0];
  const many = node.vrrp.length > 1;
  return (
    <article
      className={`node node-lb${node.online ? '' : ' node-offline'}${heldVips.length ? (splitBrain ? ' node-split' : ' node-active') : ''}`}
      data-testid={`node-${node.name}`}
      data-role={node.role}
      data-online={String(node.online)}
      data-holds-vip={String(heldVips.length > 0)}
      data-anchor={nodeAnchor(node.name)}
    >
      <header className="node-head">
        <span className="node-name">{node.name}</span>
        <StateBadge
          state={first?.state ?? 'UNKNOWN'}
          testId={`state-${node.name}`}
          stale={!node.online}
        />
      </header>
      {first?.lastKnown && (
        <p
          className="last-known"
          data-testid={`last-known-${node.name}`}
          data-state={first.lastKnown.state}
        >
          {t.cluster.keepalivedNotRunning} ·{' '}
          {t.cluster.lastKnownState(
            first.lastKnown.state,
            formatDuration(now - (first.lastKnown.since ?? now), t.durationUnits),
          )}
        </p>
      )}
      <div className="node-sub">
        <AgentLine node={node} now={now} />
        {heldVips.length > 0 ? (
          <span
            className={`holds-vip${splitBrain ? ' holds-vip-split' : ''}`}
            data-testid={`holds-vip-${node.name}`}
          >
            ◆ {t.holdsVip} <span className="mono">{heldVips.join(', ')}</span>
          </span>
        ) : (
          <span className="no-vip muted">{t.noVip}</span>
        )}
      </div>
      {node.vrrp.length === 0 && <p className="muted small">{t.noVrrp}</p>}
      <ul className="vrrp-list">
        {node.vrrp.map((v) => {
          const lowered = isPriorityLowered(v);
          return (
            <li key={v.instance} className="vrrp">
              <div className="vrrp-row">
                <span className="mono vrrp-instance">{v.instance}</span>
                {many && <StateBadge state={v.state} small stale={!node.online} />}
                <span className={`prio${lowered ? ' prio-lowered' : ''}`}>
                  {t.priority} <b className="mono">{v.priority}</b>
                  {' · '}
                  {t.effective} <b className="mono">{v.effectivePriority}</b>
                  {lowered && (
                    <span className="prio-delta">
                      {' '}
                      ↓ {t.priorityLowered(v.priority - v.effectivePriority)}
                    </span>
                  )}
                </span>
              </div>
              {v.since !== undefined && v.lastKnown === undefined && (
                <div className="since muted">
                  {t.stateFor(v.state, formatDuration(now - v.since, t.durationUnits))}
                </div>
              )}
            </li>
          );
        })}
      </ul>
      <div className="svcs">
        <ServiceLine label="nginx" service={node.services.nginx} />
        <ServiceLine label="keepalived" service={node.services.keepalived} />
        <ClockLine offsetMs={node.clockOffsetMs} />
      </div>
      {node.upstreams && node.upstreams.length > 0 && (
        <div className="upstreams" data-testid={`upstreams-${node.name}`}>
          <div className="upstreams-title muted">{t.cluster.upstreamView}</div>
          {node.upstreams.map((u) => (
            <ServiceLine key={u.server} label={u.server} service={u} />
          ))}
        </div>
      )}
    </article>
  );
}
