import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionRequest, AgentConfig, DrillFaultParams } from '@keepwatch/shared';
import type { ExecFn, ExecResult } from '../exec';
import { createLogger } from '../log';
import type { DataMessageInput } from '../outbox';
import { ActionHandler } from './action-handler';
import { blackholeRuleset } from './fault-kinds';
import { procStat, processTree } from './proc-signals';

/*
 * The fault kinds that act on processes do it to real processes here: a shell with two
 * children stands in for nginx (master + workers) or keepalived (parent + VRRP/checker
 * children), found through its pid file like the real daemons. Commands (nft, ip, the
 * service manager) go to a recording exec.
 */

let dir: string;
const trees: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kw-faults-'));
});
afterEach(() => {
  for (const t of trees.splice(0)) {
    for (const r of processTree(t.pid ?? -1).reverse()) {
      try {
        process.kill(r.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A parent with two children, its pid in a pid file; resolves once the children exist. */
async function daemon(pidFile: string): Promise<number> {
  const p = spawn('sh', ['-c', 'sleep 60 & sleep 60 & wait'], { stdio: 'ignore' });
  trees.push(p);
  const pid = p.pid ?? 0;
  writeFileSync(pidFile, `${pid}\n`);
  for (let i = 0; i < 200 && processTree(pid).length < 3; i++)
    await new Promise((r) => setTimeout(r, 10));
  return pid;
}

const states = (root: number): string[] =>
  processTree(root).map((r) => procStat(r.pid)?.state ?? '?');

const ok: ExecResult = { code: 0, signal: null, stdout: '', stderr: '', durationMs: 1 };

function harness(over: Partial<AgentConfig> = {}) {
  const calls: { argv: string[]; input?: string }[] = [];
  const sent: DataMessageInput[] = [];
  const exec: ExecFn = (argv, opts) => {
    calls.push({ argv: [...argv], ...(opts?.input !== undefined ? { input: opts.input } : {}) });
    return Promise.resolve(ok);
  };
  const config: AgentConfig = {
    agentId: 'a1',
    node: { name: 'lb1', role: 'lb', cluster: { id: 'c', name: 'C' } },
    server: { url: 'ws://127.0.0.1:1', token: 't' },
    stateDir: join(dir, 'state'),
    control: ['drills'],
    serviceManager: {
      kind: 'commands',
      commands: {
        nginx: { start: ['svc', 'nginx', 'start'], stop: ['svc', 'nginx', 'stop'] },
        keepalived: { start: ['svc', 'ka', 'start'], stop: ['svc', 'ka', 'stop'] },
      },
    },
    ...over,
  };
  const handler = new ActionHandler({
    config,
    exec,
    log: createLogger({ level: 'error', sink: () => undefined }),
    send: (m) => sent.push(m),
    health: () => undefined,
  });
  return { handler, calls, sent };
}

const fault = (
  id: string,
  p: Omit<DrillFaultParams, 'drillId' | 'restoreAfterMs'> & Partial<DrillFaultParams>,
): ActionRequest => ({
  type: 'action.request',
  id,
  action: 'drill.fault',
  params: { drillId: id, restoreAfterMs: 60_000, ...p },
});
const restore = (drillId: string): ActionRequest => ({
  type: 'action.request',
  id: `r-${drillId}`,
  action: 'drill.restore',
  params: { drillId },
});

const nginxConfig = (pidFile: string): Partial<AgentConfig> => ({
  nginx: {
    binary: 'nginx',
    pidFile,
    probe: { url: 'http://127.0.0.1/healthz', intervalMs: 1000, timeoutMs: 400 },
  },
});
const keepalivedConfig = (pidFile: string): Partial<AgentConfig> => ({
  keepalived: {
    binary: 'keepalived',
    pidFile,
    dumpDir: dir,
    fifo: join(dir, 'fifo'),
    reconcileIntervalMs: 5000,
  },
});

describe('freeze-nginx', () => {
  it('SIGSTOPs the master and its workers, and SIGCONTs the same processes on restore', async () => {
    const pidFile = join(dir, 'nginx.pid');
    const root = await daemon(pidFile);
    const h = harness(nginxConfig(pidFile));
    const r = await h.handler.handle(fault('f1', { fault: 'freeze-nginx' }));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(states(root)).toEqual(['T', 'T', 'T']);
    const step = r.steps.find((s) => s.step === 'SIGSTOP nginx');
    expect(step?.at).toBeGreaterThan(Date.now() - 5000);
    const saved = JSON.parse(readFileSync(join(dir, 'state', 'drills.json'), 'utf8')) as {
      detail?: { procs?: unknown[] };
    }[];
    expect(saved[0]?.detail?.procs).toHaveLength(3);
    expect((await h.handler.handle(restore('f1'))).ok).toBe(true);
    expect(states(root).every((s) => s !== 'T')).toBe(true);
  });

  it('a restarted agent continues the processes a previous run froze', async () => {
    const pidFile = join(dir, 'nginx.pid');
    const root = await daemon(pidFile);
    const h1 = harness(nginxConfig(pidFile));
    await h1.handler.handle(fault('f2', { fault: 'freeze-nginx' }));
    h1.handler.drills.dispose();
    expect(states(root)).toContain('T');
    const h2 = harness(nginxConfig(pidFile));
    await h2.handler.drills.recoverLeftovers();
    expect(states(root)).not.toContain('T');
    expect(h2.sent).toEqual([expect.objectContaining({ id: 'auto-restore:f2', ok: true })]);
  });

  it('is refused without nginx.pidFile, and fails (nothing recorded) when nginx is not running', async () => {
    const none = harness();
    const r = await none.handler.handle(fault('f3', { fault: 'freeze-nginx' }));
    expect(r.error?.code).toBe('invalid');
    expect(r.error?.message).toContain('nginx.pidFile');
    const h = harness(nginxConfig(join(dir, 'missing.pid')));
    const r2 = await h.handler.handle(fault('f4', { fault: 'freeze-nginx' }));
    expect(r2.error?.code).toBe('failed');
    expect(r2.steps.find((s) => s.step === 'SIGSTOP nginx')?.output).toContain('not running');
    expect(h.handler.drills.list()).toEqual([]);
  });
});

describe('kill-keepalived', () => {
  it('SIGKILLs the parent and every child (no goodbye), and restores by starting keepalived', async () => {
    const pidFile = join(dir, 'keepalived.pid');
    const root = await daemon(pidFile);
    const tree = processTree(root).map((r) => r.pid);
    const h = harness(keepalivedConfig(pidFile));
    const r = await h.handler.handle(fault('k1', { fault: 'kill-keepalived' }));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    // The shell is our child: reap it so it does not linger as a zombie.
    const sh = trees[0];
    if (sh && sh.exitCode === null && sh.signalCode === null)
      await new Promise((res) => sh.once('exit', res));
    expect(trees[0]?.signalCode).toBe('SIGKILL');
    // Dead: gone, or a zombie waiting for init to reap it.
    for (const pid of tree.slice(1)) expect(procStat(pid)?.state ?? 'Z').toBe('Z');
    expect(h.calls).toEqual([]);
    expect((await h.handler.handle(restore('k1'))).ok).toBe(true);
    expect(h.calls.map((c) => c.argv.join(' '))).toEqual(['svc ka start']);
  });
});

describe('blackhole-backend and link-down', () => {
  it('black-holes the port of the tomcat probe (not from lo) and deletes its own table on restore', async () => {
    const h = harness({
      node: { name: 'web1', role: 'backend', cluster: { id: 'c', name: 'C' } },
      tomcat: { probe: { url: 'http://10.98.0.21:8080/', intervalMs: 500, timeoutMs: 400 } },
    });
    expect((await h.handler.handle(fault('b1', { fault: 'blackhole-backend' }))).ok).toBe(true);
    expect(h.calls[0]).toEqual({ argv: ['nft', '-f', '-'], input: blackholeRuleset(8080) });
    expect(blackholeRuleset(8080)).toContain('iifname != "lo" tcp dport 8080 counter drop');
    await h.handler.handle(restore('b1'));
    expect(h.calls[1]?.argv).toEqual([
      'nft',
      'delete',
      'table',
      'inet',
      'keepwatch_drill_blackhole',
    ]);
    const none = harness();
    expect(
      (await none.handler.handle(fault('b2', { fault: 'blackhole-backend' }))).error?.code,
    ).toBe('invalid');
  });

  it('takes the named interface down and up again; refuses without an interface', async () => {
    const h = harness();
    const r = await h.handler.handle(fault('l1', { fault: 'link-down', interface: 'eth0' }));
    expect(r.ok).toBe(true);
    expect(h.calls.map((c) => c.argv.join(' '))).toEqual([
      'ip -o link show dev eth0',
      'ip link set dev eth0 down',
    ]);
    await h.handler.handle(restore('l1'));
    expect(h.calls.at(-1)?.argv.join(' ')).toBe('ip link set dev eth0 up');
    const r2 = await h.handler.handle(fault('l2', { fault: 'link-down' }));
    expect(r2.error?.code).toBe('invalid');
    expect(r2.error?.message).toContain('interface');
  });
});
