import { createServer, type Server } from 'node:http';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  existsSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActionRequest, AgentConfig } from '@keepwatch/shared';
import type { ExecFn, ExecResult } from '../exec';
import { createLogger, type LogSink } from '../log';
import type { DataMessageInput } from '../outbox';
import { ActionHandler } from './action-handler';
import { BLOCK_VRRP_RULESET } from './drill-faults';
import { sha256 } from './config-apply';

const ok = (stdout = ''): ExecResult => ({
  code: 0,
  signal: null,
  stdout,
  stderr: '',
  durationMs: 1,
});
const fail = (stderr: string, code = 1): ExecResult => ({
  code,
  signal: null,
  stdout: '',
  stderr,
  durationMs: 1,
});

interface Harness {
  handler: ActionHandler;
  sent: DataMessageInput[];
  calls: { argv: string[]; input?: string }[];
  lines: string[];
}

function harness(
  config: AgentConfig,
  answer: (argv: string[]) => ExecResult = () => ok(),
): Harness {
  const sent: DataMessageInput[] = [];
  const calls: Harness['calls'] = [];
  const lines: string[] = [];
  const exec: ExecFn = (argv, opts) => {
    calls.push({ argv: [...argv], ...(opts?.input !== undefined ? { input: opts.input } : {}) });
    return Promise.resolve(answer([...argv]));
  };
  const sink: LogSink = (l) => lines.push(l);
  const handler = new ActionHandler({
    config,
    exec,
    log: createLogger({ level: 'info', sink }),
    send: (m) => sent.push(m),
    health: () => ({ healthy: true, checkedAt: 1, detail: 'HTTP 200' }),
  });
  return { handler, sent, calls, lines };
}

let dir: string;
function baseConfig(over: Partial<AgentConfig> = {}): AgentConfig {
  return {
    agentId: 'a1',
    node: { name: 'lb1', role: 'lb', cluster: { id: 'c', name: 'C' } },
    server: { url: 'ws://127.0.0.1:1', token: 't' },
    stateDir: join(dir, 'state'),
    control: [],
    serviceManager: {
      kind: 'commands',
      commands: {
        nginx: { start: ['svc', 'nginx', 'start'], stop: ['svc', 'nginx', 'stop'] },
        keepalived: { start: ['svc', 'ka', 'start'], stop: ['svc', 'ka', 'stop'] },
      },
    },
    ...over,
  };
}

const fault = (
  id: string,
  drillId: string,
  f: 'stop-nginx' | 'block-vrrp',
  restoreAfterMs = 5000,
): ActionRequest => ({
  type: 'action.request',
  id,
  action: 'drill.fault',
  params: { drillId, fault: f, restoreAfterMs },
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kw-actions-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('permissions', () => {
  it('a monitor-only agent refuses drills and config with not_permitted, runs nothing and logs a WARN', async () => {
    const h = harness(baseConfig());
    const r = await h.handler.handle(fault('req-1', 'd1', 'stop-nginx'));
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('not_permitted');
    expect(r.error?.message).toContain(
      "this agent is monitor-only: its host config does not grant 'drills' control (see control in agent.json)",
    );
    expect(h.calls).toEqual([]);
    expect(h.sent).toEqual([
      expect.objectContaining({ type: 'action.result', id: 'req-1', ok: false }),
    ]);
    expect(h.lines.some((l) => l.includes('WARN') && l.includes('id=req-1'))).toBe(true);
    const c = await h.handler.handle({
      type: 'action.request',
      id: 'req-2',
      action: 'config.apply',
      params: { component: 'nginx', content: 'x' },
    });
    expect(c.error?.code).toBe('not_permitted');
  });

  it("'config' does not grant drills; service.status needs nothing", async () => {
    const h = harness(baseConfig({ control: ['config'] }));
    const r = await h.handler.handle(fault('r', 'd', 'block-vrrp'));
    expect(r.error?.message).toContain("granted only 'config'");
    const s = await h.handler.handle({
      type: 'action.request',
      id: 's',
      action: 'service.status',
      params: { service: 'nginx' },
    });
    expect(s.ok).toBe(true);
    expect(s.steps[0]).toMatchObject({ step: 'observed health', ok: true });
  });
});

describe('drills', () => {
  it('stop-nginx stops through the service manager and the dead-man switch restores by itself', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = harness(baseConfig({ control: ['drills'] }));
    const r = await h.handler.handle(fault('f1', 'd1', 'stop-nginx', 3000));
    expect(r.ok).toBe(true);
    expect(h.calls.map((c) => c.argv.join(' '))).toEqual(['svc nginx stop']);
    expect(JSON.parse(readFileSync(join(dir, 'state', 'drills.json'), 'utf8'))).toMatchObject([
      { drillId: 'd1', fault: 'stop-nginx' },
    ]);
    await vi.advanceTimersByTimeAsync(2999);
    expect(h.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() =>
      expect(h.sent.some((m) => m.type === 'action.result' && m.id === 'auto-restore:d1')).toBe(
        true,
      ),
    );
    expect(h.calls.map((c) => c.argv.join(' '))).toEqual(['svc nginx stop', 'svc nginx start']);
    expect(JSON.parse(readFileSync(join(dir, 'state', 'drills.json'), 'utf8'))).toEqual([]);
  });

  it('drill.restore undoes block-vrrp and cancels the timer; a second identical fault is a conflict', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = harness(baseConfig({ control: ['drills'] }));
    expect((await h.handler.handle(fault('f1', 'd1', 'block-vrrp'))).ok).toBe(true);
    expect(h.calls[0]).toEqual({ argv: ['nft', '-f', '-'], input: BLOCK_VRRP_RULESET });
    expect((await h.handler.handle(fault('f2', 'd2', 'block-vrrp'))).error?.code).toBe('conflict');
    const rr = await h.handler.handle({
      type: 'action.request',
      id: 'r1',
      action: 'drill.restore',
      params: { drillId: 'd1' },
    });
    expect(rr.ok).toBe(true);
    expect(h.calls[1]?.argv).toEqual(['nft', 'delete', 'table', 'inet', 'keepwatch_drill']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.calls).toHaveLength(2);
    const again = await h.handler.handle({
      type: 'action.request',
      id: 'r2',
      action: 'drill.restore',
      params: { drillId: 'd1' },
    });
    expect(again.error?.code).toBe('invalid');
  });

  it('a restarted agent restores a fault left in its state dir', async () => {
    const h1 = harness(baseConfig({ control: ['drills'] }));
    await h1.handler.handle(fault('f1', 'd9', 'stop-nginx', 600_000));
    h1.handler.drills.dispose();
    const h2 = harness(baseConfig({ control: ['drills'] }));
    await h2.handler.drills.recoverLeftovers();
    expect(h2.calls.map((c) => c.argv.join(' '))).toEqual(['svc nginx start']);
    expect(h2.sent).toEqual([expect.objectContaining({ id: 'auto-restore:d9', ok: true })]);
  });
});

describe('config.apply (nginx)', () => {
  let server: Server;
  let healthy = true;
  let port = 0;
  const OLD = 'events {}\n';
  const NEW = 'events { worker_connections 64; }\n';
  let conf: string;

  beforeEach(async () => {
    server = createServer((_req, res) => {
      res.statusCode = healthy ? 200 : 502;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    conf = join(dir, 'nginx.conf');
    writeFileSync(conf, OLD, { mode: 0o640 });
  });
  afterEach(() => new Promise<void>((r) => server.close(() => r())));

  const cfg = (): AgentConfig =>
    baseConfig({
      control: ['config'],
      nginx: {
        binary: 'nginx',
        configFile: conf,
        probe: { url: `http://127.0.0.1:${port}/`, intervalMs: 500, timeoutMs: 400 },
      },
    });
  const apply = (id: string, extra: Record<string, unknown> = {}): ActionRequest => ({
    type: 'action.request',
    id,
    action: 'config.apply',
    params: { component: 'nginx', content: NEW, ...extra },
  });

  it('refuses a config that fails nginx -t, before touching the target', async () => {
    const h = harness(cfg(), (argv) =>
      argv.includes('-t') ? fail('[emerg] unknown directive "bogus"') : ok(),
    );
    const r = await h.handler.handle(apply('a1'));
    expect(r.error?.code).toBe('validation_failed');
    expect(r.error?.message).toContain('unknown directive');
    expect(readFileSync(conf, 'utf8')).toBe(OLD);
    expect(readdirSync(dir).filter((n) => n.includes('staged'))).toEqual([]);
    expect(h.calls).toHaveLength(1);
    const argv = h.calls[0]?.argv ?? [];
    const at = argv.indexOf('nginx');
    expect(argv.slice(at, at + 4)).toEqual(['nginx', '-t', '-q', '-c']);
    expect(argv[at + 4]).toMatch(/\.nginx\.conf\.kw-staged-a1$/);
  });

  it('refuses on a base hash mismatch and only validates on dryRun', async () => {
    const h = harness(cfg());
    expect((await h.handler.handle(apply('a2', { baseHash: sha256('other') }))).error?.code).toBe(
      'conflict',
    );
    const dry = await h.handler.handle(apply('a3', { dryRun: true, baseHash: sha256(OLD) }));
    expect(dry.ok).toBe(true);
    expect(readFileSync(conf, 'utf8')).toBe(OLD);
  });

  it('installs atomically with the same mode, keeps a backup, reloads and verifies', async () => {
    const h = harness(cfg());
    const r = await h.handler.handle(apply('a4'));
    expect(r.ok).toBe(true);
    expect(readFileSync(conf, 'utf8')).toBe(NEW);
    expect(statSync(conf).mode & 0o777).toBe(0o640);
    expect(h.calls.map((c) => c.argv.join(' '))).toContain(`nginx -c ${conf} -s reload`);
    expect(r.steps.map((s) => s.step)).toEqual([
      'write staged file',
      'validate',
      'back up current file',
      'install (atomic rename)',
      'reload nginx',
      'verify nginx probe',
    ]);
    const backups = readdirSync(join(dir, 'state', 'config-backups', 'nginx'));
    expect(backups).toHaveLength(1);
    expect(
      readFileSync(join(dir, 'state', 'config-backups', 'nginx', backups[0] ?? ''), 'utf8'),
    ).toBe(OLD);
  });

  it('rolls back when nginx is unhealthy after the reload, and checks the old config again', async () => {
    healthy = false;
    // The new config "breaks" nginx; reloading the restored one heals it.
    let reloads = 0;
    const h = harness({ ...cfg() }, (argv) => {
      if (argv.includes('reload') && ++reloads === 2) healthy = true;
      return ok();
    });
    const r = await h.handler.handle(apply('a5'));
    expect(r.error?.code).toBe('rolled_back');
    expect(readFileSync(conf, 'utf8')).toBe(OLD);
    expect(r.steps.map((s) => s.step).slice(-4)).toEqual([
      'verify nginx probe',
      'restore backup',
      'reload nginx (rollback)',
      'verify nginx probe (rollback)',
    ]);
    expect(r.steps.at(-1)?.ok).toBe(true);
    expect(existsSync(conf)).toBe(true);
  }, 15_000);

  it('says rollback_failed when even the restored config leaves nginx unhealthy', async () => {
    healthy = false;
    const h = harness({ ...cfg() }, () => ok());
    const r = await h.handler.handle(apply('a6'));
    healthy = true;
    expect(r.error?.code).toBe('rollback_failed');
    expect(r.error?.message).toMatch(/previous config was restored, but nginx does not answer/);
    expect(readFileSync(conf, 'utf8')).toBe(OLD);
    expect(r.steps.at(-1)).toMatchObject({ step: 'verify nginx probe (rollback)', ok: false });
  }, 20_000);
});
