import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AgentInfo, EnrollmentTokenCreated, StatusCluster } from '@keepwatch/shared';
import { useServices } from '../../app/services';
import { useLive, useServerNow } from '../../app/use-app';
import type { Messages } from '../../i18n/dictionary';
import type { Format } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { useConfirm } from '../../ui/confirm';
import { Modal } from '../../ui/modal';
import { ListPage, ResourceTable, type Column } from '../../ui/resource-table';
import { formatDuration } from '../../lib/format-duration';
import { installCommand, type PanelTrust } from './install-command';
import './agents.css';

/** cluster|node → the live feed's last-report time: fresher than the agents table's. */
function liveLastSeen(clusters: readonly StatusCluster[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of clusters)
    for (const n of c.nodes) if (n.lastSeen !== undefined) out.set(`${c.id}|${n.name}`, n.lastSeen);
  return out;
}

/**
 * Agents management: who is connected and when each last reported, revoke, and enroll a new
 * host with a one-liner. The list is re-read when the live feed's set of online nodes
 * changes (an agent connected or dropped), not on a timer.
 */
export default function AgentsPage() {
  const { api } = useServices();
  const { t, fmt } = useI18n();
  const live = useLive();
  const [agents, setAgents] = useState<AgentInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { confirm, dialog } = useConfirm();
  const now = useServerNow();
  const [created, setCreated] = useState<EnrollmentTokenCreated | null>(null);
  const onlineKey = useMemo(
    () =>
      live.data.clusters
        .flatMap((c) => c.nodes.filter((n) => n.online).map((n) => `${c.id}|${n.name}`))
        .sort()
        .join(','),
    [live.data.clusters],
  );
  const lastSeen = useMemo(() => liveLastSeen(live.data.clusters), [live.data.clusters]);

  const load = useCallback(() => {
    api.agents().then(
      (list) => {
        setAgents(list);
        setError(null);
      },
      (err: unknown) => setError((err as Error).message),
    );
  }, [api]);
  useEffect(() => load(), [load, onlineKey]);

  const addAgent = (): void => {
    api
      .createEnrollmentToken()
      .then(setCreated, (err: unknown) => setProblem(t.agents.actionError((err as Error).message)));
  };
  const revoke = async (a: AgentInfo): Promise<void> => {
    const yes = await confirm({
      message: t.agents.revokeConfirm(a.nodeName ?? a.agentId),
      confirmLabel: t.agents.revoke,
      danger: true,
    });
    if (!yes) return;
    api
      .revokeAgent(a.agentId)
      .then(load, (err: unknown) => setProblem(t.agents.actionError((err as Error).message)));
  };

  return (
    <ListPage
      id="agents"
      title={t.agents.title}
      problem={problem}
      actions={
        <button type="button" className="primary" data-testid="add-agent" onClick={addAgent}>
          {t.agents.add}
        </button>
      }
    >
      {created && <EnrollDialog token={created} onClose={() => setCreated(null)} />}
      <ResourceTable
        state={{ value: agents, error, reload: load }}
        columns={agentColumns(t, fmt, now, lastSeen, (a) => void revoke(a))}
        rowKey={(a) => a.agentId}
        rowProps={(a) => ({
          'data-agent-id': a.agentId,
          className: a.revoked ? 'agent-row-revoked' : '',
        })}
        empty={t.agents.empty}
        loadingText={t.agents.loading}
        testId="agents-table"
        className="agents-table"
      />
      {dialog}
    </ListPage>
  );
}

function agentColumns(
  t: Messages,
  fmt: Format,
  now: number,
  lastSeen: Map<string, number>,
  onRevoke: (a: AgentInfo) => void,
): Column<AgentInfo>[] {
  const seenOf = (a: AgentInfo): number | null =>
    lastSeen.get(`${a.clusterId}|${a.nodeName}`) ?? a.lastSeen;
  return [
    {
      head: t.agents.colName,
      cell: (a) => (
        <>
          <div className="agent-name">{a.nodeName ?? '—'}</div>
          <div className="mono small muted">{a.agentId}</div>
        </>
      ),
    },
    { head: t.agents.colCluster, cell: (a) => a.clusterId ?? '—', className: 'mono small' },
    { head: t.agents.colHost, cell: (a) => a.hostname ?? '—', className: 'mono' },
    { head: t.agents.colVersion, cell: (a) => a.version ?? '—', className: 'mono' },
    { head: t.agents.colStatus, cell: (a) => <AgentStatus agent={a} /> },
    {
      head: t.agents.colLastSeen,
      className: 'small',
      cell: (a) => {
        const seen = seenOf(a);
        return (
          <span
            title={seen === null ? undefined : fmt.dateTime(seen)}
            data-testid={`agent-seen-${a.nodeName ?? a.agentId}`}
          >
            {seen === null
              ? t.agents.never
              : t.lastSeen(formatDuration(Math.max(0, now - seen), t.durationUnits))}
          </span>
        );
      },
    },
    {
      head: t.agents.colAuth,
      className: 'small muted',
      cell: (a) => (a.enrolled ? t.agents.enrolled : t.agents.sharedToken),
    },
    {
      cell: (a) =>
        !a.revoked && (
          <button type="button" className="ghost danger" onClick={() => onRevoke(a)}>
            {t.agents.revoke}
          </button>
        ),
    },
  ];
}

function AgentStatus({ agent }: { agent: AgentInfo }) {
  const { t } = useI18n();
  if (agent.revoked)
    return <span className="agent-pill agent-pill-revoked">{t.agents.revoked}</span>;
  return agent.online ? (
    <span className="agent-pill agent-pill-on">
      <span className="dot" aria-hidden="true" />
      {t.agents.online}
    </span>
  ) : (
    <span className="agent-pill agent-pill-off">{t.agents.offline}</span>
  );
}

function EnrollDialog({ token, onClose }: { token: EnrollmentTokenCreated; onClose: () => void }) {
  const { t, fmt } = useI18n();
  const { api } = useServices();
  const [copied, setCopied] = useState(false);
  const [trust, setTrust] = useState<PanelTrust | null>(null);
  const [allowInsecure, setAllowInsecure] = useState(false);
  useEffect(() => {
    // The panel's certificate pin travels from this (trusted) browser session to the new host.
    api.agentDistTrust().then(setTrust, () => setTrust(null));
  }, [api]);
  const cmd = installCommand(window.location.origin, token.token, trust, { allowInsecure });
  const line = cmd.kind === 'line' ? cmd.line : '';
  const copy = (): void => {
    void navigator.clipboard?.writeText(line).then(() => setCopied(true));
  };
  return (
    <Modal title={t.agents.addTitle} onClose={onClose} testId="enroll-box" className="enroll-box">
      <p className="small">{t.agents.addHelp(fmt.dateTime(token.expiresAt))}</p>
      {cmd.kind === 'needs-insecure-choice' || (cmd.kind === 'line' && cmd.insecure) ? (
        <div className="enroll-insecure" role="alert" data-testid="enroll-insecure">
          <p className="small">
            {cmd.kind === 'line' ? t.agents.insecureWarning : t.agents.insecureNeedsChoice}
          </p>
          <label className="small">
            <input
              type="checkbox"
              checked={allowInsecure}
              onChange={(e) => setAllowInsecure(e.target.checked)}
            />{' '}
            {t.agents.insecureChoice}
          </label>
        </div>
      ) : null}
      {cmd.kind === 'line' ? (
        <pre className="mono enroll-line" data-testid="enroll-line">
          {line}
        </pre>
      ) : null}
      <div className="enroll-actions">
        <button type="button" className="primary" onClick={copy} disabled={cmd.kind !== 'line'}>
          {copied ? t.agents.copied : t.agents.copy}
        </button>
        <button type="button" className="ghost" onClick={onClose}>
          {t.agents.close}
        </button>
      </div>
    </Modal>
  );
}
