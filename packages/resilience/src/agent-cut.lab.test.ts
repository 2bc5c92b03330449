import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent, HistoryTimelineResponse } from '@keepwatch/shared';
import { holdersOf, nodeOf, startStack, vrrpStateOf, type Stack } from '@keepwatch/stack';

/*
 * Issue 11 item 2: an agent cut off from the server for minutes while failovers happen gets
 * everything delivered, in order, once. Real lab (keepalived, nginx, Tomcat, the agent
 * bundles); the server in this process. lb2's network to the server is cut by nft rules in
 * its namespace that drop every packet to and from the server's address and port (no RST,
 * no FIN: a silent path, as a pulled cable or a dead router makes it), for CUT_S seconds,
 * while lb1's keepalived is stopped and started CYCLES times (lb2 takes the VIP, lb1 takes
 * it back). VRRP between lb1 and lb2 is untouched. Shown: the server marks lb2 offline
 * during the cut; after it lb2's stored seqs are exactly 1..lastSeq of its outbox (nothing
 * lost, nothing twice), its transitions and VIP changes of the cut are all there in order
 * with the agent's times, stored only after the restore, and the cluster ends as it is.
 * Bounded: the cut lasts CUT_S, every wait has its limit; the namespaces (and with them the
 * nft table) go with the lab.
 */
const PREFIX = 'kwsx';
const SUBNET = '10.109.0';
const VIP = `${SUBNET}.50`;
const CLUSTER = PREFIX;
const CUT_S = 120;
const CYCLES = 3;
const TABLE = 'kwcut';

let stack: Stack;
const logLines: string[] = [];

async function until<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const holders = (): Promise<string> => stack.lab.vipHolders(VIP).then((h) => [...h].sort().join());
const waitHolders = (want: string, ms = 20_000): Promise<string> =>
  until(`kernel VIP holders = ${want}`, ms, async () =>
    (await holders()) === want ? want : undefined,
  );

async function nft(host: string, ...args: string[]): Promise<void> {
  const r = await stack.lab.exec(host, ['nft', ...args]);
  if (r.code !== 0) throw new Error(`nft ${args.join(' ')} on ${host}: ${r.stderr}`);
}

/** Drops everything between `host` and the server, both ways, silently. */
async function cut(host: string): Promise<void> {
  const { hostname, port } = new URL(stack.url);
  await nft(host, 'add', 'table', 'inet', TABLE);
  for (const [chain, hook, match] of [
    ['out', 'output', `ip daddr ${hostname} tcp dport ${port}`],
    ['in', 'input', `ip saddr ${hostname} tcp sport ${port}`],
  ] as const) {
    await nft(
      host,
      'add',
      'chain',
      'inet',
      TABLE,
      chain,
      `{ type filter hook ${hook} priority 0 ; }`,
    );
    await nft(host, 'add', 'rule', 'inet', TABLE, chain, ...match.split(' '), 'drop');
  }
}

async function timeline(from: number, node?: string): Promise<HistoryEvent[]> {
  const q = new URLSearchParams({
    cluster: CLUSTER,
    from: String(from),
    to: String(Date.now() + 60_000),
    limit: '10000',
    ...(node && { node }),
  });
  const res = await fetch(`${stack.url}/api/v1/history/timeline?${q.toString()}`, {
    headers: { authorization: `Bearer ${stack.token}` },
  });
  if (!res.ok) throw new Error(`timeline: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as HistoryTimelineResponse).events;
}

/** The agent's own view: highest seq it assigned and highest seq the server acked. */
function outbox(host: string): { lastSeq: number; ackedSeq: number } {
  const file = join(stack.lab.baseDir, host, 'agent-state', `${PREFIX}-${host}.outbox.jsonl`);
  let lastSeq = 0;
  let ackedSeq = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const rec = JSON.parse(line) as {
        h?: { lastSeq: number; ackedSeq: number };
        m?: { seq: number };
        a?: number;
      };
      lastSeq = Math.max(lastSeq, rec.h?.lastSeq ?? 0, rec.m?.seq ?? 0);
      ackedSeq = Math.max(ackedSeq, rec.h?.ackedSeq ?? 0, rec.a ?? 0);
    } catch {
      // a line being written: the next read sees it whole
    }
  }
  return { lastSeq, ackedSeq };
}

const storedSeqs = (host: string): number[] =>
  (
    stack.app.db
      .prepare('SELECT seq FROM events WHERE agent_id = ? ORDER BY seq')
      .all(`${PREFIX}-${host}`) as { seq: number }[]
  ).map((r) => r.seq);

function labNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${PREFIX}-`));
}

const dedupe = (xs: string[]): string[] => xs.filter((x, i) => x !== xs[i - 1]);

describe('an agent cut off from the server for minutes', () => {
  beforeAll(async () => {
    stack = await startStack({ prefix: PREFIX, subnet: SUBNET, log: (l) => logLines.push(l) });
    await stack.live.waitFor(
      'lb1 MASTER holding the VIP',
      (s) =>
        vrrpStateOf(s, CLUSTER, 'lb1') === 'MASTER' &&
        vrrpStateOf(s, CLUSTER, 'lb2') === 'BACKUP' &&
        holdersOf(s, CLUSTER, VIP).join() === 'lb1',
      30_000,
    );
  });

  afterAll(async () => {
    await stack?.stop();
    expect(labNamespaces()).toEqual([]);
  });

  it(`delivers every failover of a ${CUT_S} s cut once, in order, after the network returns`, async () => {
    const cutAt = Date.now();
    await cut('lb2');
    // The server notices the silent socket (pong timeout), the agent its silent server.
    await stack.live.waitFor(
      'lb2 offline on the server',
      (s) => nodeOf(s, CLUSTER, 'lb2')?.online === false,
      40_000,
    );
    for (let i = 0; i < CYCLES; i++) {
      await stack.lab.service('lb1', 'keepalived', 'stop');
      await waitHolders('lb2');
      await stack.lab.service('lb1', 'keepalived', 'start');
      await waitHolders('lb1');
      // Spread the cycles over the cut.
      const next = cutAt + ((i + 1) * CUT_S * 1000) / (CYCLES + 1);
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
    const beforeRestore = storedSeqs('lb2').at(-1) ?? 0;
    await new Promise((r) => setTimeout(r, Math.max(0, cutAt + CUT_S * 1000 - Date.now())));
    const restoreAt = Date.now();
    expect(storedSeqs('lb2').at(-1) ?? 0, 'lb2 stored nothing new while cut').toBe(beforeRestore);
    await nft('lb2', 'delete', 'table', 'inet', TABLE);

    for (const host of ['lb1', 'lb2']) {
      const settled = await until(`${host} outbox fully acknowledged`, 60_000, () => {
        const box = outbox(host);
        const seqs = storedSeqs(host);
        return box.ackedSeq === box.lastSeq && seqs.at(-1) === box.lastSeq
          ? { box, seqs }
          : undefined;
      });
      expect(settled.seqs, `${host}: stored seqs are 1..lastSeq`).toEqual(
        Array.from({ length: settled.box.lastSeq }, (_, i) => i + 1),
      );
    }

    const lb2 = (await timeline(cutAt, 'lb2')).filter(
      (e) => (e.type === 'vrrp.transition' || e.type === 'vip.change') && e.ts < restoreAt,
    );
    const states = lb2
      .filter((e) => e.type === 'vrrp.transition')
      .map((e) => (e.data as { state: string }).state);
    const flips = Array.from({ length: CYCLES }, () => ['MASTER', 'BACKUP']).flat();
    expect(dedupe(states), 'lb2 VRRP states of the cut').toEqual(flips);
    const vips = lb2
      .filter(
        (e) =>
          e.type === 'vip.change' &&
          (e.data as { address: { address: string } }).address.address === VIP,
      )
      .map((e) => (e.data as { action: string }).action);
    expect(dedupe(vips), 'lb2 VIP changes of the cut').toEqual(
      Array.from({ length: CYCLES }, () => ['add', 'remove']).flat(),
    );
    for (const e of lb2) {
      expect(e.ts).toBeGreaterThan(cutAt);
      // Observed during the cut, stored once the network was back.
      expect(e.receivedAt).toBeGreaterThanOrEqual(restoreAt);
    }
    expect(lb2.map((e) => e.ts)).toEqual([...lb2.map((e) => e.ts)].sort((a, b) => a - b));
    const keys = (await timeline(0)).map((e) => `${e.agentId}/${e.seq}/${e.type}/${e.summary}`);
    expect(new Set(keys).size, 'no event twice').toBe(keys.length);

    // The replay of old transitions does not leave a stale state: lb1 holds the VIP, lb2 back.
    await stack.live.waitFor(
      'lb2 online again, lb1 MASTER with the VIP',
      (s) =>
        nodeOf(s, CLUSTER, 'lb2')?.online === true &&
        vrrpStateOf(s, CLUSTER, 'lb1') === 'MASTER' &&
        vrrpStateOf(s, CLUSTER, 'lb2') === 'BACKUP' &&
        holdersOf(s, CLUSTER, VIP).join() === 'lb1',
      30_000,
    );
  }, 360_000);
});
