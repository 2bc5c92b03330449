import type { MeResponse } from '@keepwatch/shared';
import { AppHeader } from '../../app/app-header';
import { useLiveSession } from '../../app/use-live-session';
import { useI18n } from '../../i18n/i18n-context';
import { useNow } from '../../lib/use-now';
import { ClusterView } from './cluster-view';

/** The live page: owns the socket's lifetime (open while shown) and the ticking clock. */
export function ClusterPage({ user }: { user: MeResponse }) {
  const { t, lang } = useI18n();
  const { state, logout } = useLiveSession();
  const localNow = useNow(1000);
  // Durations are measured against the server's clock, which stamped the transitions.
  const now = localNow + state.serverOffsetMs;

  const { data, connection } = state;
  const stale = connection !== 'live' && data.asOf !== null;
  return (
    <div className="app">
      <AppHeader user={user} connection={connection} everLive={state.everLive} onLogout={logout} />
      <main className={`page${stale ? ' page-stale' : ''}`}>
        {stale && data.asOf !== null && (
          <p className="stale-note" role="status">
            {t.liveStaleNote(new Date(data.asOf).toLocaleTimeString(lang))}
          </p>
        )}
        {!state.everLive && data.clusters.length === 0 ? (
          <p className="empty muted">{t.clustersLoading}</p>
        ) : data.clusters.length === 0 ? (
          <p className="empty muted">{t.clustersEmpty}</p>
        ) : (
          data.clusters.map((c) => <ClusterView key={c.id} cluster={c} now={now} />)
        )}
      </main>
    </div>
  );
}
