import { useEffect, useSyncExternalStore } from 'react';
import type { MeResponse } from '@keepwatch/shared';
import { AppHeader } from '../../app/app-header';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { useNow } from '../../lib/use-now';
import { ClusterView } from './cluster-view';

/** The live page: owns the socket's lifetime (open while shown) and the ticking clock. */
export function ClusterPage({ user }: { user: MeResponse }) {
  const { live, api, session } = useServices();
  const { t, lang } = useI18n();
  const state = useSyncExternalStore(live.subscribe, live.getState);
  const localNow = useNow(1000);
  // Durations are measured against the server's clock, which stamped the transitions.
  const now = localNow + state.serverOffsetMs;

  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);

  const logout = (): void => {
    live.stop();
    // Leave even if the server is unreachable: the user asked to go.
    void api
      .logout()
      .catch(() => undefined)
      .finally(() => session.set({ kind: 'anonymous', notice: null }));
  };

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
