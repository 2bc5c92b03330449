import { useMemo } from 'react';
import { Loading } from '../../app/page-states';
import { useCan, useLive, useServerNow } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { ActiveAlerts, RecentAlerts } from './alert-tables';
import { sortActive, sortRecent } from './alerts-model';
import { ChannelsSection } from './channels-section';
import './alerts.css';

/**
 * Alerts and, for admins, notification channels. The lists come over the live feed (the
 * server sends them on connect and whenever an alert fires or resolves): no REST re-reads.
 */
export default function AlertsPage() {
  const { t } = useI18n();
  const { alerts } = useLive();
  const admin = useCan('admin');
  const now = useServerNow();
  const active = useMemo(() => sortActive(alerts?.active ?? []), [alerts]);
  const recent = useMemo(() => sortRecent(alerts?.recent ?? []), [alerts]);
  return (
    <div className="alerts-page">
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
        {alerts === null ? (
          <Loading text={t.alerts.loading} />
        ) : (
          <ActiveAlerts alerts={active} now={now} />
        )}
      </section>
      {admin && <ChannelsSection />}
      <section className="alerts-section" aria-labelledby="alerts-recent-title">
        <h2 id="alerts-recent-title">{t.alerts.recentTitle}</h2>
        {alerts !== null && <RecentAlerts alerts={recent} now={now} />}
      </section>
    </div>
  );
}
