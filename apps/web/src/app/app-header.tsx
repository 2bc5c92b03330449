import type { MeResponse } from '@keepwatch/shared';
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
      <span className={`live live-${connection}`} data-testid="live-status" data-state={connection} role="status">
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
