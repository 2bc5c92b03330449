import { useSyncExternalStore } from 'react';

/* The dashboard's views, addressed by the URL hash so reload and back keep the view. */

export type View = 'clusters' | 'agents' | 'alerts';

export function viewFromHash(hash: string): View {
  const path = hash.replace(/^#\/?/, '');
  return path === 'agents' || path === 'alerts' ? path : 'clusters';
}

const subscribe = (cb: () => void): (() => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};

export function useView(): View {
  return useSyncExternalStore(subscribe, () => viewFromHash(window.location.hash));
}
