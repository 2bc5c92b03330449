/*
 * The users module's types and its one rule. Its reads and writes go through the storage
 * contract (app.repos.users, storage/repositories.ts), the same on SQLite and PostgreSQL.
 */
import type { Role } from '../../plugins/auth-policy';

export interface UserInfo {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  updatedAt: number | null;
}

export interface UserChange {
  role?: Role;
  disabled?: boolean;
  /** Already hashed. */
  passwordHash?: string;
}

/** Would this change leave no enabled admin? Pure, so the rule is tested without a database. */
export function removesLastAdmin(
  target: UserInfo,
  change: UserChange | 'delete',
  enabledAdmins: number,
): boolean {
  const isActiveAdmin = target.role === 'admin' && !target.disabled;
  if (!isActiveAdmin || enabledAdmins > 1) return false;
  if (change === 'delete') return true;
  return (change.role !== undefined && change.role !== 'admin') || change.disabled === true;
}
