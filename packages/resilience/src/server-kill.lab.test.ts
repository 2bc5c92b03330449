import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimAgent } from '@keepwatch/loadgen';
import { buildServerBundle, freePort, ServerProcess } from './server-process';

/*
 * Issue 11 item 2: the server killed with SIGKILL 10 times while agents stream transitions
 * loses nothing and stores nothing twice. The server is its bundle in a child process on one
 * data folder and port; the agents are packages/loadgen's simulated agents speaking protocol
 * v1 as the real agent does (outbox kept in memory across the server's deaths, replay of
 * everything after the welcome's ackedSeq, reconnect with jittered backoff). Every pair fails
 * over every ~200 ms, and once more right before each kill, so each kill lands with messages in
 * flight (sent, not yet acked).
 * Afterwards, with every outbox drained, the database must hold for each agent exactly the
 * seqs 1..lastSeq, once each, in the order and with the times the agent gave them.
 *
 * Not a lab (no namespaces, no root), but in the lab project: it needs a quiet machine.
 * Bounded: 10 kills, 1–2.5 s apart, then at most 60 s to drain (about 45 s in all).
 */
const KILLS = 10;
const PAIRS = 10;
const FAILOVER_EVERY_MS = 200;

const dataDir = mkdtempSync(join(tmpdir(), 'kwrs-kill-'));
const agentToken = randomBytes(18).toString('base64url');
let server: ServerProcess;
const agents: SimAgent[] = [];

beforeAll(async () => {
  buildServerBundle();
  const port = await freePort();
  server = new ServerProcess(port, {
    KEEPWATCH_PORT: String(port),
    KEEPWATCH_HOST: '127.0.0.1',
    KEEPWATCH_DATA: dataDir,
    KEEPWATCH_ADMIN_PASSWORD: randomBytes(9).toString('base64url'),
    KEEPWATCH_AGENT_TOKEN: agentToken,
    KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
    KEEPWATCH_LOG_LEVEL: 'warn',
  });
  await server.start();
}, 60_000);

afterAll(async () => {
  for (const a of agents) a.stop();
  await server?.kill9();
  rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await sleep(50);
  }
}

describe('the server killed with SIGKILL under streaming agents', () => {
  it(`${KILLS} kills -9 while ${PAIRS * 2} agents stream failovers: 0 lost, 0 duplicated, in order`, async () => {
    for (let p = 0; p < PAIRS; p++) {
      for (const name of ['lb1', 'lb2']) {
        const a = new SimAgent({
          url: `ws://127.0.0.1:${server.port}/api/v1/agent/ws`,
          token: agentToken,
          clusterId: `kwrs-${p}`,
          name,
          master: name === 'lb1',
          vip: `10.104.${p}.50`,
          address: `10.104.${p}.${name === 'lb1' ? 11 : 12}`,
          statsEveryMs: 5000,
          onWelcome: () => undefined,
        });
        agents.push(a);
        a.start();
      }
    }
    await until('every agent welcomed', 20_000, () => agents.every((a) => a.isOnline));

    // One failover of every pair, sent at once (synchronous: nothing else runs in between).
    const failoverAll = (): void => {
      for (let p = 0; p < PAIRS; p++) {
        const [a, b] = [agents[2 * p], agents[2 * p + 1]];
        if (!a || !b) continue;
        const now = Date.now();
        const toA = !a.master;
        a.failover(toA, now);
        b.failover(!toA, now);
      }
    };
    // Failovers all along, whether the server is up or not (the outboxes keep them).
    let stopFailovers = false;
    const failovers = (async () => {
      while (!stopFailovers) {
        failoverAll();
        await sleep(FAILOVER_EVERY_MS);
      }
    })();

    const inFlightAtKill: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await sleep(1000 + Math.random() * 1500);
      // Most agents online again after the previous kill, so the kill cuts live traffic.
      await until(
        `half the agents reconnected before kill ${k + 1}`,
        20_000,
        () => agents.filter((a) => a.isOnline).length >= agents.length / 2,
      );
      // The kill lands right behind a burst of failovers: sent on the sockets, so the server
      // has them unread, read but not committed, or committed but not acked (sampling at a
      // random moment instead found the outboxes already acked at 6 of 10 kills in CI).
      failoverAll();
      inFlightAtKill.push(agents.reduce((n, a) => n + a.unackedCount, 0));
      await server.kill9();
      await server.start();
    }
    stopFailovers = true;
    await failovers;

    await until('every outbox drained (all acked)', 60_000, () =>
      agents.every((a) => a.isOnline && a.unackedCount === 0 && a.acked === a.seq),
    );
    const lastSeq = new Map(agents.map((a) => [a.agentId, a.seq]));
    for (const a of agents) a.stop();
    await server.stop();

    // Kills hit messages in flight: without a replay these would have been lost.
    expect(
      inFlightAtKill.filter((n) => n > 0).length,
      `unacked at each kill ${inFlightAtKill.join()}`,
    ).toBeGreaterThanOrEqual(KILLS / 2);

    // ...and the agents did send them again after the restarts.
    const replayed = agents.reduce((n, a) => n + a.replayedCount, 0);
    expect(replayed, 'messages replayed after a welcome').toBeGreaterThan(0);

    const db = new Database(join(dataDir, 'keepwatch.db'), { readonly: true });
    try {
      const rowsOf = db.prepare('SELECT seq, ts, type FROM events WHERE agent_id = ? ORDER BY seq');
      const twins = db
        .prepare(
          'SELECT agent_id, seq, COUNT(*) AS n FROM events GROUP BY agent_id, seq HAVING n > 1',
        )
        .all();
      expect(twins, 'an (agent, seq) stored twice').toEqual([]);
      let stored = 0;
      for (const [agentId, last] of lastSeq) {
        const rows = rowsOf.all(agentId) as { seq: number; ts: number; type: string }[];
        stored += rows.length;
        // Exactly 1..lastSeq: nothing lost (no gap), nothing extra.
        expect(
          rows.map((r) => r.seq),
          `${agentId}: stored seqs`,
        ).toEqual(Array.from({ length: last }, (_, i) => i + 1));
        // In order: the agent's own times never go back along its seqs.
        const ts = rows.map((r) => r.ts);
        expect(ts, `${agentId}: ts along seq`).toEqual([...ts].sort((x, y) => x - y));
        // What was stored under each seq is what the agent sent: transitions and VIP changes
        // in pairs, snapshots after each welcome.
        expect(new Set(rows.map((r) => r.type))).toEqual(
          new Set(['snapshot', 'vrrp.transition', 'vip.change']),
        );
        const transitions = rows.filter((r) => r.type === 'vrrp.transition').length;
        const vipChanges = rows.filter((r) => r.type === 'vip.change').length;
        expect(transitions, `${agentId}: one VIP change per transition`).toBe(vipChanges);
      }
      process.stdout.write(
        `${KILLS} kills: ${stored} events from ${agents.length} agents stored, 0 lost, 0 twice; unacked at the kills: ${inFlightAtKill.join(', ')}; ${replayed} replayed\n`,
      );
    } finally {
      db.close();
    }
  }, 150_000);
});
