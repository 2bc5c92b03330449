import { isRole } from '../plugins/auth-policy';
import { removesLastAdmin, type UserChange, type UserInfo } from '../modules/users/user-store';
import type { AdminGuarded, NewUser, UserCredentials, UsersRepository } from './repositories';
import { txGet, txLock, txRun, type SqlDriver, type SqlValue, type TxBody } from './sql-driver';

/*
 * UsersRepository (repositories.ts) once, over either driver (sql-repositories.ts gathers
 * the repositories). 0/1 integers stand for booleans in both engines.
 */

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const USER_COLUMNS = `id, username, role, disabled, created_at AS "createdAt", updated_at AS "updatedAt"`;

interface UserRow {
  id: number;
  username: string;
  role: string;
  disabled: number;
  createdAt: number;
  updatedAt: number | null;
}

const toUser = (r: UserRow): UserInfo => ({
  id: r.id,
  username: r.username,
  role: isRole(r.role) ? r.role : 'viewer',
  disabled: r.disabled !== 0,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export class SqlUsers implements UsersRepository {
  constructor(private readonly q: SqlDriver) {}

  async create(u: NewUser): Promise<number> {
    const row = await this.q.get<{ id: number }>(
      'INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
      [u.username, u.passwordHash, u.role, u.createdAt],
    );
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return row.id;
  }

  async count(): Promise<number> {
    const row = await this.q.get<{ n: number }>('SELECT COUNT(*) AS n FROM users');
    return Number(row?.n ?? 0);
  }

  async list(): Promise<UserInfo[]> {
    // Sorted here: SQLite's BINARY and a PostgreSQL database's collation disagree on case.
    const rows = await this.q.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users`);
    return rows.map(toUser).sort((a, b) => byCodeUnits(a.username, b.username));
  }

  async get(username: string): Promise<UserInfo | undefined> {
    const row = await this.q.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [
      username,
    ]);
    return row && toUser(row);
  }

  async credentials(username: string): Promise<UserCredentials | undefined> {
    const row = await this.q.get<Omit<UserCredentials, 'disabled'> & { disabled: number }>(
      'SELECT id, username, role, disabled, password_hash AS "passwordHash" FROM users WHERE username = $1',
      [username],
    );
    return row && { ...row, disabled: row.disabled !== 0 };
  }

  async enabledAdmins(): Promise<number> {
    const row = await this.q.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0",
    );
    return Number(row?.n ?? 0);
  }

  async update(id: number, change: UserChange, at: number): Promise<boolean> {
    const [sql, params] = updateUser(id, change, at);
    return (await this.q.run(sql, params)) > 0;
  }

  async delete(id: number): Promise<boolean> {
    return (await this.q.run('DELETE FROM users WHERE id = $1', [id])) > 0;
  }

  changeKeepingAdmin(
    username: string,
    change: UserChange | 'delete',
    at: number,
  ): Promise<AdminGuarded> {
    return this.q.transaction(function* (): TxBody<AdminGuarded> {
      yield txLock('keepwatch.users.admins');
      const row = (yield txGet(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [
        username,
      ])) as UserRow | undefined;
      if (!row) return { outcome: 'not_found' };
      const before = toUser(row);
      const admins = (yield txGet(
        "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0",
      )) as { n: number };
      if (removesLastAdmin(before, change, Number(admins.n))) return { outcome: 'last_admin' };
      if (change === 'delete') {
        yield txRun('DELETE FROM users WHERE id = $1', [before.id]);
      } else {
        const [sql, params] = updateUser(before.id, change, at);
        yield txRun(sql, params);
      }
      return { outcome: 'done', before };
    });
  }
}

/** The UPDATE for a change, stamping updated_at. */
function updateUser(id: number, change: UserChange, at: number): [string, SqlValue[]] {
  const params: SqlValue[] = [id, at];
  const sets = ['updated_at = $2'];
  const set = (column: string, value: SqlValue): void => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (change.role !== undefined) set('role', change.role);
  if (change.disabled !== undefined) set('disabled', change.disabled ? 1 : 0);
  if (change.passwordHash !== undefined) set('password_hash', change.passwordHash);
  return [`UPDATE users SET ${sets.join(', ')} WHERE id = $1`, params];
}
