import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AlertsResponse, MeResponse } from '@keepwatch/shared';
import { AppHeader } from '../../app/app-header';
import { useServices } from '../../app/services';
import { useLiveSession } from '../../app/use-live-session';
import { useI18n } from '../../i18n/i18n-context';
import { useNow } from '../../lib/use-now';
import { ActiveAlerts, RecentAlerts } from './alert-tables';
import { sortActive, sortRecent } from './alerts-model';
import { ChannelsSection } from './channels-section';
import { debounce, throttle } from './throttle';
import './alerts.css';

/** A burst of live patches (a failover) makes one GET /alerts per this interval at most. */
const REFETCH_MIN_MS = 2000;
/**
 * One more GET this long after the last patch: a finding fires only after the server's hold
 * (2 s by default), and no patch need follow when it does.
 */
const SETTLE_MS = 3000;

/**
 * Alerts and, for admins, notification channels. Alerts are re-read when the live feed
 * changes (a new snapshot or patch moves `rev`), since an alert fires or resolves only after
 * a status change; no polling while nothing changes.
 */
export function AlertsPage({ user }: { user: MeResponse }) {
  const { api } = useServices();
  const { t } = useI18n();
  const { state, logout } = useLiveSession();
  const now = useNow(1000) + state.serverOffsetMs;
  const [alerts, setAlerts] = useState<AlertsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api.alerts().then(
      (body) => {
        setAlerts(body);
        setError(null);
      },
      (err: unknown) => setError((err as Error).message),
    );
  }, [api]);

  const refetch = useMemo(() => throttle(load, REFETCH_MIN_MS), [load]);
  const settle = useMemo(() => debounce(load, SETTLE_MS), [load]);
  useEffect(
    () => () => {
      refetch.cancel();
      settle.cancel();
    },
    [refetch, settle],
  );
  const { rev } = state.data;
  useEffect(() => {
    refetch();
    if (rev !== null) settle();
  }, [refetch, settle, rev]);

  const active = useMemo(() => sortActive(alerts?.active ?? []), [alerts]);
  const recent = useMemo(() => sortRecent(alerts?.recent ?? []), [alerts]);
  return (
    <div className="app">
      <AppHeader
        user={user}
        connection={state.connection}
        everLive={state.everLive}
        onLogout={logout}
      />
      <main className="page alerts-page">
        <section className="alerts-section" aria-labelledby="alerts-active-title">
          <h1 id="alerts-active-title">
            {t.alerts.activeTitle}
            {active.length > 0 && (
              <span
                className={`alerts-count alerts-count-${active[0]?.severity ?? 'warning'}`}
                data-testid="alerts-count"
              >
                {active.length}
              </span>
            )}
          </h1>
          {error && (
            <p className="form-error" role="alert">
              {t.alerts.loadError(error)}
            </p>
          )}
          {alerts === null ? (
            <p className="muted">{t.alerts.loading}</p>
          ) : (
            <ActiveAlerts alerts={active} now={now} />
          )}
        </section>
        {user.role === 'admin' && <ChannelsSection />}
        <section className="alerts-section" aria-labelledby="alerts-recent-title">
          <h2 id="alerts-recent-title">{t.alerts.recentTitle}</h2>
          {alerts !== null && <RecentAlerts alerts={recent} now={now} />}
        </section>
      </main>
    </div>
  );
}
