import { useSyncExternalStore } from 'react';

/* The dashboard's two views, addressed by the URL hash so reload and back keep the view. */

export type View = 'clusters' | 'agents';

export function viewFromHash(hash: string): View {
  return hash.replace(/^#\/?/, '') === 'agents' ? 'agents' : 'clusters';
}

const subscribe = (cb: () => void): (() => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};

export function useView(): View {
  return useSyncExternalStore(subscribe, () => viewFromHash(window.location.hash));
}
