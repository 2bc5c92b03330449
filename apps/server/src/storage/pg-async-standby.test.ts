import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { outboxAgent, type OutboxAgent } from '../testing/outbox-agent';
import { pgRows, serverOnPostgres, storedSeqs } from '../testing/pg-app';
import { startTcpRelay, type TcpRelay } from '../testing/tcp-relay';
import { hello } from '../testing/test-app';
import { startPgCluster, type PgCluster } from './pg-harness';
import { startPgStandby, stopPrimaryHard, type PgStandby } from './pg-standby';

/*
 * PostgreSQL fails over to a standby that had not received the last commits
 * (docs/deployment.md, "What happens on each failure", the PostgreSQL row). The standby
 * streams from the primary through a TCP relay of ours (testing/tcp-relay.ts), so the test
 * stalls replication at a chosen moment; the server reaches PostgreSQL through a second
 * relay (the VIP). Scenario, for an asynchronous and a synchronous standby alike: 1-5 acked
 * and replayed on the standby, replication stalled, 6-8 sent, the primary stopped hard
 * (pg_ctl stop -m immediate), the standby promoted, the server's relay pointed at it, the
 * agent reconnected (its welcome comes from the new primary), 9-10 sent.
 *  asynchronous: 6-8 are acked during the stall and missing on the new primary for good,
 *                the agent does not resend them (its outbox dropped them at the ack);
 *  synchronous:  nothing is acked during the stall (the commits wait for the standby), the
 *                primary dies under the waiting COMMIT, and every acked seq is on the new
 *                primary, 1-10 stored once.
 */

const POLLS = 200; // each poll query sleeps 50 ms on the server: at most ~10 s plus queries

interface Lab {
  pg: PgCluster;
  standby: PgStandby;
  /** primary → standby replication. */
  repl: TcpRelay;
  /** server → PostgreSQL (the VIP). */
  db: TcpRelay;
  app: FastifyInstance;
  agent: OutboxAgent;
}

const cleanups: (() => Promise<unknown>)[] = [];
const later = (fn: () => Promise<unknown>): void => void cleanups.unshift(fn);
afterEach(async () => {
  // Reverse order of creation: agent, server, relays, standby, primary, folder. The server's
  // close waits for a commit stuck on the stalled standby (a failed run): up to its 10 s
  // query timeout.
  for (const fn of cleanups.splice(0)) await fn().catch(() => undefined);
}, 60_000);

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Runs `check` until it is true: bounded in count (POLLS) and each wait 50 ms on the server. */
async function until(url: string, what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < POLLS; i++) {
    if (await check()) return;
    await pgRows(url, 'SELECT pg_sleep(0.05)');
  }
  throw new Error(`${what}: not within ${POLLS} polls`);
}

async function startLab(sync: boolean, agentId: string): Promise<Lab> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kw-pg-async-'));
  later(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
  const pg = await startPgCluster();
  later(() => pg.stop());
  await pgRows(pg.url, `ALTER DATABASE ${pg.database} SET synchronous_commit = on`);
  const repl = await startTcpRelay(pg.port);
  later(() => repl.close());
  const standby = await startPgStandby(pg, { primaryPort: repl.port });
  later(() => standby.stop());
  if (sync) {
    await pgRows(pg.url, `ALTER SYSTEM SET synchronous_standby_names = '*'`);
    await pgRows(pg.url, 'SELECT pg_reload_conf()');
  }
  const want = sync ? 'sync' : 'async';
  await until(pg.url, `the standby streaming ${want}`, async () => {
    const rows = await pgRows<{ s: string }>(
      pg.url,
      `SELECT sync_state AS s FROM pg_stat_replication WHERE state = 'streaming'`,
    );
    return rows[0]?.s === want;
  });
  // The standby streams through the relay, not the primary's socket.
  expect(repl.accepted).toBeGreaterThan(0);
  const db = await startTcpRelay(pg.port);
  later(() => db.close());
  const apps: FastifyInstance[] = [];
  later(async () => {
    for (const app of apps) await app.close();
  });
  const app = await serverOnPostgres(apps, {
    databaseUrl: `postgres://${pg.user}@127.0.0.1:${db.port}/${pg.database}`,
    dataDir,
  });
  const agent = outboxAgent(app, hello({ agentId }, agentId));
  later(() => agent.close());
  return { pg, standby, repl, db, app, agent };
}

/** Sends 1-5, waits for their ack and for the standby to have replayed them. */
async function ackedAndReplicated(lab: Lab, agentId: string): Promise<void> {
  for (const seq of range(1, 5)) lab.agent.send(seq);
  await lab.agent.ackedBy(5, 10_000);
  const [{ lsn } = { lsn: '' }] = await pgRows<{ lsn: string }>(
    lab.pg.url,
    'SELECT pg_current_wal_lsn()::text AS lsn',
  );
  await until(lab.pg.url, 'the standby replaying 1-5', async () => {
    const rows = await pgRows<{ ok: boolean }>(
      lab.standby.url,
      'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok',
      [lsn],
    );
    return rows[0]?.ok === true;
  });
  expect(await storedSeqs(lab.standby.url, agentId)).toEqual(range(1, 5));
}

/** Bytes of WAL the primary has that the standby never received. */
async function lagBytes(lab: Lab): Promise<number> {
  const [{ received } = { received: '' }] = await pgRows<{ received: string }>(
    lab.standby.url,
    'SELECT pg_last_wal_receive_lsn()::text AS received',
  );
  const [{ lag } = { lag: 0 }] = await pgRows<{ lag: number }>(
    lab.pg.url,
    'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::int AS lag',
    [received],
  );
  return lag;
}

/** Primary down hard, standby promoted, the VIP moved, the agent reconnected and sending 9-10. */
async function failOver(lab: Lab): Promise<number> {
  stopPrimaryHard(lab.pg);
  const failedAt = Date.now();
  lab.standby.promote();
  lab.db.retarget(lab.standby.port);
  // A fresh socket: its welcome's ackedSeq comes from the new primary, and the outbox
  // replays from there what it still holds.
  await lab.agent.close();
  for (const seq of range(9, 10)) lab.agent.send(seq);
  await lab.agent.ackedBy(10, 45_000);
  return Date.now() - failedAt;
}

describe('PostgreSQL fails over to a standby that missed the last commits', () => {
  it('asynchronous standby: the seqs acked during the replication stall are lost on the new primary, and not resent', async () => {
    const agentId = 'agent-async';
    const lab = await startLab(false, agentId);
    await ackedAndReplicated(lab, agentId);
    lab.repl.cut('stall');
    for (const seq of range(6, 8)) lab.agent.send(seq);
    await lab.agent.ackedBy(8, 10_000);
    const ackedAtCrash = lab.agent.ackedSeq;
    // Acked means stored on the primary; the stalled standby has none of it.
    expect(await storedSeqs(lab.pg.url, agentId)).toEqual(range(1, 8));
    expect(await storedSeqs(lab.standby.url, agentId)).toEqual(range(1, 5));
    const lag = await lagBytes(lab);
    expect(lag).toBeGreaterThan(0);
    const ms = await failOver(lab);

    const stored = await storedSeqs(lab.standby.url, agentId);
    const lost = range(1, lab.agent.ackedSeq).filter((s) => !stored.includes(s));
    console.info(
      `[pg-async-standby] async: acked ${ackedAtCrash} before the crash, ${lag} bytes of WAL not on the standby; lost acked seqs [${lost.join(', ')}]; crash → seq 10 acked ${ms} ms`,
    );
    expect(ackedAtCrash).toBe(8);
    // Exactly the seqs acked during the stall are gone. Had the agent resent them after the
    // welcome (the new primary says 5), the server would have stored them again.
    expect(lost).toEqual(range(6, 8));
    expect(stored).toEqual([...range(1, 5), 9, 10]);
  }, 120_000);
  it('synchronous standby: nothing is acked during the replication stall, every acked seq is on the new primary', async () => {
    const agentId = 'agent-sync';
    const lab = await startLab(true, agentId);
    await ackedAndReplicated(lab, agentId);
    lab.repl.cut('stall');
    const stalledAt = Date.now();
    for (const seq of range(6, 8)) lab.agent.send(seq);
    // The commit of 6-8 is done locally and waits for the standby (wait event SyncRep).
    await until(lab.pg.url, 'a commit waiting for the standby', async () => {
      const rows = await pgRows<{ n: number }>(
        lab.pg.url,
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'SyncRep'`,
      );
      return (rows[0]?.n ?? 0) > 0;
    });
    // Watched for 20 polls (~1 s): the commit still waits, and nothing past 5 is acked.
    for (let i = 0; i < 20; i++) {
      const rows = await pgRows<{ n: number }>(
        lab.pg.url,
        `SELECT count(*)::int AS n FROM pg_stat_activity, pg_sleep(0.05) WHERE wait_event = 'SyncRep'`,
      );
      expect(rows[0]?.n ?? 0).toBeGreaterThan(0);
      expect(lab.agent.ackedSeq).toBe(5);
    }
    const waitedMs = Date.now() - stalledAt;
    const lag = await lagBytes(lab);
    const ackedAtCrash = lab.agent.ackedSeq;
    const ms = await failOver(lab);

    const stored = await storedSeqs(lab.standby.url, agentId);
    console.info(
      `[pg-async-standby] sync: acked ${ackedAtCrash} before the crash (no ack for ${waitedMs} ms of stall), ${lag} bytes of WAL not on the standby; crash → seq 10 acked ${ms} ms`,
    );
    expect(ackedAtCrash).toBe(5);
    for (const { seq } of lab.agent.acks) expect(stored).toContain(seq);
    expect(stored).toEqual(range(1, 10));
  }, 120_000);
});
