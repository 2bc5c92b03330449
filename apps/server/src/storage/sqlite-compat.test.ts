import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuthService } from '../plugins/auth-service';
import { sha256 } from '../plugins/auth-tokens';
import { migrate } from '../plugins/db-migrations';
import { sqliteRepositories } from './sql-repositories';

/*
 * AuthService (over the repositories since the auth move) and the SQLite repositories share
 * their rows: a user, session or API token written by one is read by the other.
 */

const T0 = 1_800_000_000_000;

function setup() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const now = () => T0;
  const repos = sqliteRepositories(db);
  return {
    db,
    repos,
    auth: new AuthService(repos, now),
  };
}

describe('SQLite repositories and the current stores share their rows', () => {
  it('users, sessions and API tokens made by AuthService are read by the repositories', async () => {
    const s = setup();
    const admin = await s.auth.createUser('admin', 'correct horse battery', 'admin');
    const session = await s.auth.createSession(admin);
    const { token, info } = await s.auth.tokens.create(admin.id, 'ci', 'viewer', null);
    expect(await s.repos.users.get('admin')).toEqual({
      id: admin.id,
      username: 'admin',
      role: 'admin',
      disabled: false,
      createdAt: T0,
      updatedAt: null,
    });
    expect(await s.repos.sessions.lookup(sha256(session.token))).toMatchObject({
      userId: admin.id,
      expiresAt: session.expiresAt,
    });
    expect(await s.repos.apiTokens.get(info.id)).toEqual(info);
    expect((await s.repos.apiTokens.lookup(sha256(token)))?.tokenId).toBe(info.id);
  });

  it('a user and a session written by the repositories log in through AuthService', async () => {
    const s = setup();
    const other = new AuthService(s.repos, () => T0);
    await other.createUser('seed', 'x-long-enough-password', 'viewer');
    const hash = (await s.repos.users.credentials('seed'))?.passwordHash ?? '';
    const id = await s.repos.users.create({
      username: 'ops',
      passwordHash: hash,
      role: 'operator',
      createdAt: T0,
    });
    expect(await s.auth.checkPassword('ops', 'x-long-enough-password')).toEqual({
      id,
      username: 'ops',
      role: 'operator',
    });
    await s.repos.sessions.create({
      tokenHash: sha256('tok'),
      userId: id,
      createdAt: T0,
      expiresAt: T0 + 1000,
    });
    expect(await s.auth.resolveToken('tok')).toMatchObject({ id, via: 'session' });
  });
});
