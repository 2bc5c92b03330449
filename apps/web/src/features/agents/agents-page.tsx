import { useCallback, useEffect, useState } from 'react';
import type { MeResponse } from '@keepwatch/shared';
import { AppHeader } from '../../app/app-header';
import { useLiveSession } from '../../app/use-live-session';
import { useI18n } from '../../i18n/i18n-context';
import { formatDuration } from '../../lib/format-duration';
import { useNow } from '../../lib/use-now';
import { agentsApi, type AgentRow, type CreatedToken } from './agents-api';
import { installOneLiner } from './install-command';
import './agents.css';

const REFRESH_MS = 5000;

/** Agents management: who is connected, revoke, and enroll a new host with a one-liner. */
export function AgentsPage({ user }: { user: MeResponse }) {
  const { t } = useI18n();
  const { state, logout } = useLiveSession();
  const [agents, setAgents] = useState<AgentRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);

  const load = useCallback(() => {
    agentsApi.list().then(
      (list) => {
        setAgents(list);
        setError(null);
      },
      (err: unknown) => setError(t.agentsError((err as Error).message)),
    );
  }, [t]);

  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const addAgent = (): void => {
    agentsApi
      .createToken()
      .then(setCreated, (err: unknown) => setError(t.agentsActionError((err as Error).message)));
  };

  const revoke = (a: AgentRow): void => {
    if (!window.confirm(t.agentsRevokeConfirm(a.nodeName ?? a.agentId))) return;
    agentsApi
      .revoke(a.agentId)
      .then(load, (err: unknown) => setError(t.agentsActionError((err as Error).message)));
  };

  return (
    <div className="app">
      <AppHeader
        user={user}
        connection={state.connection}
        everLive={state.everLive}
        onLogout={logout}
      />
      <main className="page">
        <div className="agents-head">
          <h1>{t.agentsTitle}</h1>
          <button type="button" className="primary" data-testid="add-agent" onClick={addAgent}>
            {t.agentsAdd}
          </button>
        </div>
        {created && <EnrollDialog token={created} onClose={() => setCreated(null)} />}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {agents === null ? (
          <p className="empty muted">{t.agentsLoading}</p>
        ) : agents.length === 0 ? (
          <p className="empty muted">{t.agentsEmpty}</p>
        ) : (
          <AgentsTable agents={agents} onRevoke={revoke} />
        )}
      </main>
    </div>
  );
}

function AgentsTable({
  agents,
  onRevoke,
}: {
  agents: AgentRow[];
  onRevoke: (a: AgentRow) => void;
}) {
  const { t } = useI18n();
  const now = useNow(1000);
  return (
    <table className="agents-table" data-testid="agents-table">
      <thead>
        <tr>
          <th>{t.agentsColName}</th>
          <th>{t.agentsColHost}</th>
          <th>{t.agentsColVersion}</th>
          <th>{t.agentsColStatus}</th>
          <th>{t.agentsColLastSeen}</th>
          <th>{t.agentsColAuth}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {agents.map((a) => (
          <tr
            key={a.agentId}
            data-agent-id={a.agentId}
            className={a.revoked ? 'agent-row-revoked' : ''}
          >
            <td>
              <div className="agent-name">{a.nodeName ?? '—'}</div>
              <div className="mono small muted">{a.agentId}</div>
            </td>
            <td className="mono">{a.hostname ?? '—'}</td>
            <td className="mono">{a.version ?? '—'}</td>
            <td>
              <AgentStatus agent={a} />
            </td>
            <td className="small">
              {a.online
                ? '—'
                : a.lastSeen === null
                  ? t.agentsNever
                  : t.lastSeen(formatAgo(now - a.lastSeen, t))}
            </td>
            <td className="small muted">{a.enrolled ? t.agentsEnrolled : t.agentsSharedToken}</td>
            <td>
              {!a.revoked && (
                <button type="button" className="ghost danger" onClick={() => onRevoke(a)}>
                  {t.agentsRevoke}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type T = ReturnType<typeof useI18n>['t'];

function formatAgo(ms: number, t: T): string {
  return formatDuration(Math.max(ms, 0), t.durationUnits);
}

function AgentStatus({ agent }: { agent: AgentRow }) {
  const { t } = useI18n();
  if (agent.revoked)
    return <span className="agent-pill agent-pill-revoked">{t.agentsRevoked}</span>;
  return agent.online ? (
    <span className="agent-pill agent-pill-on">
      <span className="dot" aria-hidden="true" />
      {t.agentsOnline}
    </span>
  ) : (
    <span className="agent-pill agent-pill-off">{t.agentsOffline}</span>
  );
}

function EnrollDialog({ token, onClose }: { token: CreatedToken; onClose: () => void }) {
  const { t, lang } = useI18n();
  const [copied, setCopied] = useState(false);
  const line = installOneLiner(window.location.origin, token.token);
  const copy = (): void => {
    void navigator.clipboard?.writeText(line).then(() => setCopied(true));
  };
  return (
    <section className="enroll-box" data-testid="enroll-box" aria-label={t.agentsAddTitle}>
      <h2>{t.agentsAddTitle}</h2>
      <p className="small">{t.agentsAddHelp(new Date(token.expiresAt).toLocaleString(lang))}</p>
      <pre className="mono enroll-line" data-testid="enroll-line">
        {line}
      </pre>
      <div className="enroll-actions">
        <button type="button" className="primary" onClick={copy}>
          {copied ? t.agentsCopied : t.agentsCopy}
        </button>
        <button type="button" className="ghost" onClick={onClose}>
          {t.agentsClose}
        </button>
      </div>
    </section>
  );
}
