import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ObservedAlert } from '../modules/alerts/alert-engine';
import type { AlertNotice } from '../modules/alerts/alert-notice';
import { postgresBackend, sqliteBackend } from './contract-backends';
import { DuplicateKeyError, type Repositories } from './repositories';

/*
 * The alerts part of the storage contract (alerts-repository.ts) on SQLite and a real
 * PostgreSQL: episodes and their notices in one transaction, channels, and the delivery
 * queue's claim (one sender per delivery, a dead sender's claim runs out, nothing lost).
 */

const T0 = 1_800_000_000_000;
const LEASE = 60_000;

const observed = (key: string, extra: Partial<ObservedAlert> = {}): ObservedAlert => ({
  key: `c1|${key}|`,
  rule: key,
  severity: 'critical',
  cluster: 'c1',
  message: `${key} on c1`,
  ...extra,
});

const notice = (event: AlertNotice['event'], key: string, at = T0): AlertNotice => ({
  event,
  alert: {
    key,
    rule: key,
    severity: 'critical',
    cluster: 'c1',
    message: key,
    firingAt: at,
  },
  at,
});

describe.each([sqliteBackend(), postgresBackend()])('alerts contract on $name', (backend) => {
  let r: Repositories;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    r = await backend.fresh();
  });

  const channel = (name: string, enabled = true) =>
    r.alertChannels.create(
      { name, type: 'dingtalk', config: { url: `http://x/${name}`, secret: 's' }, enabled },
      T0,
    );

  /** Claims everything due at `at` and marks it sent; the notices' events and channels. */
  const drain = async (at: number) => {
    const got = await r.alertQueue.claim(at, 100, LEASE);
    for (const d of got) expect(await r.alertQueue.sent(d, at)).toBe(true);
    return got.map((d) => `${d.notice.event}:${d.notice.alert.key}@${d.channelId}`);
  };

  it('commit fires, resolves, re-notifies and queues each notice to every enabled channel', async () => {
    const on = await channel('on');
    const on2 = await channel('on2');
    await channel('off', false);
    const args = { node: 'lb1', count: 2 };
    const text = { 'zh-CN': '脑裂', en: 'split brain' };
    const ids = await r.alerts.commit(
      {
        fire: [
          {
            alert: observed('SPLIT_BRAIN', { code: 'SB-1', args, text }),
            notice: notice('firing', 'a'),
          },
          { alert: observed('NO_MASTER'), notice: notice('firing', 'b') },
        ],
        resolve: [],
        renotify: [],
      },
      T0,
    );
    expect(ids).toHaveLength(2);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    expect(await r.alerts.active()).toEqual([
      {
        id: ids[0],
        key: 'c1|SPLIT_BRAIN|',
        rule: 'SPLIT_BRAIN',
        severity: 'critical',
        cluster: 'c1',
        message: 'SPLIT_BRAIN on c1',
        firingAt: T0,
        lastNotifiedAt: T0,
        code: 'SB-1',
        args,
        text,
      },
      expect.objectContaining({ id: ids[1], rule: 'NO_MASTER', lastNotifiedAt: T0 }),
    ]);
    expect((await r.alerts.active())[1]).not.toHaveProperty('code');
    expect(await drain(T0)).toEqual([
      `firing:a@${on.id}`,
      `firing:a@${on2.id}`,
      `firing:b@${on.id}`,
      `firing:b@${on2.id}`,
    ]);

    const [sb, nm] = ids as [number, number];
    await r.alerts.commit(
      {
        fire: [],
        resolve: [{ id: sb, notice: notice('resolved', 'a', T0 + 5) }],
        renotify: [{ id: nm, notice: notice('firing', 'b', T0 + 5) }],
      },
      T0 + 5,
    );
    // Resolving again changes nothing (only a firing alert resolves), but the notice is queued.
    await r.alerts.commit(
      { fire: [], resolve: [{ id: sb, notice: notice('resolved', 'a', T0 + 9) }], renotify: [] },
      T0 + 9,
    );
    expect(await r.alerts.active()).toEqual([
      expect.objectContaining({ id: nm, lastNotifiedAt: T0 + 5 }),
    ]);
    expect(await r.alerts.recent(10)).toEqual([
      expect.objectContaining({ id: sb, resolvedAt: T0 + 5, code: 'SB-1', args, text }),
    ]);
    expect((await drain(T0 + 9)).sort()).toEqual(
      [`resolved:a@${on.id}`, `resolved:a@${on2.id}`, `firing:b@${on.id}`, `firing:b@${on2.id}`]
        .concat([`resolved:a@${on.id}`, `resolved:a@${on2.id}`])
        .sort(),
    );
  });

  it('commit is all or nothing: a second firing alert of a key rolls back the whole evaluation', async () => {
    await channel('on');
    await r.alerts.commit(
      {
        fire: [{ alert: observed('NO_MASTER'), notice: notice('firing', 'x') }],
        resolve: [],
        renotify: [],
      },
      T0,
    );
    await drain(T0);
    await expect(
      r.alerts.commit(
        {
          fire: [
            { alert: observed('SPLIT_BRAIN'), notice: notice('firing', 'y') },
            { alert: observed('NO_MASTER'), notice: notice('firing', 'z') },
          ],
          resolve: [],
          renotify: [],
        },
        T0 + 1,
      ),
    ).rejects.toBeInstanceOf(DuplicateKeyError);
    expect((await r.alerts.active()).map((a) => a.rule)).toEqual(['NO_MASTER']);
    expect(await r.alertQueue.claim(T0 + 1, 100, LEASE)).toEqual([]);
  });

  it('recent: resolved ones only, latest resolved first, limited', async () => {
    const ids = await r.alerts.commit(
      {
        fire: ['A', 'B', 'C'].map((k) => ({ alert: observed(k), notice: notice('firing', k) })),
        resolve: [],
        renotify: [],
      },
      T0,
    );
    const [a, b, c] = ids as [number, number, number];
    const resolve = (id: number, at: number) =>
      r.alerts.commit(
        { fire: [], resolve: [{ id, notice: notice('resolved', 'k') }], renotify: [] },
        at,
      );
    await resolve(b, T0 + 1);
    await resolve(a, T0 + 2);
    await resolve(c, T0 + 2);
    expect((await r.alerts.recent(10)).map((x) => x.id)).toEqual([c, a, b]);
    expect((await r.alerts.recent(1)).map((x) => x.id)).toEqual([c]);
  });

  it('channels: create, all by id, get, update replaces, remove takes the queued deliveries', async () => {
    const one = await channel('one');
    const two = await channel('two', false);
    expect(one).toEqual({
      id: expect.any(Number) as number,
      name: 'one',
      type: 'dingtalk',
      enabled: true,
      config: { url: 'http://x/one', secret: 's' },
      createdAt: T0,
      updatedAt: T0,
    });
    expect((await r.alertChannels.all()).map((c) => [c.name, c.enabled])).toEqual([
      ['one', true],
      ['two', false],
    ]);
    const updated = await r.alertChannels.update(
      two.id,
      { name: '二号', type: 'webhook', config: { url: 'http://y' }, enabled: true },
      T0 + 7,
    );
    expect(updated).toEqual({
      ...two,
      name: '二号',
      type: 'webhook',
      config: { url: 'http://y' },
      enabled: true,
      updatedAt: T0 + 7,
    });
    expect(await r.alertChannels.get(two.id)).toEqual(updated);
    expect(await r.alertChannels.update(two.id + 99, updated as never, T0)).toBeUndefined();
    await r.alertQueue.enqueueAll(null, notice('drill', 'd'), T0);
    expect(await r.alertChannels.remove(one.id)).toBe(true);
    expect(await r.alertChannels.remove(one.id)).toBe(false);
    expect((await r.alertQueue.claim(T0, 100, LEASE)).map((d) => d.channelId)).toEqual([two.id]);
  });

  it('queue: a claim holds a delivery for its lease; a lost claim is due again and cannot be marked', async () => {
    const ch = await channel('on');
    expect(await r.alertQueue.enqueueAll(null, notice('drill', 'd'), T0)).toBe(1);
    const [first] = await r.alertQueue.claim(T0, 10, LEASE);
    expect(first).toMatchObject({ channelId: ch.id, attempts: 0, claimedUntil: T0 + LEASE });
    expect(first?.notice).toEqual(notice('drill', 'd'));
    // Claimed: not due for anyone until the lease ends, then due again (its sender died).
    expect(await r.alertQueue.claim(T0 + LEASE - 1, 10, LEASE)).toEqual([]);
    const [again] = await r.alertQueue.claim(T0 + LEASE, 10, LEASE);
    expect(again?.id).toBe(first?.id);
    // The first sender is back late: its claim is gone, the second one's stands.
    expect(await r.alertQueue.sent(first!, T0 + LEASE)).toBe(false);
    expect(await r.alertQueue.failed(first!, { error: 'x', nextAt: T0, final: false })).toBe(false);
    expect(await r.alertQueue.sent(again!, T0 + LEASE)).toBe(true);
    expect(await r.alertQueue.claim(T0 + 10 * LEASE, 10, LEASE)).toEqual([]);
  });

  it('queue: a failed attempt is due again at its backoff with the attempt counted; final is never due', async () => {
    await channel('on');
    await r.alertQueue.enqueueAll(null, notice('drill', 'd'), T0);
    const [d] = await r.alertQueue.claim(T0, 10, LEASE);
    expect(
      await r.alertQueue.failed(d!, {
        error: 'HTTP 503'.repeat(300),
        nextAt: T0 + 2_000,
        final: false,
      }),
    ).toBe(true);
    expect(await r.alertQueue.claim(T0 + 1_999, 10, LEASE)).toEqual([]);
    const [retry] = await r.alertQueue.claim(T0 + 2_000, 10, LEASE);
    expect(retry).toMatchObject({ id: d?.id, attempts: 1 });
    expect(await r.alertQueue.failed(retry!, { error: 'x', nextAt: T0 + 3_000, final: true })).toBe(
      true,
    );
    expect(await r.alertQueue.claim(T0 + 100 * LEASE, 10, LEASE)).toEqual([]);
  });

  it('queue: four concurrent claimers deliver each of 60 notices exactly once', async () => {
    await channel('a');
    await channel('b');
    for (let i = 0; i < 30; i++) await r.alertQueue.enqueueAll(null, notice('drill', `n${i}`), T0);
    const delivered: number[] = [];
    const claimer = async (): Promise<void> => {
      // Bounded: 60 deliveries, at least one per round while any is left.
      for (let round = 0; round < 100; round++) {
        const got = await r.alertQueue.claim(T0, 3, LEASE);
        if (got.length === 0) return;
        for (const d of got) {
          delivered.push(d.id);
          expect(await r.alertQueue.sent(d, T0)).toBe(true);
        }
      }
    };
    await Promise.all([claimer(), claimer(), claimer(), claimer()]);
    expect(delivered).toHaveLength(60);
    expect(new Set(delivered).size).toBe(60);
  });
});
