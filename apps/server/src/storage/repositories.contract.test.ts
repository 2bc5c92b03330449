import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from './contract-backends';
import { DuplicateKeyError, type Repositories } from './repositories';

/*
 * The storage contract, one suite, run against SQLite (:memory:, the production migrations)
 * and a real PostgreSQL from the harness. Every test starts from empty tables.
 */

const HOUR = 3_600_000;
const T0 = 1_800_000_000_000;

describe.each([sqliteBackend(), postgresBackend()])('storage contract on $name', (backend) => {
  let r: Repositories;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    r = await backend.fresh();
  });

  const user = (username: string, role: 'viewer' | 'operator' | 'admin' = 'admin') =>
    r.users.create({ username, passwordHash: `hash-of-${username}`, role, createdAt: T0 });

  it('reports its dialect', () => {
    expect(r.dialect).toBe(backend.name);
  });

  describe('users', () => {
    it('create → get, credentials, count; numbers come back as numbers', async () => {
      const id = await user('alice');
      expect(typeof id).toBe('number');
      expect(await r.users.get('alice')).toEqual({
        id,
        username: 'alice',
        role: 'admin',
        disabled: false,
        createdAt: T0,
        updatedAt: null,
      });
      expect(await r.users.credentials('alice')).toEqual({
        id,
        username: 'alice',
        role: 'admin',
        disabled: false,
        passwordHash: 'hash-of-alice',
      });
      expect(await r.users.get('nobody')).toBeUndefined();
      expect(await r.users.count()).toBe(1);
    });

    it('a duplicate username is a DuplicateKeyError, and nothing is added', async () => {
      await user('alice');
      await expect(user('alice')).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await r.users.count()).toBe(1);
    });

    it('lists in code-unit order whatever the engine collation', async () => {
      for (const name of ['bob', 'alice', 'Alice', 'Zed']) await user(name);
      expect((await r.users.list()).map((u) => u.username)).toEqual([
        'Alice',
        'Zed',
        'alice',
        'bob',
      ]);
    });

    it('update changes only what is given and stamps updated_at; enabledAdmins follows', async () => {
      const a = await user('alice');
      await user('bob');
      expect(await r.users.enabledAdmins()).toBe(2);
      expect(await r.users.update(a, { role: 'viewer' }, T0 + 5)).toBe(true);
      expect(await r.users.get('alice')).toMatchObject({
        role: 'viewer',
        disabled: false,
        updatedAt: T0 + 5,
      });
      expect(await r.users.update(a, { disabled: true, passwordHash: 'new' }, T0 + 6)).toBe(true);
      expect(await r.users.credentials('alice')).toMatchObject({
        role: 'viewer',
        disabled: true,
        passwordHash: 'new',
      });
      expect(await r.users.enabledAdmins()).toBe(1);
      expect(await r.users.update(999, { role: 'admin' }, T0)).toBe(false);
    });

    it("delete takes the user's sessions and API tokens with it", async () => {
      const a = await user('alice');
      await r.sessions.create({ tokenHash: 's1', userId: a, createdAt: T0, expiresAt: T0 + HOUR });
      await r.apiTokens.create({
        userId: a,
        name: 'ci',
        tokenHash: 't1',
        role: 'viewer',
        createdAt: T0,
        expiresAt: null,
      });
      expect(await r.users.delete(a)).toBe(true);
      expect(await r.users.delete(a)).toBe(false);
      expect(await r.sessions.lookup('s1')).toBeUndefined();
      expect(await r.apiTokens.list()).toEqual([]);
    });

    it('LA-1: two admins demoting each other at once leave one enabled admin', async () => {
      await user('a');
      await user('b');
      // Warm connections (PostgreSQL's pool), so both transactions really run at once.
      await Promise.all([r.users.count(), r.users.count(), r.users.count()]);
      const outcomes = await Promise.all([
        r.users.changeKeepingAdmin('a', { role: 'viewer' }, T0 + 1),
        r.users.changeKeepingAdmin('b', { disabled: true }, T0 + 1),
      ]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['done', 'last_admin']);
      expect(await r.users.enabledAdmins()).toBe(1);
    });

    it('LA-1: the last enabled admin cannot be deleted; anyone else can, and is returned', async () => {
      await user('a');
      await user('v', 'viewer');
      expect(await r.users.changeKeepingAdmin('a', 'delete', T0)).toEqual({
        outcome: 'last_admin',
      });
      expect(await r.users.changeKeepingAdmin('nobody', 'delete', T0)).toEqual({
        outcome: 'not_found',
      });
      const done = await r.users.changeKeepingAdmin('v', 'delete', T0);
      expect(done).toMatchObject({ outcome: 'done', before: { username: 'v', role: 'viewer' } });
      expect(await r.users.get('v')).toBeUndefined();
      const promoted = await r.users.changeKeepingAdmin('a', { passwordHash: 'new' }, T0 + 5);
      expect(promoted.outcome).toBe('done');
      expect((await r.users.credentials('a'))?.passwordHash).toBe('new');
      expect((await r.users.get('a'))?.updatedAt).toBe(T0 + 5);
    });
  });

  describe('sessions', () => {
    it('lookup joins the user; touch moves last_used_at', async () => {
      const a = await user('alice', 'operator');
      await r.sessions.create({ tokenHash: 's1', userId: a, createdAt: T0, expiresAt: T0 + HOUR });
      expect(await r.sessions.lookup('s1')).toEqual({
        userId: a,
        username: 'alice',
        role: 'operator',
        disabled: false,
        createdAt: T0,
        expiresAt: T0 + HOUR,
        lastUsedAt: T0,
      });
      await r.sessions.touch('s1', T0 + 60_000);
      expect((await r.sessions.lookup('s1'))?.lastUsedAt).toBe(T0 + 60_000);
      expect(await r.sessions.lookup('nope')).toBeUndefined();
    });

    it('delete, deleteForUser sparing one, and purge by expiry or idleness', async () => {
      const a = await user('alice');
      const b = await user('bob');
      for (const [hash, userId] of [
        ['a1', a],
        ['a2', a],
        ['a3', a],
        ['b1', b],
      ] as const)
        await r.sessions.create({ tokenHash: hash, userId, createdAt: T0, expiresAt: T0 + HOUR });
      expect(await r.sessions.delete('a1')).toBe(true);
      expect(await r.sessions.delete('a1')).toBe(false);
      expect(await r.sessions.deleteForUser(a, 'a3')).toBe(1);
      expect(await r.sessions.lookup('a3')).toBeDefined();
      expect(await r.sessions.deleteForUser(a)).toBe(1);
      // b1: last used at T0 → idle once idleBefore reaches T0; expired once expiredAt reaches T0+1h.
      expect(await r.sessions.purge(T0 + HOUR - 1, T0 - 1)).toBe(0);
      expect(await r.sessions.purge(T0 + HOUR - 1, T0)).toBe(1);
      await r.sessions.create({
        tokenHash: 'b2',
        userId: b,
        createdAt: T0 + 10,
        expiresAt: T0 + HOUR,
      });
      expect(await r.sessions.purge(T0 + HOUR, 0)).toBe(1);
    });

    it('a session of an unknown user is refused (foreign key)', async () => {
      await expect(
        r.sessions.create({ tokenHash: 'x', userId: 42, createdAt: T0, expiresAt: T0 + HOUR }),
      ).rejects.toThrow();
    });
  });

  describe('API tokens', () => {
    it('create returns the record with its owner; get, list, ownerId, lookup, touch', async () => {
      const a = await user('alice');
      const b = await user('bob', 'viewer');
      const t1 = await r.apiTokens.create({
        userId: a,
        name: 'deploy',
        tokenHash: 'h1',
        role: 'operator',
        createdAt: T0,
        expiresAt: T0 + HOUR,
      });
      expect(t1).toEqual({
        id: t1.id,
        name: 'deploy',
        role: 'operator',
        owner: 'alice',
        createdAt: T0,
        expiresAt: T0 + HOUR,
        lastUsedAt: null,
      });
      const t2 = await r.apiTokens.create({
        userId: b,
        name: 'grafana',
        tokenHash: 'h2',
        role: 'viewer',
        createdAt: T0 + 1,
        expiresAt: null,
      });
      expect(t2.id).toBeGreaterThan(t1.id);
      expect((await r.apiTokens.list()).map((t) => t.name)).toEqual(['deploy', 'grafana']);
      expect((await r.apiTokens.list(b)).map((t) => t.name)).toEqual(['grafana']);
      expect(await r.apiTokens.ownerId(t2.id)).toBe(b);
      expect(await r.apiTokens.ownerId(999)).toBeUndefined();
      expect(await r.apiTokens.lookup('h1')).toEqual({
        tokenId: t1.id,
        tokenRole: 'operator',
        expiresAt: T0 + HOUR,
        lastUsedAt: null,
        userId: a,
        username: 'alice',
        role: 'admin',
        disabled: false,
      });
      await r.apiTokens.touch(t1.id, T0 + 99);
      expect((await r.apiTokens.get(t1.id))?.lastUsedAt).toBe(T0 + 99);
    });

    it('delete and deleteForUser; a duplicate hash and an unknown role are refused', async () => {
      const a = await user('alice');
      const make = (hash: string, role = 'viewer') =>
        r.apiTokens.create({
          userId: a,
          name: hash,
          tokenHash: hash,
          role: role as 'viewer',
          createdAt: T0,
          expiresAt: null,
        });
      const t = await make('h1');
      await make('h2');
      await make('h3');
      await expect(make('h1')).rejects.toBeInstanceOf(DuplicateKeyError);
      await expect(make('h4', 'root')).rejects.toThrow();
      expect(await r.apiTokens.delete(t.id)).toBe(true);
      expect(await r.apiTokens.delete(t.id)).toBe(false);
      expect(await r.apiTokens.deleteForUser(a)).toBe(2);
      expect(await r.apiTokens.list()).toEqual([]);
    });
  });

  describe('enrollment', () => {
    const binding = { name: 'lb1', clusterId: 'prod', role: 'lb' as const };
    const token = (id: string, at = T0, ttl = HOUR) =>
      r.enrollment.createToken({
        id,
        tokenHash: `hash-${id}`,
        note: `note ${id}`,
        createdBy: 'alice',
        createdAt: at,
        expiresAt: at + ttl,
      });
    const attempt = (id: string, agentId: string, at = T0 + 1, b = binding) =>
      r.enrollment.enroll({
        tokenHash: `hash-${id}`,
        at,
        hostname: `${agentId}.example`,
        binding: b,
        agentId,
        credentialHash: `cred-${agentId}`,
      });

    it('tokens: create, list newest first, revoke once', async () => {
      await token('t1', T0);
      await token('t2', T0 + 10);
      const list = await r.enrollment.listTokens();
      expect(list.map((t) => t.id)).toEqual(['t2', 't1']);
      expect(list[1]).toEqual({
        id: 't1',
        note: 'note t1',
        createdBy: 'alice',
        createdAt: T0,
        expiresAt: T0 + HOUR,
        usedAt: null,
        usedBy: null,
        revokedAt: null,
      });
      expect(await r.enrollment.revokeToken('t1', T0 + 5)).toBe(true);
      expect(await r.enrollment.revokeToken('t1', T0 + 6)).toBe(false);
      expect(await r.enrollment.revokeToken('nope', T0)).toBe(false);
      expect((await r.enrollment.listTokens())[1]?.revokedAt).toBe(T0 + 5);
    });

    it('enroll spends the token once and stores the bound credential', async () => {
      await token('t1');
      expect(await attempt('t1', 'lb1-aaaaaa')).toEqual({ ok: true, tokenId: 't1' });
      expect(await r.enrollment.credential('lb1-aaaaaa')).toEqual({
        agentId: 'lb1-aaaaaa',
        hash: 'cred-lb1-aaaaaa',
        hasCredential: true,
        hostname: 'lb1-aaaaaa.example',
        enrolledAt: T0 + 1,
        revokedAt: null,
        binding,
      });
      expect((await r.enrollment.listTokens())[0]).toMatchObject({
        usedAt: T0 + 1,
        usedBy: 'lb1-aaaaaa',
      });
      expect(await attempt('t1', 'lb2-bbbbbb', T0 + 2, { ...binding, name: 'lb2' })).toEqual({
        ok: false,
        reason: 'used',
      });
    });

    it('unknown, revoked and expired tokens are refused, in that order of checks', async () => {
      expect(await attempt('none', 'x')).toEqual({ ok: false, reason: 'unknown' });
      await token('t1', T0, 1000);
      expect(await attempt('t1', 'x', T0 + 1000)).toEqual({ ok: false, reason: 'expired' });
      await r.enrollment.revokeToken('t1', T0 + 1);
      expect(await attempt('t1', 'x', T0 + 1000)).toEqual({ ok: false, reason: 'revoked' });
      expect(await r.enrollment.allCredentials()).toEqual([]);
    });

    it('a node held by a live credential: node_taken, token not spent, usable once freed', async () => {
      await token('t1');
      await token('t2');
      expect(await attempt('t1', 'lb1-aaaaaa')).toMatchObject({ ok: true });
      expect(await attempt('t2', 'lb1-bbbbbb')).toEqual({
        ok: false,
        reason: 'node_taken',
        holder: 'lb1-aaaaaa',
      });
      expect(await r.enrollment.nodeHolder(binding)).toBe('lb1-aaaaaa');
      expect(await r.enrollment.nodeHolder(binding, 'lb1-aaaaaa')).toBeUndefined();
      expect(await r.enrollment.revokeAgent('lb1-aaaaaa', T0 + 2)).toBe(true);
      expect(await attempt('t2', 'lb1-bbbbbb', T0 + 3)).toEqual({ ok: true, tokenId: 't2' });
    });

    it('racing attempts: one token, five agents → one winner; two tokens, one node → one winner', async () => {
      await token('t1');
      const one = await Promise.all(
        [1, 2, 3, 4, 5].map((i) =>
          attempt('t1', `lb-${i}`, T0 + 1, { ...binding, name: `lb-${i}` }),
        ),
      );
      expect(one.filter((o) => o.ok)).toHaveLength(1);
      expect(one.filter((o) => !o.ok).map((o) => (o.ok ? '' : o.reason))).toEqual(
        Array(4).fill('used'),
      );
      await token('t2');
      await token('t3');
      const node = { ...binding, name: 'web1' };
      const two = await Promise.all([
        attempt('t2', 'web1-a', T0 + 1, node),
        attempt('t3', 'web1-b', T0 + 1, node),
      ]);
      expect(two.filter((o) => o.ok)).toHaveLength(1);
      expect(two.find((o) => !o.ok)).toMatchObject({ reason: 'node_taken' });
      expect((await r.enrollment.allCredentials()).map((c) => c.agentId).sort()).toHaveLength(2);
    });

    it('revokeAgent bans an id that never enrolled, once; bind sets an unbound binding', async () => {
      expect(await r.enrollment.revokeAgent('lab-lb1', T0)).toBe(true);
      expect(await r.enrollment.revokeAgent('lab-lb1', T0 + 1)).toBe(false);
      expect(await r.enrollment.credential('lab-lb1')).toEqual({
        agentId: 'lab-lb1',
        hash: null,
        hasCredential: false,
        hostname: null,
        enrolledAt: T0,
        revokedAt: T0,
        binding: null,
      });
      await r.enrollment.bind('lab-lb1', binding);
      expect((await r.enrollment.credential('lab-lb1'))?.binding).toEqual(binding);
      expect(await r.enrollment.credential('nope')).toBeUndefined();
    });
  });

  describe('audit', () => {
    const rec = (
      action: string,
      at: number,
      over: { actor?: string; detail?: Record<string, unknown> } = {},
    ) =>
      r.audit.record(
        {
          actor: over.actor ?? 'alice',
          action,
          target: 'x',
          detail: over.detail ?? {},
          ip: '10.0.0.1',
        },
        at,
      );

    it('record → list newest first with its fields and detail object', async () => {
      const id1 = await rec('auth.login', T0, { detail: { via: 'password', n: 2 } });
      const id2 = await r.audit.record(
        { actor: 'system', action: 'user.create', result: 'denied' },
        T0 + 1,
      );
      expect(id2).toBeGreaterThan(id1);
      expect(await r.audit.list(10)).toEqual([
        {
          id: id2,
          at: T0 + 1,
          actor: 'system',
          action: 'user.create',
          target: null,
          result: 'denied',
          detail: {},
          ip: null,
        },
        {
          id: id1,
          at: T0,
          actor: 'alice',
          action: 'auth.login',
          target: 'x',
          result: 'ok',
          detail: { via: 'password', n: 2 },
          ip: '10.0.0.1',
        },
      ]);
    });

    it('pages by id cursor and filters by actor, exact action, action prefix and time', async () => {
      await rec('user.create', T0);
      await rec('user.delete', T0 + 10, { actor: 'bob' });
      await rec('users.list', T0 + 20);
      await rec('token.create', T0 + 30);
      await rec('User.create', T0 + 40);
      const all = await r.audit.list(100);
      expect(all.map((e) => e.action)).toEqual([
        'User.create',
        'token.create',
        'users.list',
        'user.delete',
        'user.create',
      ]);
      const page1 = await r.audit.list(2);
      const page2 = await r.audit.list(2, page1.at(-1)?.id);
      expect([...page1, ...page2].map((e) => e.action)).toEqual(
        all.slice(0, 4).map((e) => e.action),
      );
      expect((await r.audit.list(10, undefined, { actor: 'bob' })).map((e) => e.action)).toEqual([
        'user.delete',
      ]);
      // 'user.' is a prefix: not users.list, and case matters on both engines.
      expect((await r.audit.list(10, undefined, { action: 'user.' })).map((e) => e.action)).toEqual(
        ['user.delete', 'user.create'],
      );
      expect(
        (await r.audit.list(10, undefined, { action: 'user.create' })).map((e) => e.at),
      ).toEqual([T0]);
      expect(
        (await r.audit.list(10, undefined, { from: T0 + 10, to: T0 + 30 })).map((e) => e.action),
      ).toEqual(['users.list', 'user.delete']);
    });

    it('prune deletes entries older than the cut; ids keep growing', async () => {
      await rec('a', T0);
      await rec('b', T0 + 10);
      const last = await rec('c', T0 + 20);
      expect(await r.audit.prune(T0 + 20)).toBe(2);
      expect((await r.audit.list(10)).map((e) => e.action)).toEqual(['c']);
      await r.audit.prune(T0 + 21);
      expect(await rec('d', T0 + 30)).toBeGreaterThan(last);
    });
  });
});
