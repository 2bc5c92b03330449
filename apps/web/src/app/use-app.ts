import { createContext, useContext, useSyncExternalStore } from 'react';
import { USER_ROLES, type MeResponse, type UserRole } from '@keepwatch/shared';
import type { LiveState } from '../lib/live-client';
import { useNow } from '../lib/use-now';
import { useServices } from './services';

/* The hooks every page uses: who is signed in, what they may do, the live feed, the time. */

export const UserContext = createContext<MeResponse | null>(null);

export function useUser(): MeResponse {
  const user = useContext(UserContext);
  if (!user) throw new Error('useUser outside a signed-in page');
  return user;
}

/** Rank of a role; an unknown role ranks as viewer (the least it can be). */
export function roleRank(role: string): number {
  return Math.max(0, USER_ROLES.indexOf(role as UserRole));
}

/** Whether the signed-in user has at least `role`: pages hide actions the user cannot use. */
export function useCan(role: UserRole): boolean {
  return roleRank(useUser().role) >= roleRank(role);
}

export function useLive(): LiveState {
  const { live } = useServices();
  return useSyncExternalStore(live.subscribe, live.getState);
}

/** The server's clock now (transitions are stamped with it), ticking every `ms`. */
export function useServerNow(ms = 1000): number {
  const offset = useLive().serverOffsetMs;
  return useNow(ms) + offset;
}
