import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock';
import { startTcpRelay, type TcpRelay } from '../testing/tcp-relay';
import { PgChangeFeed } from './change-feed';
import { pgClientConfig } from './pg-connect';
import { startPgCluster, type PgCluster } from './pg-harness';

/*
 * The change feed's listening connection on a path that stalls (docs/deployment.md, "Network
 * cut between one replica and PostgreSQL"): the feed listens through a TCP relay
 * (testing/tcp-relay.ts) that black-holes every packet, closing nothing. Neither an error nor
 * an end reaches the feed; only its heartbeat (SELECT 1, unanswered) shows the connection is
 * gone. Asserted, with the heartbeat, deadlines and backoff on a manual clock (real
 * PostgreSQL, real sockets): a healthy beat changes nothing; in the stall the unanswered beat
 * drops the connection, a reconnect left hanging is given up at its deadline, and once the
 * path heals the feed reconnects, LISTENs again, asks for a resync, and a NOTIFY published
 * then reaches the subscriber. Publishing goes straight to PostgreSQL, around the relay.
 */

const EVERY = 1_000;
const TIMEOUT = 700;
const BACKOFF = 100;

let cluster: PgCluster;
let relay: TcpRelay;
let pool: pg.Pool;

beforeAll(async () => {
  cluster = await startPgCluster();
  relay = await startTcpRelay(cluster.port);
  pool = new pg.Pool({ connectionString: cluster.url, max: 1 });
}, 60_000);
afterAll(async () => {
  await pool?.end().catch(() => undefined);
  await relay?.close();
  await cluster?.stop();
});

/** What the feed reported, in order, with a way to await the next one that matches. */
function recorder() {
  const seen: string[] = [];
  const waiters = new Set<() => void>();
  return {
    seen,
    push(e: string): void {
      seen.push(e);
      for (const w of [...waiters]) w();
    },
    /** The first event from index `from` on that matches, within `ms` of real time. */
    next(match: RegExp, from: number, ms = 5_000): Promise<string> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = seen.slice(from).find((e) => match.test(e));
          if (hit === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no event matching ${match} within ${ms} ms; seen: ${seen.join(' | ')}`),
          );
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
}

describe('PgChangeFeed through a stalled path (real PostgreSQL, TCP relay)', () => {
  it('the heartbeat sees the stall; after healing: reconnect, resync, messages again', async () => {
    const clock = new ManualClock();
    const events = recorder();
    const messages = (): string[] => events.seen.filter((e) => e.startsWith('message '));
    const viaRelay = `postgres://${cluster.user}@127.0.0.1:${relay.port}/${cluster.database}`;
    const feed = new PgChangeFeed({
      pool,
      client: pgClientConfig(viaRelay),
      onResync: () => events.push('resync'),
      onError: (err) => events.push(`error: ${err.message}`),
      backoff: { base: BACKOFF, max: 2 * BACKOFF },
      heartbeat: { everyMs: EVERY, timeoutMs: TIMEOUT },
      clock,
    });
    try {
      await feed.start();
      feed.subscribe('kw_stall', (m) => events.push(`message ${JSON.stringify(m)}`));
      await feed.ready();
      await pool.query("SELECT pg_notify('kw_stall', $1)", [JSON.stringify({ n: 1 })]);
      await events.next(/^message/, 0);
      await clock.until('the heartbeat scheduled', () => clock.pending().includes(EVERY));

      // A healthy beat: answered, the next one scheduled, nothing else.
      clock.advance(EVERY);
      expect(clock.pending()).toEqual([TIMEOUT]); // the beat's deadline
      await clock.until('beat answered', () => clock.pending().join() === `${EVERY}`);
      expect(relay.accepted).toBe(1);
      expect(messages()).toEqual(['message {"n":1}']);

      relay.cut('stall');
      const cutAt = events.seen.length;
      await pool.query("SELECT pg_notify('kw_stall', $1)", [JSON.stringify({ n: 2 })]); // lost
      clock.advance(EVERY); // the beat goes out and is never answered
      // A round trip to PostgreSQL (around the relay) before its deadline: an answer that
      // could come would have its chance (a beat that does not ask the connection fails here).
      await pool.query('SELECT 1');
      expect(clock.pending()).toEqual([TIMEOUT]);
      clock.advance(TIMEOUT);
      expect(await events.next(/heartbeat/, cutAt)).toBe(
        `error: change feed connection: heartbeat: no answer within ${TIMEOUT} ms`,
      );
      await clock.until('reconnect scheduled', () => clock.pending().join() === `${BACKOFF}`);

      // Still stalled: the new connection is accepted by the relay and never answered.
      clock.advance(BACKOFF);
      expect(clock.pending()).toEqual([TIMEOUT]); // the connect deadline
      await expect.poll(() => relay.accepted, { timeout: 5_000, interval: 10 }).toBe(2);
      clock.advance(TIMEOUT);
      expect(await events.next(/feed connect:/, cutAt)).toBe(
        `error: change feed connect: no answer within ${TIMEOUT} ms`,
      );
      await clock.until('retry scheduled', () => clock.pending().join() === `${2 * BACKOFF}`);
      expect(events.seen).not.toContain('resync');

      relay.heal();
      clock.advance(2 * BACKOFF);
      await events.next(/^resync$/, cutAt);
      await feed.ready();
      expect(relay.accepted).toBe(3);
      await pool.query("SELECT pg_notify('kw_stall', $1)", [JSON.stringify({ n: 3 })]);
      await clock.until('heartbeat running again', () => clock.pending().includes(EVERY));
      await events.next(/^message \{"n":3\}$/, cutAt);
      expect(messages()).toEqual(['message {"n":1}', 'message {"n":3}']); // n 2: lost in the stall
      expect(events.seen.filter((e) => e === 'resync')).toHaveLength(1);
    } finally {
      // On a stalled connection the goodbye is never answered: close() gives up at its deadline.
      const closing = feed.close();
      clock.advance(TIMEOUT);
      await closing;
    }
  }, 30_000);
});
