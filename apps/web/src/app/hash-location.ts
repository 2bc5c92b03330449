import { useSyncExternalStore } from 'react';

/*
 * Hash routing for wouter with the query inside the hash: `#/clusters/lab/timeline?from=…`.
 * (wouter's own hash hook keeps the query in location.search, before the `#`, which makes
 * deep links with parameters awkward to copy.) Links render as `#/…`; navigation is one
 * history entry and a hashchange event, so back/forward and reload keep the page.
 */

const subscribe = (cb: () => void): (() => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};

const raw = (): string => window.location.hash.replace(/^#?\/?/, '');

export function hashPath(hash: string): string {
  return `/${hash.replace(/^#?\/?/, '').split('?')[0] ?? ''}`;
}

export function hashSearch(hash: string): string {
  const q = hash.indexOf('?');
  return q < 0 ? '' : hash.slice(q + 1);
}

const currentPath = (): string => hashPath(raw());
const currentSearch = (): string => hashSearch(raw());

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(window.location.href);
  url.hash = to.startsWith('/') ? to : `/${to}`;
  window.history[opts.replace ? 'replaceState' : 'pushState'](null, '', url.href);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** wouter location hook: [path, navigate]. */
export function useHashPath(): [string, typeof navigate] {
  return [useSyncExternalStore(subscribe, currentPath, () => '/'), navigate];
}
useHashPath.hrefs = (href: string): string => `#${href}`;

/** wouter search hook: the part after `?` inside the hash. */
export function useHashSearch(): string {
  return useSyncExternalStore(subscribe, currentSearch, () => '');
}

/** The hash query as an object (for pages with a time range, filters…). */
export function useHashQuery(): URLSearchParams {
  return new URLSearchParams(useHashSearch());
}
