import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { startStack, type Stack } from '@keepwatch/stack';
import type {
  AgentConfig,
  AgentDataMessage,
  AgentToServer,
  ServerToAgent,
} from '@keepwatch/shared';
import { PROTOCOL_VERSION } from '@keepwatch/shared';
import { startAgent } from './agent';
import { silentLogger } from './log';

/*
 * The complete agent on real keepalived/nginx/Tomcat (root only): config hash and test
 * results, upstreams as the LB sees them, 1 s keepalived liveness, actions (refused when
 * monitor-only; a drill with its dead-man switch; config.apply refused before keepalived
 * sees a bad file, applied and reloaded when good), log streaming and stub_status, and the
 * dual-master scheme. Agents run as real processes in the lab hosts; the server is in this
 * process, so its event bus shows every message it ingests.
 */

const PREFIX = 'kwa';
const SUBNET = '10.81.0';
const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

interface Seen {
  agentId: string;
  message: AgentDataMessage;
  at: number;
}

/**
 * Every data message the server ingested: what is already stored (agents connect while
 * startStack runs, before a test can listen) and then whatever the bus shows.
 */
function recorder(stack: Stack) {
  const seen: Seen[] = [];
  const waiters = new Set<() => void>();
  stack.app.bus.on('agent.data', (e) => {
    seen.push(e);
    for (const w of waiters) w();
  });
  const stored = stack.app.db
    .prepare(
      'SELECT agent_id AS agentId, payload, received_at AS at FROM events ORDER BY received_at, seq',
    )
    .all() as { agentId: string; payload: string; at: number }[];
  seen.unshift(
    ...stored.map((r) => ({
      agentId: r.agentId,
      message: JSON.parse(r.payload) as AgentDataMessage,
      at: r.at,
    })),
  );
  /** VRRP instances of an agent now: its last snapshot with the transitions after it applied. */
  const vrrpOf = (agentId: string): Record<string, { state: string; vips: string[] }> => {
    const mine = seen.filter((x) => x.agentId === agentId).map((x) => x.message);
    const lastSnap = mine.map((m) => m.type).lastIndexOf('snapshot');
    const out: Record<string, { state: string; vips: string[] }> = {};
    for (const m of mine.slice(Math.max(0, lastSnap))) {
      if (m.type === 'snapshot')
        for (const i of m.vrrp) out[i.instance] = { state: i.state, vips: i.vips };
      if (m.type === 'vrrp.transition' && out[m.instance])
        out[m.instance] = { ...out[m.instance], state: m.state } as {
          state: string;
          vips: string[];
        };
    }
    return out;
  };
  /** The first message (already seen, or to come) matching pred. */
  const waitMsg = <T extends AgentDataMessage['type']>(
    agentId: string,
    type: T,
    pred: (m: Extract<AgentDataMessage, { type: T }>) => boolean,
    timeoutMs = 15_000,
    since = 0,
  ): Promise<Extract<AgentDataMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = seen
          .slice(since)
          .find(
            (s) =>
              s.agentId === agentId &&
              s.message.type === type &&
              pred(s.message as Extract<AgentDataMessage, { type: T }>),
          );
        if (!hit) return false;
        waiters.delete(onMsg);
        clearTimeout(timer);
        resolve(hit.message as Extract<AgentDataMessage, { type: T }>);
        return true;
      };
      const onMsg = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(onMsg);
        reject(new Error(`no ${type} from ${agentId} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) waiters.add(onMsg);
    });
  return { seen, waitMsg, vrrpOf };
}

async function until(
  what: string,
  fn: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the complete agent in the master-backup lab', () => {
  let stack: Stack;
  let rec: ReturnType<typeof recorder>;
  let lb1Dir: string;
  const lab = (): Stack['lab'] => stack.lab;

  beforeAll(async () => {
    stack = await startStack({ prefix: PREFIX, subnet: SUBNET });
    rec = recorder(stack);
    lb1Dir = join(stack.lab.baseDir, 'lb1');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('reports both config files with their sha256, test result and content', async () => {
    const ka = await rec.waitMsg(
      'kwa-lb1',
      'config.observed',
      (m) => m.config.component === 'keepalived',
    );
    const file = readFileSync(join(lb1Dir, 'keepalived.conf'));
    expect(ka.config).toMatchObject({
      hash: sha(file),
      content: file.toString(),
      test: { ok: true, code: 0 },
    });
    const ng = await rec.waitMsg(
      'kwa-lb1',
      'config.observed',
      (m) => m.config.component === 'nginx',
    );
    expect(ng.config).toMatchObject({
      hash: sha(readFileSync(join(lb1Dir, 'nginx.conf'))),
      test: { ok: true, code: 0 },
    });
  });

  it('probes every upstream server from the LB: stopping web1 Tomcat makes lb1 report it unhealthy', async () => {
    const web1 = `${SUBNET}.21:8080`;
    await rec.waitMsg(
      'kwa-lb1',
      'upstream.health',
      (m) => m.upstream.server === web1 && m.upstream.health.healthy,
    );
    await rec.waitMsg(
      'kwa-lb1',
      'upstream.health',
      (m) => m.upstream.server === `${SUBNET}.22:8080` && m.upstream.health.healthy,
    );
    const since = rec.seen.length;
    const stoppedAt = Date.now();
    await lab().service('web1', 'tomcat', 'stop');
    const down = await rec.waitMsg(
      'kwa-lb1',
      'upstream.health',
      (m) => m.upstream.server === web1 && !m.upstream.health.healthy,
      10_000,
      since,
    );
    expect(down.upstream.health.detail).toMatch(/ECONNREFUSED|timeout|HTTP/);
    expect(down.ts - stoppedAt).toBeLessThan(8000);
  });

  it('sees a stopped keepalived within about a second (pid-file liveness, not the 5 s reconcile)', async () => {
    const since = rec.seen.length;
    await lab().service('lb2', 'keepalived', 'stop');
    const stoppedAt = Date.now();
    const down = await rec.waitMsg(
      'kwa-lb2',
      'service.health',
      (m) => m.service === 'keepalived' && !m.health.healthy,
      5000,
      since,
    );
    expect(down.ts - stoppedAt).toBeLessThan(2500);
    await lab().service('lb2', 'keepalived', 'start');
    await rec.waitMsg(
      'kwa-lb2',
      'service.health',
      (m) => m.service === 'keepalived' && m.health.healthy,
      10_000,
      since,
    );
  });

  it('a monitor-only agent refuses drill.fault with not_permitted and logs the refusal', async () => {
    const r = await stack.app.actions.request(
      'kwa-lb1',
      'drill.fault',
      { drillId: 'refused-1', fault: 'stop-nginx', restoreAfterMs: 5000 },
      { timeoutMs: 10_000 },
    );
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('not_permitted');
    expect(r.error?.message).toContain(
      "this agent is monitor-only: its host config does not grant 'drills' control (see control in agent.json)",
    );
    expect((await lab().service('lb1', 'nginx', 'status')).running).toBe(true);
    await until('WARN line in the agent log', () =>
      readFileSync(join(lb1Dir, 'agent.log'), 'utf8')
        .split('\n')
        .some((l) => l.includes('WARN') && l.includes(`id=${r.id}`)),
    );
  });

  describe('with drills and config granted to lb1', () => {
    beforeAll(async () => {
      const token = (JSON.parse(readFileSync(join(lb1Dir, 'agent.json'), 'utf8')) as AgentConfig)
        .server.token;
      for (const host of ['lb1', 'lb2']) {
        await lab().stopAgent(host);
        const online = new Promise<void>((resolve) => {
          const off = stack.app.bus.on('agent.online', (e) => {
            if (e.agentId === `kwa-${host}`) {
              off();
              resolve();
            }
          });
        });
        await lab().startAgent(host, {
          serverUrl: stack.url,
          token,
          control: ['drills', 'config'],
        });
        await online;
      }
    });

    it('block-vrrp on the BACKUP makes a split brain (nft in its namespace) until drill.restore', async () => {
      const vip = `${SUBNET}.50`;
      const holders = async (): Promise<string> => (await lab().vipHolders(vip)).sort().join();
      await until('VIP on lb1 only', async () => (await holders()) === 'lb1', 20_000);
      const r = await stack.app.actions.request(
        'kwa-lb2',
        'drill.fault',
        { drillId: 'd-vrrp', fault: 'block-vrrp', restoreAfterMs: 60_000 },
        { timeoutMs: 15_000 },
      );
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.steps.find((x) => x.argv?.[0] === 'nft')).toMatchObject({
        argv: ['nft', '-f', '-'],
        code: 0,
      });
      await until('both LBs hold the VIP', async () => (await holders()) === 'lb1,lb2', 15_000);
      const back = await stack.app.actions.request(
        'kwa-lb2',
        'drill.restore',
        { drillId: 'd-vrrp' },
        { timeoutMs: 15_000 },
      );
      expect(back.ok, JSON.stringify(back)).toBe(true);
      await until('VIP back on lb1 only', async () => (await holders()) === 'lb1', 15_000);
    });

    it('stops nginx for a drill, and the dead-man switch restores it by itself', async () => {
      const since = rec.seen.length;
      const r = await stack.app.actions.request(
        'kwa-lb1',
        'drill.fault',
        { drillId: 'd-nginx', fault: 'stop-nginx', restoreAfterMs: 4000 },
        { timeoutMs: 30_000 },
      );
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.steps[1]?.argv?.slice(-3)).toEqual(['lb1', 'nginx', 'stop']);
      expect((await lab().service('lb1', 'nginx', 'status')).running).toBe(false);
      await rec.waitMsg(
        'kwa-lb1',
        'service.health',
        (m) => m.service === 'nginx' && !m.health.healthy,
        5000,
        since,
      );
      // Nobody calls drill.restore: the agent restores on its own.
      const auto = await rec.waitMsg(
        'kwa-lb1',
        'action.result',
        (m) => m.id === 'auto-restore:d-nginx',
        30_000,
        since,
      );
      expect(auto.ok).toBe(true);
      expect((await lab().service('lb1', 'nginx', 'status')).running).toBe(true);
      await rec.waitMsg(
        'kwa-lb1',
        'service.health',
        (m) => m.service === 'nginx' && m.health.healthy,
        10_000,
        since,
      );
    });

    it('refuses a bad keepalived config before keepalived sees it, then applies and reloads a good one', async () => {
      // The nginx drill above made lb1's check script fail: wait for lb1 to preempt back.
      await until(
        'VIP back on lb1',
        async () => (await lab().vipHolders(`${SUBNET}.50`)).join() === 'lb1',
        30_000,
      );
      const file = join(lb1Dir, 'keepalived.conf');
      const before = readFileSync(file, 'utf8');
      const pid = readFileSync(join(lb1Dir, 'keepalived.pid'), 'utf8').trim();
      const bad = before.replace(/priority \d+/, 'priority 300');
      expect(bad).not.toBe(before);
      const r1 = await stack.app.actions.request(
        'kwa-lb1',
        'config.apply',
        { component: 'keepalived', content: bad, baseHash: sha(before) },
        { timeoutMs: 30_000 },
      );
      expect(r1.ok).toBe(false);
      expect(r1.error?.code).toBe('validation_failed');
      expect(r1.steps.find((s) => s.step === 'validate')).toMatchObject({ ok: false, code: 5 });
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(readFileSync(join(lb1Dir, 'keepalived.pid'), 'utf8').trim()).toBe(pid);
      expect(await lab().vipHolders(`${SUBNET}.50`)).toEqual(['lb1']);

      const good = `${before}\n# applied by the keepwatch agent lab test\n`;
      const since = rec.seen.length;
      const r2 = await stack.app.actions.request(
        'kwa-lb1',
        'config.apply',
        { component: 'keepalived', content: good, baseHash: sha(before) },
        { timeoutMs: 30_000 },
      );
      expect(r2.ok, JSON.stringify(r2.steps)).toBe(true);
      expect(r2.steps.map((s) => s.step)).toEqual([
        'write staged file',
        'validate',
        'back up current file',
        'install (atomic rename)',
        'reload keepalived (SIGHUP)',
        'verify keepalived',
      ]);
      expect(readFileSync(file, 'utf8')).toBe(good);
      expect(readFileSync(join(lb1Dir, 'keepalived.pid'), 'utf8').trim()).toBe(pid);
      expect(await lab().vipHolders(`${SUBNET}.50`)).toEqual(['lb1']);
      await rec.waitMsg(
        'kwa-lb1',
        'config.observed',
        (m) => m.config.component === 'keepalived' && m.config.hash === sha(good),
        15_000,
        since,
      );
      const conflict = await stack.app.actions.request(
        'kwa-lb1',
        'config.apply',
        { component: 'keepalived', content: good, baseHash: sha(before) },
        { timeoutMs: 30_000 },
      );
      expect(conflict.error?.code).toBe('conflict');
    });
  });

  it('streams keepalived log lines on request and samples stub_status (in-process agent, fake server)', async () => {
    const lb1 = lab().hosts.find((h) => h.name === 'lb1');
    if (!lb1) throw new Error('no lb1');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const port = (wss.address() as { port: number }).port;
    const frames: AgentToServer[] = [];
    let sock: WebSocket | undefined;
    wss.on('connection', (ws) => {
      sock = ws;
      ws.on('message', (raw: Buffer) => {
        const m = JSON.parse(raw.toString()) as AgentToServer;
        frames.push(m);
        const send = (x: ServerToAgent): void => ws.send(JSON.stringify(x));
        if (m.type === 'hello')
          send({
            type: 'welcome',
            protocol: PROTOCOL_VERSION,
            serverTime: Date.now(),
            ackedSeq: 0,
          });
      });
    });
    const stateDir = mkdtempSync(join(tmpdir(), 'kwa-local-'));
    const config: AgentConfig = {
      agentId: 'kwa-local',
      node: { name: 'lb1', role: 'lb', cluster: { id: PREFIX, name: 'local' } },
      server: { url: `ws://127.0.0.1:${port}`, token: 't', allowInsecure: true },
      stateDir,
      control: [],
      nginx: {
        binary: 'nginx',
        probe: { url: `http://${lb1.ip}/healthz`, intervalMs: 1000, timeoutMs: 400 },
      },
      logs: { keepalived: join(lb1Dir, 'keepalived.log') },
    };
    const agent = await startAgent(config, { log: silentLogger });
    try {
      await until('welcome', () => frames.some((f) => f.type === 'snapshot'));
      sock?.send(
        JSON.stringify({
          type: 'logs.subscribe',
          subscription: 's1',
          sources: ['keepalived'],
          tail: 5,
        }),
      );
      await until('tail lines', () =>
        frames.some((f) => f.type === 'log.lines' && f.lines.length > 0),
      );
      const tail = frames
        .filter((f) => f.type === 'log.lines')
        .flatMap((f) => (f.type === 'log.lines' ? f.lines : []));
      expect(tail.length).toBeLessThanOrEqual(5);
      const pid = Number(readFileSync(join(lb1Dir, 'keepalived.pid'), 'utf8'));
      process.kill(pid, 'SIGHUP'); // keepalived logs "Reloading ..." / "Reload complete"
      await until('new keepalived lines', () =>
        frames.some(
          (f) =>
            f.type === 'log.lines' &&
            f.subscription === 's1' &&
            f.lines.some((l) => /Reload/.test(l.text)),
        ),
      );
      const stats = await (async () => {
        await until(
          'a stats sample',
          () => frames.some((f) => f.type === 'stats' && f.nginx !== undefined),
          12_000,
        );
        return frames.find((f) => f.type === 'stats');
      })();
      expect(stats?.type === 'stats' && stats.nginx?.requests).toBeGreaterThan(0);
      expect(stats?.type === 'stats' && stats.agent?.rssBytes).toBeGreaterThan(10_000_000);
    } finally {
      await agent.stop();
      wss.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('the dual-master lab', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ prefix: 'kwd', subnet: '10.82.0', scheme: 'dual-master' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('each agent reports both instances with the right state and VIP', async () => {
    const rec = recorder(stack);
    const expectFor = async (agentId: string, vi1: string, vi2: string): Promise<void> => {
      const want = {
        VI_1: { state: vi1, vips: ['10.82.0.50'] },
        VI_2: { state: vi2, vips: ['10.82.0.51'] },
      };
      await until(
        `${agentId} reports ${vi1}/${vi2}`,
        () => JSON.stringify(rec.vrrpOf(agentId)) === JSON.stringify(want),
        20_000,
      ).catch(() => undefined);
      expect(rec.vrrpOf(agentId)).toEqual(want);
    };
    await expectFor('kwd-lb1', 'MASTER', 'BACKUP');
    await expectFor('kwd-lb2', 'BACKUP', 'MASTER');
    expect(await stack.lab.vipHolders('10.82.0.50')).toEqual(['lb1']);
    expect(await stack.lab.vipHolders('10.82.0.51')).toEqual(['lb2']);
  });
});
