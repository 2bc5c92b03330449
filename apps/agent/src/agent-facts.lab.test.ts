import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { startStack, type Stack } from '@keepwatch/stack';
import type { AgentConfig, AgentToServer, ServerToAgent } from '@keepwatch/shared';
import { PROTOCOL_VERSION } from '@keepwatch/shared';
import { startAgent } from './agent';
import { recorder, sha, until, useAgentLab } from './lab-recorder';
import { silentLogger } from './log';

/*
 * The complete agent on real keepalived/nginx/Tomcat (root only): config hash and test
 * results, upstreams as the LB sees them, 1 s keepalived liveness, log streaming and
 * stub_status, and the dual-master scheme (actions: agent-actions.lab.test.ts). Agents run
 * as real processes in the lab hosts; the server is in this process, so its event bus shows
 * every message it ingests.
 */

const PREFIX = 'kwa';
const SUBNET = '10.81.0';

describe('the complete agent in the master-backup lab', () => {
  const ctx = useAgentLab(PREFIX, SUBNET);

  it('reports both config files with their sha256, test result and content', async () => {
    const ka = await ctx.rec.waitMsg(
      'kwa-lb1',
      'config.observed',
      (m) => m.config.component === 'keepalived',
    );
    const file = readFileSync(join(ctx.lb1Dir, 'keepalived.conf'));
    expect(ka.config).toMatchObject({
      hash: sha(file),
      content: file.toString(),
      test: { ok: true, code: 0 },
    });
    const ng = await ctx.rec.waitMsg(
      'kwa-lb1',
      'config.observed',
      (m) => m.config.component === 'nginx',
    );
    expect(ng.config).toMatchObject({
      hash: sha(readFileSync(join(ctx.lb1Dir, 'nginx.conf'))),
      test: { ok: true, code: 0 },
    });
  });

  it('probes every upstream server from the LB: stopping web1 Tomcat makes lb1 report it unhealthy', async () => {
    const web1 = `${SUBNET}.21:8080`;
    await ctx.rec.waitMsg(
      'kwa-lb1',
      'upstream.health',
      (m) => m.upstream.server === web1 && m.upstream.health.healthy,
    );
    await ctx.rec.waitMsg(
      'kwa-lb1',
      'upstream.health',
      (m) => m.upstream.server === `${SUBNET}.22:8080` && m.upstream.health.healthy,
    );
    const since = ctx.rec.seen.length;
    const stoppedAt = Date.now();
    await ctx.lab().service('web1', 'tomcat', 'stop');
    const down = await ctx.rec.waitMsg(
      'kwa-lb1',
      'upstream.health',
      (m) => m.upstream.server === web1 && !m.upstream.health.healthy,
      10_000,
      since,
    );
    // A stopping Tomcat refuses new connections, resets the kept one, or stops answering.
    expect(down.upstream.health.detail).toMatch(
      /ECONNREFUSED|ECONNRESET|EPIPE|closed before a response|timeout|HTTP/,
    );
    expect(down.ts - stoppedAt).toBeLessThan(8000);
  });

  it('sees a stopped keepalived within about a second (pid-file liveness, not the 5 s reconcile)', async () => {
    const since = ctx.rec.seen.length;
    await ctx.lab().service('lb2', 'keepalived', 'stop');
    const stoppedAt = Date.now();
    const down = await ctx.rec.waitMsg(
      'kwa-lb2',
      'service.health',
      (m) => m.service === 'keepalived' && !m.health.healthy,
      5000,
      since,
    );
    expect(down.ts - stoppedAt).toBeLessThan(2500);
    await ctx.lab().service('lb2', 'keepalived', 'start');
    await ctx.rec.waitMsg(
      'kwa-lb2',
      'service.health',
      (m) => m.service === 'keepalived' && m.health.healthy,
      10_000,
      since,
    );
  });

  it('streams keepalived log lines on request and samples stub_status (in-process agent, fake server)', async () => {
    const lb1 = ctx.lab().hosts.find((h) => h.name === 'lb1');
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
      logs: { keepalived: join(ctx.lb1Dir, 'keepalived.log') },
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
      const pid = Number(readFileSync(join(ctx.lb1Dir, 'keepalived.pid'), 'utf8'));
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
