import type { MeResponse } from '@keepwatch/shared';
import { useView } from '../features/agents/use-route';
import { LangSwitch } from '../features/settings/lang-switch';
import { useI18n } from '../i18n/i18n-context';
import type { ConnectionState } from '../lib/live-client';

interface AppHeaderProps {
  user: MeResponse;
  connection: ConnectionState;
  everLive: boolean;
  onLogout: () => void;
}

export function AppHeader({ user, connection, everLive, onLogout }: AppHeaderProps) {
  const { t } = useI18n();
  const view = useView();
  const label =
    connection === 'live'
      ? t.liveLive
      : connection === 'offline'
        ? t.liveOffline
        : everLive
          ? t.liveReconnecting
          : t.liveConnecting;
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        {t.appName}
      </div>
      <nav className="nav">
        <a href="#/" aria-current={view === 'clusters' ? 'page' : undefined}>
          {t.navClusters}
        </a>
        <a
          href="#/alerts"
          data-testid="nav-alerts"
          aria-current={view === 'alerts' ? 'page' : undefined}
        >
          {t.alerts.nav}
        </a>
        {user.role === 'admin' && (
          <a
            href="#/agents"
            data-testid="nav-agents"
            aria-current={view === 'agents' ? 'page' : undefined}
          >
            {t.navAgents}
          </a>
        )}
      </nav>
      <span
        className={`live live-${connection}`}
        data-testid="live-status"
        data-state={connection}
        role="status"
      >
        <span className="dot" aria-hidden="true" />
        {label}
      </span>
      <div className="topbar-right">
        <span className="muted small">{t.signedInAs(user.username)}</span>
        <LangSwitch />
        <button type="button" className="ghost" data-testid="logout" onClick={onLogout}>
          {t.logout}
        </button>
      </div>
    </header>
  );
}
