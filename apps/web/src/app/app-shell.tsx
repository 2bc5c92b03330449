import { Suspense, useEffect, useRef } from 'react';
import { Link, Route, Router, Switch, useLocation } from 'wouter';
import type { MeResponse } from '@keepwatch/shared';
import { useI18n } from '../i18n/i18n-context';
import { LangSwitch } from './lang-switch';
import { LiveBanner } from './live-banner';
import { Forbidden, Loading, NotFound, PageErrorBoundary } from './page-states';
import { routes, type FeatureRoute } from './routes';
import { useHashPath, useHashSearch } from './hash-location';
import { useServices } from './services';
import { ThemeSwitch } from './theme-switch';
import { UserContext, roleRank, useLive } from './use-app';

/**
 * The one frame around every signed-in page: header with the nav (from the route table),
 * the live indicator, theme and language, the user; the live banner; the page itself. The
 * live socket lives as long as the shell (one per signed-in tab).
 */
export function AppShell({ user }: { user: MeResponse }) {
  const { live, api, session } = useServices();
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  const logout = (): void => {
    live.stop();
    void api
      .logout()
      .catch(() => undefined)
      .finally(() => session.set({ kind: 'anonymous', notice: null }));
  };
  return (
    <UserContext.Provider value={user}>
      <Router hook={useHashPath} searchHook={useHashSearch}>
        <div className="app">
          <Header user={user} onLogout={logout} />
          <LiveBanner />
          <main id="main" className="page" tabIndex={-1}>
            <Pages user={user} />
          </main>
        </div>
      </Router>
    </UserContext.Provider>
  );
}

function allowed(route: FeatureRoute, user: MeResponse): boolean {
  return route.minRole === undefined || roleRank(user.role) >= roleRank(route.minRole);
}

function Pages({ user }: { user: MeResponse }) {
  const { t } = useI18n();
  const [location] = useLocation();
  // A new page starts at the top, with keyboard focus on it (not left on the old link). Not on
  // the first page of a load: there the first Tab must reach the skip link and the nav.
  const shown = useRef(location);
  useEffect(() => {
    if (shown.current === location) return;
    shown.current = location;
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [location]);
  return (
    <PageErrorBoundary
      key={location}
      fallback={<p className="state state-error">{t.shell.pageFailed}</p>}
    >
      <Suspense fallback={<Loading />}>
        <Switch>
          {routes.map((r) => (
            <Route key={r.path} path={r.path}>
              {(params) =>
                allowed(r, user) ? <r.page params={params} /> : <Forbidden role={user.role} />
              }
            </Route>
          ))}
          <Route>
            <NotFound />
          </Route>
        </Switch>
      </Suspense>
    </PageErrorBoundary>
  );
}

function Header({ user, onLogout }: { user: MeResponse; onLogout: () => void }) {
  const { t, fmt } = useI18n();
  const { connection, everLive } = useLive();
  const [location] = useLocation();
  const label =
    connection === 'live'
      ? t.liveLive
      : connection === 'offline'
        ? t.liveOffline
        : everLive
          ? t.liveReconnecting
          : t.liveConnecting;
  const current = (path: string): boolean =>
    path === '/' ? location === '/' || location.startsWith('/clusters') : location.startsWith(path);
  return (
    <header className="topbar">
      <button
        type="button"
        className="skip-link"
        onClick={() => document.getElementById('main')?.focus()}
      >
        {t.shell.skipToContent}
      </button>
      <Link href="/" className="brand">
        <span className="brand-mark" aria-hidden="true" />
        {t.appName}
      </Link>
      <nav className="nav" aria-label={t.shell.mainNav}>
        {routes
          .filter((r) => r.nav && allowed(r, user))
          .map((r) => (
            <Link
              key={r.path}
              href={r.path}
              data-testid={`nav-${r.path === '/' ? 'overview' : r.path.slice(1)}`}
              aria-current={current(r.path) ? 'page' : undefined}
            >
              {r.nav?.(t)}
            </Link>
          ))}
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
        <span className="muted small tz" data-testid="time-zone" title={t.shell.timeZone(fmt.zone)}>
          {fmt.zone}
        </span>
        <span className="muted small">
          {t.signedInAs(user.username)} · {t.shell.role[user.role] ?? user.role}
        </span>
        <ThemeSwitch />
        <LangSwitch />
        <button type="button" className="ghost" data-testid="logout" onClick={onLogout}>
          {t.logout}
        </button>
      </div>
    </header>
  );
}
