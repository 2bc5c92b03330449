import type { MeResponse } from '@keepwatch/shared';
import { createSmallStore, type SmallStore } from '../../lib/small-store';

/** Why the login page is showing, so it can say so. */
export type LoginNotice = 'expired' | 'unreachable' | null;

export type Session =
  | { kind: 'checking' }
  | { kind: 'anonymous'; notice: LoginNotice }
  | { kind: 'authenticated'; user: MeResponse };

export type SessionStore = SmallStore<Session>;

export function createSessionStore(): SessionStore {
  return createSmallStore<Session>({ kind: 'checking' });
}
