import type { StatusNode, StatusService, VrrpState } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { formatDuration, formatOffset } from '../../lib/format-duration';

/* Small presentational pieces shared by the load-balancer and backend cards. */

/** Colour family per VRRP state: MASTER green, BACKUP blue, failure red, no data grey. */
export function stateTone(state: VrrpState): 'master' | 'backup' | 'bad' | 'none' {
  switch (state) {
    case 'MASTER':
      return 'master';
    case 'BACKUP':
      return 'backup';
    case 'FAULT':
    case 'STOP':
      return 'bad';
    case 'INIT':
    case 'DELETED':
    case 'UNKNOWN':
      return 'none';
  }
}

/**
 * A VRRP state badge. UNKNOWN is what the status says for a keepalived that is not running
 * (SPEC.md NL-1): the card shows the last known state beside it, never as the badge. A
 * stale badge (agent offline) is drawn hollow: it is the last report, not the present.
 */
export function StateBadge({
  state,
  testId,
  small,
  stale,
}: {
  state: VrrpState;
  testId?: string;
  small?: boolean;
  stale?: boolean;
}) {
  return (
    <span
      className={`badge state-${stale ? 'none' : stateTone(state)}${small ? ' badge-small' : ''}${stale ? ' badge-stale' : ''}`}
      data-testid={testId}
      data-state={state}
      data-stale={stale ? 'true' : undefined}
    >
      {state}
    </span>
  );
}

export function AgentLine({ node, now }: { node: StatusNode; now: number }) {
  const { t } = useI18n();
  return (
    <>
      <span className={`agent ${node.online ? 'agent-on' : 'agent-off'}`}>
        <span className="dot" aria-hidden="true" />
        {node.online ? t.agentOnline : t.agentOffline}
      </span>
      {!node.online && node.lastSeen !== undefined && (
        <span className="stale-age" data-testid={`stale-${node.name}`}>
          {t.cluster.stale(formatDuration(now - node.lastSeen, t.durationUnits))}
        </span>
      )}
    </>
  );
}

export function ServiceLine({
  label,
  service,
}: {
  label: string;
  service: StatusService | undefined;
}) {
  const { t } = useI18n();
  const tone = service === undefined ? 'none' : service.healthy ? 'ok' : 'bad';
  const word =
    service === undefined
      ? t.serviceUnknown
      : service.healthy
        ? t.serviceHealthy
        : t.serviceUnhealthy;
  return (
    <div className={`svc svc-${tone}`} title={service?.detail}>
      <span className="svc-label">{label}</span>
      <span className="svc-value">
        <span className="dot" aria-hidden="true" />
        {word}
        {service?.latencyMs !== undefined && (
          <span className="muted mono latency">{Math.round(service.latencyMs)} ms</span>
        )}
      </span>
      {service && !service.healthy && service.detail && (
        <span className="svc-detail">{service.detail}</span>
      )}
    </div>
  );
}

/** Clock offsets beyond a second make cross-host timelines lie; flag them. */
export function ClockLine({ offsetMs }: { offsetMs: number | null }) {
  const { t } = useI18n();
  const bad = offsetMs !== null && Math.abs(offsetMs) >= 1000;
  return (
    <div className={`svc ${bad ? 'svc-warn' : ''}`}>
      <span className="svc-label">{t.clock}</span>
      <span className="svc-value mono">
        {offsetMs === null ? t.clockUnknown : formatOffset(offsetMs)}
      </span>
    </div>
  );
}
