import { useEffect, useSyncExternalStore } from 'react';
import { LoginPage } from '../features/auth/login-page';
import { useI18n } from '../i18n/i18n-context';
import { ApiRequestError } from '../lib/api-client';
import { AppShell } from './app-shell';
import { useServices } from './services';

/** Session gate: checking → login or the app shell. */
export function App() {
  const { api, session } = useServices();
  const { t } = useI18n();
  const current = useSyncExternalStore(session.subscribe, session.get);

  useEffect(() => {
    document.title = t.appName;
  }, [t]);

  // One check on load: does the cookie still hold a session?
  useEffect(() => {
    let cancelled = false;
    api.me().then(
      (user) => {
        if (!cancelled) session.set({ kind: 'authenticated', user });
      },
      (err: unknown) => {
        if (cancelled) return;
        const unreachable = err instanceof ApiRequestError && err.failure.kind !== 'unauthorized';
        session.set({ kind: 'anonymous', notice: unreachable ? 'unreachable' : null });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, session]);

  switch (current.kind) {
    case 'checking':
      return <div className="splash">{t.loginChecking}</div>;
    case 'anonymous':
      return <LoginPage notice={current.notice} />;
    case 'authenticated':
      return <AppShell user={current.user} />;
  }
}
