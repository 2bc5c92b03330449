import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Drill, StatusResponse } from '@keepwatch/shared';
import { until } from './config-lab';
import { startReplicaLab, welcomedAt, type ReplicaLab } from './replicas-lab';

/*
 * Issue 12's drill Must-show on real parts: a drill started on replica a (every agent at a,
 * b their fallback) whose replica is killed with SIGKILL mid-drill is marked `interrupted` by
 * b once a's `replica:a` lease expired (drills RS-5), once: a started again leaves the row as b
 * wrote it. lb1's agent undoes the fault by its own dead-man deadline regardless, and the VIP
 * is on lb1 serving 200 again. Needs root and the postgresql package.
 */
const PREFIX = 'kwr2';
const SUBNET = '10.117.1';
const VIP = `${SUBNET}.50`;
const HOLD_MS = 5000;
/** The agent's dead-man margin after the fault's hold (drills SPEC). */
const DEAD_MAN_MARGIN_MS = 20_000;

let rl: ReplicaLab | undefined;
const figures: string[] = [];

const lab = (): ReplicaLab => {
  if (!rl) throw new Error('the replica lab did not start');
  return rl;
};

async function drillAt(i: 0 | 1, id: string): Promise<Drill> {
  const res = await lab().api(lab().replicas[i], `/drills/${id}`);
  if (!res.ok) throw new Error(`GET /drills/${id}: HTTP ${res.status}`);
  return (await res.json()) as Drill;
}

const running = async (host: string, svc: 'nginx' | 'keepalived'): Promise<boolean> =>
  (await lab().lab.service(host, svc, 'status')).running;

interface DrillRow {
  status: string;
  ended_at: number | null;
  error: string | null;
}
const drillRow = async (id: string): Promise<DrillRow[]> =>
  lab().sql<DrillRow>('SELECT status, ended_at, error FROM drills WHERE id = $1', [id]);

describe('a drill whose replica is killed, on two replicas and the real lab', () => {
  beforeAll(async () => {
    rl = await startReplicaLab({ prefix: PREFIX, subnet: SUBNET });
    // The drill's preflight reads its agents' control and clock at the replica it starts on.
    for (const host of ['lb1', 'lb2', 'web1', 'web2']) await rl.startAgent(host, 0, ['drills']);
    await until(
      'every agent online at a with a clock offset, the VIP on lb1, nginx healthy',
      async () => {
        const s = (await (await lab().api(lab().replicas[0], '/status')).json()) as StatusResponse;
        const c = s.clusters.find((x) => x.id === PREFIX);
        return c?.nodes.length === 4 &&
          c.nodes.every((n) => n.online && n.clockOffsetMs !== null) &&
          c.vips.find((v) => v.address === VIP)?.holders.join() === 'lb1' &&
          c.nodes.filter((n) => n.role === 'lb').every((n) => n.services.nginx?.healthy === true)
          ? true
          : undefined;
      },
      60_000,
    );
  });

  afterAll(async () => {
    await rl?.stop();
    console.log(`replicas drill lab figures:\n  ${figures.join('\n  ')}`);
  });

  it('RS-5: kill -9 of the drill’s replica: b marks it interrupted once; lb1’s agent restores nginx; the VIP serves 200', async () => {
    const [a, b] = lab().replicas;
    const start = await lab().api(a, '/drills', {
      method: 'POST',
      body: JSON.stringify({
        clusterId: PREFIX,
        kind: 'nginx-outage',
        options: { holdMs: HOLD_MS },
      }),
    });
    expect(start.status, await start.clone().text()).toBe(201);
    const { id } = (await start.json()) as { id: string };
    const faulted = await until(
      'the fault applied (nginx stopped on lb1)',
      async () => {
        const d = await drillAt(0, id);
        return d.report.faultAt !== null && !(await running('lb1', 'nginx')) ? d : undefined;
      },
      20_000,
    );
    const faultAt = faulted.report.faultAt ?? Date.now();
    const killedAt = Date.now();
    await a.kill();
    expect(await running('lb1', 'nginx')).toBe(false);

    const moved = await until(
      'lb1 welcomed by b',
      () => Promise.resolve(welcomedAt(lab().lab, 'lb1', b.url, killedAt)),
      15_000,
    );
    figures.push(
      `kill -9 of a at fault + ${killedAt - faultAt} ms; lb1 at b ${moved - killedAt} ms later`,
    );

    // b marks it at the first renewal of its own lease after a's expired (9 s ttl, every 3 s).
    const marked = await until(
      'the drill no longer running at b',
      async () => {
        const d = await drillAt(1, id);
        return d.status !== 'running' ? d : undefined;
      },
      30_000,
    );
    const markedAt = Date.now();
    figures.push(
      `b marked it ${marked.status} ${markedAt - killedAt} ms after the kill: ${marked.error}`,
    );
    expect(marked.status).toBe('interrupted');
    const [row] = await drillRow(id);
    expect(row?.status).toBe('interrupted');

    const restoredAt = await until(
      'nginx back on lb1 by its agent',
      async () => ((await running('lb1', 'nginx')) ? Date.now() : undefined),
      HOLD_MS + DEAD_MAN_MARGIN_MS + 20_000,
    );
    figures.push(
      `nginx restored by lb1's agent at fault + ${restoredAt - faultAt} ms (deadline fault + ${HOLD_MS + DEAD_MAN_MARGIN_MS} ms)`,
    );
    // The agent starts the restore at its deadline; the lab CLI then takes a few seconds.
    expect(restoredAt).toBeLessThan(faultAt + HOLD_MS + DEAD_MAN_MARGIN_MS + 10_000);
    await until(
      'lb1 holding the VIP again',
      async () => ((await lab().lab.vipHolders(VIP)).join() === 'lb1' ? true : undefined),
      20_000,
    );
    let last = 'no answer';
    const servedAt = await until(
      'the VIP serving 200',
      async () => {
        try {
          const res = await fetch(`http://${VIP}/`, { signal: AbortSignal.timeout(500) });
          await res.arrayBuffer();
          last = `HTTP ${res.status}`;
          return res.status === 200 ? Date.now() : undefined;
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
          return undefined;
        }
      },
      30_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)} (${last})`);
    });
    figures.push(`the VIP served 200 at fault + ${servedAt - faultAt} ms`);
    expect(await running('lb1', 'keepalived')).toBe(true);

    // Never twice: a started again sweeps at each renewal of its lease (every 3 s); once it
    // has renewed after its first take, a sweep of a's ran, and the row is as b left it.
    const restartAt = Date.now();
    await a.start();
    // The row of a's first life stays (expired) until a takes it again.
    const leaseEnd = async (): Promise<number | undefined> => {
      const [l] = await lab().sql<{ expires_at: number }>(
        "SELECT expires_at FROM leases WHERE name = 'replica:a' AND holder = 'a'",
      );
      return l && Number(l.expires_at) > restartAt ? Number(l.expires_at) : undefined;
    };
    const firstTake = await until("a's replica lease taken", leaseEnd, 10_000);
    await until(
      "a's replica lease renewed",
      async () => (((await leaseEnd()) ?? 0) > firstTake ? true : undefined),
      10_000,
    );
    expect(await drillRow(id)).toEqual([row]);
    expect((await drillAt(0, id)).status).toBe('interrupted');
  });
});
