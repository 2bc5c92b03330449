import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionResult, AgentConfig } from '@keepwatch/shared';
import { until, useAgentLab } from './lab-recorder';

/*
 * The drill fault kinds that act on processes, packets and links, on real keepalived, nginx
 * and Tomcat (root only; the service stops and block-vrrp: agent-actions.lab.test.ts). The
 * drills module's lab tests run every kind end to end through the API; this file checks
 * what each fault does to the host and that the undo (or the dead-man switch) puts it back.
 */

const PREFIX = 'kwdr1';
const SUBNET = '10.98.1';
const VIP = `${SUBNET}.50`;

describe('drill fault kinds on a real lab', () => {
  const ctx = useAgentLab(PREFIX, SUBNET);
  const holders = async (): Promise<string> => (await ctx.lab().vipHolders(VIP)).sort().join();
  const fault = (
    host: string,
    params: Record<string, unknown>,
    timeoutMs = 30_000,
  ): Promise<ActionResult> =>
    ctx.stack.app.actions.request(
      `${PREFIX}-${host}`,
      'drill.fault',
      { restoreAfterMs: 60_000, ...params } as never,
      { timeoutMs },
    );
  const restore = (host: string, drillId: string): Promise<ActionResult> =>
    ctx.stack.app.actions.request(
      `${PREFIX}-${host}`,
      'drill.restore',
      { drillId },
      { timeoutMs: 30_000 },
    );
  /** curl's exit code inside a lab host (0 = answered, 7 = refused, 28 = timed out). */
  const curl = async (host: string, url: string): Promise<number | null> =>
    (await ctx.lab().exec(host, ['curl', '-s', '-o', '/dev/null', '--max-time', '1', url])).code;

  beforeAll(async () => {
    const token = (JSON.parse(readFileSync(join(ctx.lb1Dir, 'agent.json'), 'utf8')) as AgentConfig)
      .server.token;
    for (const host of ['lb1', 'lb2', 'web1']) {
      await ctx.lab().stopAgent(host);
      const online = new Promise<void>((resolve) => {
        const off = ctx.stack.app.bus.on('agent.online', (e) => {
          if (e.agentId === `${PREFIX}-${host}`) {
            off();
            resolve();
          }
        });
      });
      await ctx.lab().startAgent(host, { serverUrl: ctx.stack.url, token, control: ['drills'] });
      await online;
    }
    await until('VIP on lb1 only', async () => (await holders()) === 'lb1', 20_000);
  });

  it("kill-keepalived leaves the VIP in the dead MASTER's kernel (both hold it once lb2 takes over); restore brings keepalived back and lb1 preempts", async () => {
    const r = await fault('lb1', { drillId: 'kill-1', fault: 'kill-keepalived' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.steps[1]).toMatchObject({ step: 'SIGKILL keepalived', ok: true });
    expect((await ctx.lab().service('lb1', 'keepalived', 'status')).pids).toEqual([]);
    expect(await holders()).toContain('lb1');
    await until(
      'lb2 takes over: VIP in both kernels',
      async () => (await holders()) === 'lb1,lb2',
      10_000,
    );
    const back = await restore('lb1', 'kill-1');
    expect(back.ok, JSON.stringify(back)).toBe(true);
    await until('VIP on lb1 only again', async () => (await holders()) === 'lb1', 20_000);
  });

  it('freeze-nginx makes connections to lb1 hang (not refused) until SIGCONT', async () => {
    expect(await curl('lb2', `http://${SUBNET}.11/healthz`)).toBe(0);
    const r = await fault('lb1', { drillId: 'freeze-1', fault: 'freeze-nginx' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(await curl('lb2', `http://${SUBNET}.11/healthz`)).toBe(28);
    expect((await restore('lb1', 'freeze-1')).ok).toBe(true);
    expect(await curl('lb2', `http://${SUBNET}.11/healthz`)).toBe(0);
    // The frozen nginx failed lb1's check script: let the pair settle back before the next test.
    await until('VIP on lb1 only', async () => (await holders()) === 'lb1', 20_000);
  });

  it("blackhole-backend drops Tomcat's port for other hosts: connects from lb1 hang, web1's own probe still answers", async () => {
    const tomcat = `http://${SUBNET}.21:8080/`;
    expect(await curl('lb1', tomcat)).toBe(0);
    const r = await fault('web1', { drillId: 'bh-1', fault: 'blackhole-backend' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(await curl('lb1', tomcat)).toBe(28);
    expect(await curl('web1', tomcat)).toBe(0);
    expect((await restore('web1', 'bh-1')).ok).toBe(true);
    expect(await curl('lb1', tomcat)).toBe(0);
  });

  it('link-down on lb2 takes eth0 down and the dead-man switch brings it back with nobody asking', async () => {
    const since = Date.now();
    const autoRestored = new Promise<ActionResult>((resolve) => {
      const off = ctx.stack.app.bus.on('agent.data', (e) => {
        if (e.message.type === 'action.result' && e.message.id === 'auto-restore:link-1') {
          off();
          resolve(e.message);
        }
      });
    });
    // The result may not make it out before the link goes: a lost answer is fine here.
    await fault(
      'lb2',
      { drillId: 'link-1', fault: 'link-down', interface: 'eth0', restoreAfterMs: 3000 },
      2000,
    ).catch(() => undefined);
    const link = async (): Promise<string> =>
      (await ctx.lab().exec('lb2', ['ip', '-o', 'link', 'show', 'dev', 'eth0'])).stdout;
    expect(await link()).toMatch(/state DOWN|<[^>]*BROADCAST[^>]*>(?![^<]*UP)/);
    await until('eth0 up again', async () => /[<,]UP[,>]/.test(await link()), 15_000);
    expect(Date.now() - since).toBeGreaterThanOrEqual(2900);
    const auto = await autoRestored;
    expect(auto.ok, JSON.stringify(auto)).toBe(true);
    expect(auto.steps.map((s) => s.step)).toContain('link eth0 up');
    await until('VIP on lb1 only', async () => (await holders()) === 'lb1', 20_000);
  });
});
