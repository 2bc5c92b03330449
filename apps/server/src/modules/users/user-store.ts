import type { Database } from 'better-sqlite3';
import { isRole, type Role } from '../../plugins/auth-policy';

export interface UserInfo {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  updatedAt: number | null;
}

interface UserRow {
  id: number;
  username: string;
  role: string;
  disabled: number;
  created_at: number;
  updated_at: number | null;
}

export interface UserChange {
  role?: Role;
  disabled?: boolean;
  /** Already hashed. */
  passwordHash?: string;
}

const toInfo = (r: UserRow): UserInfo => ({
  id: r.id,
  username: r.username,
  role: isRole(r.role) ? r.role : 'viewer',
  disabled: r.disabled !== 0,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

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

const COLUMNS = 'id, username, role, disabled, created_at, updated_at';

/** The users table as the admin API sees it (credentials live in AuthService). */
export class UserStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  list(): UserInfo[] {
    return (
      this.db.prepare(`SELECT ${COLUMNS} FROM users ORDER BY username`).all() as UserRow[]
    ).map(toInfo);
  }

  get(username: string): UserInfo | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM users WHERE username = ?`).get(username) as
      UserRow | undefined;
    return row && toInfo(row);
  }

  enabledAdmins(): number {
    return (
      this.db
        .prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0")
        .get() as { n: number }
    ).n;
  }

  update(id: number, change: UserChange): void {
    const sets: string[] = ['updated_at = @now'];
    if (change.role !== undefined) sets.push('role = @role');
    if (change.disabled !== undefined) sets.push('disabled = @disabled');
    if (change.passwordHash !== undefined) sets.push('password_hash = @hash');
    this.db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = @id`).run({
      id,
      now: this.now(),
      role: change.role ?? null,
      disabled: change.disabled ? 1 : 0,
      hash: change.passwordHash ?? null,
    });
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }
}
