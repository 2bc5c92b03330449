import { useEffect, useSyncExternalStore } from 'react';
import { useServices } from './services';

/**
 * What every signed-in page needs: the live socket open while the page is shown, its
 * state, and a logout that leaves even if the server is unreachable (the user asked to go).
 */
export function useLiveSession() {
  const { live, api, session } = useServices();
  const state = useSyncExternalStore(live.subscribe, live.getState);

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

  return { state, logout };
}
