import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Drill, DrillKind, DrillPreflight } from '@keepwatch/shared';
import { startStack, type Stack } from './stack';
import { clusterOf, holdersOf, serviceHealthy, vrrpStateOf } from './status-queries';

/*
 * Every drill kind end to end through the API on the real lab (keepalived, nginx, Tomcat
 * with the lab's default, tutorial-style config), the lab checked restored after each one;
 * the reported downtime compared with an independent client the test runs itself (its own
 * socket loop, no product code); preflight refusals. Figures are printed for the report.
 */
const PREFIX = 'kwdr';
const SUBNET = '10.98.0';
const VIP = `${SUBNET}.50`;
const CLUSTER = PREFIX;

let stack: Stack;

interface IpLink {
  flags: string[];
  operstate?: string;
  addr_info?: { local: string }[];
}
const logLines: string[] = [];
const figures: string[] = [];

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${stack.url}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
  });
}

async function waitDone(id: string, timeoutMs = 150_000): Promise<Drill> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const d = (await (await api(`/drills/${id}`)).json()) as Drill;
    if (d.status !== 'running') return d;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`drill ${id} still running after ${timeoutMs} ms`);
}

async function startDrill(kind: DrillKind, options: Record<string, unknown> = {}): Promise<string> {
  const res = await api('/drills', {
    method: 'POST',
    body: JSON.stringify({ clusterId: CLUSTER, kind, options }),
  });
  const body = (await res.json()) as { id?: string; message?: string };
  if (res.status !== 201) throw new Error(`start ${kind}: ${res.status} ${body.message}`);
  return body.id ?? '';
}

/** The lab as a drill must leave it: the kernel VIP on lb1 only, every service up. */
async function expectRestored(what: string): Promise<void> {
  await stack.live.waitFor(
    `${what}: lab restored (VIP on lb1 only, every service up)`,
    (s) =>
      holdersOf(s, CLUSTER, VIP).join() === 'lb1' &&
      vrrpStateOf(s, CLUSTER, 'lb1') === 'MASTER' &&
      vrrpStateOf(s, CLUSTER, 'lb2') === 'BACKUP' &&
      ['lb1', 'lb2'].every((n) => serviceHealthy(s, CLUSTER, n, 'nginx') === true) &&
      ['web1', 'web2'].every((n) => serviceHealthy(s, CLUSTER, n, 'tomcat') === true),
    30_000,
  );
  const st = await stack.lab.status();
  for (const h of st.hosts)
    for (const [svc, v] of Object.entries(h.services))
      expect(v?.running, `${what}: ${h.name} ${svc} running`).toBe(true);
}

/**
 * The independent client: a fresh TCP connection to the VIP every 10 ms, `GET /`, good on a
 * 200 status line within 200 ms. Its outage: the longest failure run, from the start of its
 * first failed request to the start of the next good one (as the reference lab measures it).
 */
function independentClient(): {
  stop: () => Promise<{ outageMs: number; failed: number; total: number }>;
} {
  const results: { t: number; ok: boolean }[] = [];
  const inflight = new Set<Promise<void>>();
  const once = (): Promise<void> => {
    const t = performance.timeOrigin + performance.now();
    return new Promise<void>((resolve) => {
      let done = false;
      let buf = '';
      const sock = connect({ host: VIP, port: 80 });
      const end = (ok: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sock.destroy();
        results.push({ t, ok });
        resolve();
      };
      const timer = setTimeout(() => end(false), 200);
      sock.on('connect', () => sock.write(`GET / HTTP/1.0\r\nHost: ${VIP}\r\n\r\n`));
      sock.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        if (buf.includes('\r\n')) end(/^HTTP\/1\.[01] 200/.test(buf));
      });
      sock.on('error', () => end(false));
      sock.on('close', () => end(false));
    });
  };
  const start = performance.now();
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const p = once();
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    n++;
    // Bounded: at most 60 s of requests.
    if (n < 6000) timer = setTimeout(tick, Math.max(0, start + n * 10 - performance.now()));
  };
  tick();
  return {
    stop: async () => {
      clearTimeout(timer);
      await Promise.all([...inflight]);
      const sorted = results.sort((a, b) => a.t - b.t);
      let best = 0;
      let from: number | null = null;
      for (const r of sorted) {
        if (!r.ok) from ??= r.t;
        else if (from !== null) {
          best = Math.max(best, r.t - from);
          from = null;
        }
      }
      return { outageMs: best, failed: sorted.filter((r) => !r.ok).length, total: sorted.length };
    },
  };
}

/**
 * The live detection as the dashboard gets it: the split-brain finding codes (SB-1, SB-2) of
 * the cluster in the live feed, read every 100 ms until stopped (bounded: 1500 reads).
 */
function watchSplitFindings(): { stop: () => Promise<Set<string>> } {
  const seen = new Set<string>();
  let on = true;
  const loop = (async () => {
    for (let i = 0; i < 1500 && on; i++) {
      const now = stack.live.current();
      const c = now ? clusterOf(now, CLUSTER) : undefined;
      for (const f of c?.findings ?? []) if (f.rule === 'SPLIT_BRAIN') seen.add(f.code ?? '?');
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      return seen;
    },
  };
}

function record(d: Drill): void {
  const r = d.report;
  const firstBad = (r.samples.vip ?? []).find(
    (x) => x[2] !== 200 && Number(x[0]) >= (r.faultAt ?? 0) - 1000,
  );
  figures.push(
    `${d.kind}: first failed VIP request ${firstBad ? Math.round(Number(firstBad[0]) - (r.faultAt ?? 0)) : '-'} ms after the fault time, clock offsets ${JSON.stringify(r.clockOffsets)}`,
  );
  figures.push(
    `${d.kind.padEnd(18)} ${d.status.padEnd(7)} downtime ${String(Math.round(r.downtimeMs)).padStart(5)} ms, failed ${String(r.failedRequests).padStart(4)}/${r.totalRequests}, newMaster ${r.newMaster ?? '-'} at ${r.timeToNewMasterMs ?? '-'} ms, detection/takeover/convergence ${r.detectionMs ?? '-'}/${r.takeoverMs ?? '-'}/${r.convergenceMs ?? '-'} ms, fail-back ${r.failback.failedRequests} req, bound ${r.bound?.lowMs ?? '-'}..${r.bound?.highMs ?? '-'} ms, findings [${r.findings.map((f) => f.code).join(',')}]${d.error ? `, error: ${d.error}` : ''}`,
  );
}

describe('drills on the real lab', () => {
  beforeAll(async () => {
    stack = await startStack({
      prefix: PREFIX,
      subnet: SUBNET,
      log: (l) => logLines.push(l),
      control: () => ['drills'],
    });
    await stack.live.waitFor(
      'lb1 sole holder',
      (s) => holdersOf(s, CLUSTER, VIP).join() === 'lb1',
      30_000,
    );
    await expectRestored('start');
  });

  afterAll(async () => {
    await stack?.stop();
    console.log(
      `drills lab figures (default lab config, 10 ms probe, 200 ms timeout):\n  ${figures.join('\n  ')}`,
    );
  });

  it('nginx-outage: passes, a second drill is refused 409, downtime within ±50 ms of the independent client', async () => {
    const client = independentClient();
    await new Promise((r) => setTimeout(r, 300));
    const id = await startDrill('nginx-outage');
    const second = await api('/drills', {
      method: 'POST',
      body: JSON.stringify({ clusterId: CLUSTER, kind: 'keepalived-stop' }),
    });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { message: string }).message).toContain(id);
    const d = await waitDone(id);
    const own = await client.stop();
    record(d);
    figures.push(
      `  independent client: outage ${Math.round(own.outageMs)} ms, failed ${own.failed}/${own.total}`,
    );
    expect(d.status, d.error ?? '').toBe('passed');
    expect(d.report.newMaster).toBe('lb2');
    expect(d.report.restored).toBe(true);
    expect(d.report.checkScriptFired).toBe(true);
    expect(Math.abs(d.report.downtimeMs - own.outageMs)).toBeLessThanOrEqual(50);
    await expectRestored('nginx-outage');
  });

  it('keepalived-stop: passes, downtime within ±50 ms of the independent client', async () => {
    const client = independentClient();
    await new Promise((r) => setTimeout(r, 300));
    const d = await waitDone(await startDrill('keepalived-stop'));
    const own = await client.stop();
    record(d);
    figures.push(
      `  independent client: outage ${Math.round(own.outageMs)} ms, failed ${own.failed}/${own.total}`,
    );
    expect(d.status, d.error ?? '').toBe('passed');
    expect(d.report.newMaster).toBe('lb2');
    expect(Math.abs(d.report.downtimeMs - own.outageMs)).toBeLessThanOrEqual(50);
    await expectRestored('keepalived-stop');
  });

  it('keepalived-crash: the stale VIP is a finding, never a clean pass', async () => {
    const live = watchSplitFindings();
    const d = await waitDone(await startDrill('keepalived-crash'));
    const codes = await live.stop();
    record(d);
    figures.push(`  live split-brain findings during keepalived-crash: [${[...codes].join(',')}]`);
    expect(codes.has('SB-1'), 'the live detection flags the stale VIP (SB-1, SB-3)').toBe(true);
    expect(d.status).toBe('failed');
    expect(d.report.splitBrainSeen).toBe(true);
    expect(d.report.findings.map((f) => f.code)).toContain('stale-vip');
    expect(d.report.newMaster).toBe('lb2');
    expect(d.report.restored).toBe(true);
    await expectRestored('keepalived-crash');
  });

  it("link-down: the VIP left on lb1's downed link is no split brain (SB-2): a finding, no-split holds, passed", async () => {
    // The kernel's own word, read by the test (no product code): lb1's eth0 and the VIP on it,
    // every 100 ms while the drill runs (bounded: 600 reads).
    const kernel: { t: number; down: boolean; vip: boolean }[] = [];
    let reading = true;
    const reader = (async () => {
      for (let i = 0; i < 600 && reading; i++) {
        const r = await stack.lab.exec('lb1', ['ip', '-j', '-4', 'addr', 'show', 'dev', 'eth0']);
        const link = (JSON.parse(r.stdout || '[]') as IpLink[])[0];
        if (link)
          kernel.push({
            t: Date.now(),
            down: !link.flags.includes('UP') || link.operstate === 'DOWN',
            vip: (link.addr_info ?? []).some((a) => a.local === VIP),
          });
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    const live = watchSplitFindings();
    const d = await waitDone(await startDrill('link-down'));
    const codes = await live.stop();
    figures.push(`  live split-brain findings during link-down: [${[...codes].join(',')}]`);
    expect([...codes], 'no false split brain in the live detection (SB-3)').toEqual([]);
    reading = false;
    await reader;
    record(d);
    const onDead = kernel.filter((k) => k.down && k.vip);
    const downReads = kernel.filter((k) => k.down);
    const firstDown = downReads[0]?.t ?? 0;
    const upWithVip = kernel.filter((k) => !k.down && k.vip);
    figures.push(
      `  lb1's kernel (read by the test every 100 ms): eth0 down in ${downReads.length} reads, the VIP on it in ${onDead.length} of them${onDead.length > 0 ? ` (until ${(onDead.at(-1)?.t ?? 0) - firstDown} ms after the first down read)` : ''}; link up with the VIP in ${upWithVip.length} reads (before the fault and after the fail-back)`,
    );
    figures.push(
      `  findings: ${d.report.findings.map((f) => `${f.code}: ${f.text.en}`).join(' | ')}`,
    );
    expect(downReads.length, 'the test saw eth0 down').toBeGreaterThan(0);
    expect(
      d.status,
      `${d.error ?? ''} ${JSON.stringify(d.report.criteria.filter((c) => !c.ok))}`,
    ).toBe('passed');
    expect(d.report.newMaster).toBe('lb2');
    expect(d.report.splitBrainSeen).toBe(false);
    expect(d.report.criteria.find((c) => c.id === 'no-split')?.ok).toBe(true);
    expect(d.report.transitions.find((x) => x.kind === 'link-down')?.node).toBe('lb1');
    expect(upWithVip.length, 'the test saw the VIP on lb1 at all').toBeGreaterThan(0);
    // EV-4: the finding says what lb1's kernel did, as the test read it itself.
    expect(d.report.findings.map((f) => f.code)).toContain(
      onDead.length > 5 ? 'vip-on-downed-link' : 'vip-removed-on-link-down',
    );
    expect(d.report.restored).toBe(true);
    await expectRestored('link-down');
  });

  for (const kind of [
    'backend-outage',
    'backend-blackhole',
    'nginx-hang',
    'all-backends-down',
    'vrrp-partition',
  ] as const)
    it(`${kind}: passes end to end and leaves the lab restored`, async () => {
      const live = watchSplitFindings();
      const d = await waitDone(await startDrill(kind));
      const codes = await live.stop();
      record(d);
      if (kind === 'vrrp-partition') {
        figures.push(
          `  live split-brain findings during vrrp-partition: [${[...codes].join(',')}]`,
        );
        expect(codes.size, 'the live detection flags the partition (SB-3)').toBeGreaterThan(0);
      }
      expect(
        d.status,
        `${d.error ?? ''} ${JSON.stringify(d.report.criteria.filter((c) => !c.ok))}`,
      ).toBe('passed');
      expect(d.report.restored).toBe(true);
      if (kind === 'all-backends-down') expect(d.report.failedRequests).toBeGreaterThan(0);
      if (kind === 'vrrp-partition') expect(d.report.splitBrainSeen).toBe(true);
      await expectRestored(kind);
    });

  it("preflight refuses when the BACKUP's nginx is down and when the target is monitor-only", async () => {
    const pf = async (): Promise<DrillPreflight> =>
      (await (
        await api('/drills/preflight', {
          method: 'POST',
          body: JSON.stringify({ clusterId: CLUSTER, kind: 'nginx-outage' }),
        })
      ).json()) as DrillPreflight;
    await stack.lab.service('lb2', 'nginx', 'stop');
    try {
      await stack.live.waitFor(
        'lb2 nginx down',
        (s) => serviceHealthy(s, CLUSTER, 'lb2', 'nginx') === false,
        10_000,
      );
      const p = await pf();
      expect(p.ok).toBe(false);
      expect(p.checks.find((c) => c.id === 'PF-4' && !c.ok)?.text.en).toContain(
        'lb2 is not a healthy BACKUP: its nginx is down',
      );
    } finally {
      await stack.lab.service('lb2', 'nginx', 'start');
    }
    await stack.lab.stopAgent('lb1');
    await stack.lab.startAgent('lb1', {
      serverUrl: stack.url.replace(/^http/, 'ws'),
      token: stack.agentToken,
      control: [],
    });
    try {
      await stack.live.waitFor(
        'lb1 back, lb2 nginx up',
        (s) =>
          serviceHealthy(s, CLUSTER, 'lb2', 'nginx') === true &&
          holdersOf(s, CLUSTER, VIP).join() === 'lb1',
        20_000,
      );
      let p = await pf();
      for (let i = 0; i < 40 && p.checks.every((c) => c.id !== 'PF-5' || c.ok); i++) {
        await new Promise((r) => setTimeout(r, 250));
        p = await pf();
      }
      const bad = p.checks.find((c) => c.id === 'PF-5' && !c.ok);
      expect(bad?.node).toBe('lb1');
      expect(bad?.text.en).toContain('monitor-only');
    } finally {
      await stack.lab.stopAgent('lb1');
      await stack.lab.startAgent('lb1', {
        serverUrl: stack.url.replace(/^http/, 'ws'),
        token: stack.agentToken,
        control: ['drills'],
      });
    }
    await expectRestored('preflight');
  });
});
