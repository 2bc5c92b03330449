import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { UserRole } from '@keepwatch/shared';
import type { Messages } from '../i18n/dictionary';
import OverviewPage from '../features/overview/overview-page';

/*
 * The route table: one line per feature page. `path` is a wouter pattern (`:id` params);
 * pages get their params as props. Heavy pages are lazy (their own chunk, loaded on first
 * visit); `nav` puts the page in the header; `minRole` hides the link and guards the page
 * (the server checks again: this only spares users buttons they cannot use).
 */

export type PageParams = Record<string, string | undefined>;
export type PageComponent = ComponentType<{ params: PageParams }>;

export interface FeatureRoute {
  path: string;
  page: PageComponent | LazyExoticComponent<PageComponent>;
  minRole?: UserRole;
  nav?: (t: Messages) => string;
}

const page = (load: () => Promise<{ default: PageComponent }>) => lazy(load);

export const routes: FeatureRoute[] = [
  { path: '/', page: OverviewPage, nav: (t) => t.shell.nav.overview },
  { path: '/clusters/:id', page: page(() => import('../features/cluster/cluster-page')) },
  { path: '/hosts/:name', page: page(() => import('../features/host/host-page')) },
  { path: '/clusters/:id/config', page: page(() => import('../features/config/config-page')) },
  {
    path: '/clusters/:id/drills',
    page: page(() => import('../features/drills/cluster-drills-page')),
  },
  { path: '/drills/:id', page: page(() => import('../features/drills/drill-page')) },
  {
    path: '/alerts',
    page: page(() => import('../features/alerts/alerts-page')),
    nav: (t) => t.shell.nav.alerts,
  },
  {
    path: '/agents',
    page: page(() => import('../features/agents/agents-page')),
    minRole: 'admin',
    nav: (t) => t.shell.nav.agents,
  },
  {
    path: '/users',
    page: page(() => import('../features/settings/users-page')),
    minRole: 'admin',
    nav: (t) => t.shell.nav.users,
  },
  {
    path: '/tokens',
    page: page(() => import('../features/settings/tokens-page')),
    nav: (t) => t.shell.nav.tokens,
  },
  {
    path: '/audit',
    page: page(() => import('../features/settings/audit-page')),
    minRole: 'admin',
    nav: (t) => t.shell.nav.audit,
  },
];
