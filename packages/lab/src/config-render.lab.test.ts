import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exampleClusterModel,
  nginxTempDirs,
  renderCheckScript,
  renderKeepalivedConf,
  renderNginxConf,
  type ClusterModel,
} from '@keepwatch/shared';
import { run, type ExecResult } from './exec';
import { labClusterModel } from './lab-model';
import { hostPaths } from './paths';
import { isAlive, readPidFile, signal, waitExit } from './procs';
import { buildTopology } from './topology';
import { waitFor } from './wait';

/*
 * Every file the shared renderers produce passes the real `keepalived -t` and `nginx -t`
 * (root only). One namespace `kwcf-rt` with an eth0 (veth) at 10.96.0.11 stands in for a
 * load balancer; nothing else is started except one nginx for the check script's restart.
 * Also measures the listen-on-VIP trap (NB-1): nginx -t fails without ip_nonlocal_bind.
 */

const NS = 'kwcf-rt';
const ADDR = '10.96.0.11';
const dir = mkdtempSync(join(tmpdir(), 'kwcf-render-'));

const inNs = (argv: string[]): Promise<ExecResult> =>
  run(['ip', 'netns', 'exec', NS, ...argv], { timeoutMs: 20_000 });

async function must(argv: string[]): Promise<void> {
  const r = await run(argv, { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
}

/** The model placed on this namespace: lb1 at ADDR, every path under `dir`. */
function onThisHost<M extends ClusterModel>(model: M, tag: string): M {
  const base = join(dir, tag);
  mkdirSync(base, { recursive: true, mode: 0o755 });
  const m = structuredClone(model);
  m.loadBalancers = m.loadBalancers.map((lb, i) => ({
    ...lb,
    address: i === 0 ? ADDR : `10.96.0.${12 + i}`,
    keepalived: { ...lb.keepalived, notifyFifo: join(base, `${lb.name}.fifo`) },
    nginx: {
      pidFile: join(base, `${lb.name}-nginx.pid`),
      errorLog: join(base, `${lb.name}-error.log`),
      accessLog: join(base, `${lb.name}-access.log`),
      tempDir: join(base, `${lb.name}-temp`),
    },
  }));
  const hc = m.healthCheck;
  if (hc?.script.kind === 'file') {
    hc.script.path = join(base, 'check-nginx.sh');
    writeFileSync(hc.script.path, renderCheckScript(hc) ?? '', { mode: 0o755 });
  }
  if (m.fastPath) m.fastPath.file = join(base, 'nginx-down');
  return m;
}

async function testBoth(model: ClusterModel, tag: string): Promise<void> {
  const m = onThisHost(model, tag);
  for (const lb of m.loadBalancers) {
    const ka = join(dir, tag, `${lb.name}-keepalived.conf`);
    const ng = join(dir, tag, `${lb.name}-nginx.conf`);
    writeFileSync(ka, renderKeepalivedConf(m, lb.name));
    writeFileSync(ng, renderNginxConf(m, lb.name));
    for (const d of nginxTempDirs(m, lb.name)) mkdirSync(d, { recursive: true });
    const k = await inNs(['keepalived', '-t', '-f', ka]);
    expect(k.code, `${tag} ${lb.name} keepalived -t:\n${k.stderr}${k.stdout}`).toBe(0);
    const n = await inNs(['nginx', '-t', '-q', '-c', ng]);
    expect(n.code, `${tag} ${lb.name} nginx -t:\n${n.stderr}`).toBe(0);
  }
}

beforeAll(async () => {
  await run(['ip', 'netns', 'del', NS], { timeoutMs: 5000 });
  await must(['ip', 'netns', 'add', NS]);
  await must(['ip', '-n', NS, 'link', 'set', 'lo', 'up']);
  // No dummy module on this kernel: a veth pair kept inside the namespace gives an eth0.
  await must(['ip', '-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p']);
  await must(['ip', '-n', NS, 'link', 'set', 'eth0p', 'up']);
  await must(['ip', '-n', NS, 'link', 'set', 'eth0', 'up']);
  await must(['ip', '-n', NS, 'addr', 'add', `${ADDR}/24`, 'dev', 'eth0']);
});

afterAll(async () => {
  // Every nginx this file started runs inside NS: stop them, then the namespace goes.
  const pids = (await run(['ip', 'netns', 'pids', NS], { timeoutMs: 5000 })).stdout
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  for (const pid of pids) signal(pid, 'SIGKILL');
  await waitExit(pids, 3000);
  await run(['ip', 'netns', 'del', NS], { timeoutMs: 5000 });
  rmSync(dir, { recursive: true, force: true });
});

describe('rendered configs pass the real keepalived -t and nginx -t', () => {
  it('the example cluster (VRRPv3 0.2 s, fast path, check script, proxy timeouts)', async () => {
    await testBoth(exampleClusterModel(), 'example');
  });

  it('VRRPv2 with authentication, unicast peers and nopreempt (a preempt delay left out)', async () => {
    const m = exampleClusterModel();
    m.vrrp.version = 2;
    m.fastPath = undefined;
    m.healthCheck.script = { kind: 'curl', curl: '/usr/bin/curl' };
    const vi = m.vrrp.instances[0];
    if (!vi) throw new Error('fixture');
    Object.assign(vi, { advertInt: 1, auth: { type: 'PASS', pass: 's3cret' }, unicast: true });
    // keepalived refuses preempt_delay with nopreempt: the renderer leaves it out.
    Object.assign(vi, { preempt: false, preemptDelay: 10 });
    await testBoth(m, 'v2');
  });

  it('dual-master with a preempt delay, weights, backups and a least_conn upstream', async () => {
    const m = exampleClusterModel();
    const vi = m.vrrp.instances[0];
    const up = m.nginx.upstreams[0];
    if (!vi || !up) throw new Error('fixture');
    m.vrrp.instances.push({
      ...vi,
      name: 'VI_2',
      vrid: 52,
      preemptDelay: 30,
      vips: [{ address: '10.96.0.51', prefix: 24, label: 'eth0:vip2' }],
      priorities: [
        { host: 'lb1', priority: 90 },
        { host: 'lb2', priority: 100 },
      ],
    });
    Object.assign(up, { method: 'least_conn', keepalive: 16 });
    up.servers.push({ host: '10.96.0.23', port: 8080, weight: 3, backup: true });
    await testBoth(m, 'dual');
  });

  it("the lab's own configs, default and keepwatch flavours", async () => {
    const topo = buildTopology({ prefix: 'kwcf', subnet: '10.96.0', scheme: 'dual-master' });
    for (const flavour of ['default', 'keepwatch'] as const)
      await testBoth(
        labClusterModel(topo, {
          flavour,
          curl: '/usr/bin/curl',
          paths: (h) => hostPaths(join(dir, `lab-${flavour}`), h),
        }),
        `lab-${flavour}`,
      );
  });

  it('NB-1, measured: listen on the VIP fails nginx -t on a host without it until ip_nonlocal_bind=1', async () => {
    const m = exampleClusterModel();
    const server = m.nginx.servers[0];
    if (!server) throw new Error('fixture');
    server.listen = [{ address: '10.96.0.50', port: 80 }];
    const placed = onThisHost(m, 'vip');
    const conf = join(dir, 'vip', 'nginx.conf');
    writeFileSync(conf, renderNginxConf(placed, 'lb2'));
    for (const d of nginxTempDirs(placed, 'lb2')) mkdirSync(d, { recursive: true });
    await inNs(['sysctl', '-q', '-w', 'net.ipv4.ip_nonlocal_bind=0']);
    const refused = await inNs(['nginx', '-t', '-q', '-c', conf]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('(99: Cannot assign requested address)');
    await inNs(['sysctl', '-q', '-w', 'net.ipv4.ip_nonlocal_bind=1']);
    expect((await inNs(['nginx', '-t', '-q', '-c', conf])).code).toBe(0);
    await inNs(['sysctl', '-q', '-w', 'net.ipv4.ip_nonlocal_bind=0']);
  });
});

describe('the check script', () => {
  it('starts a stopped nginx again and passes; reports failure when nginx stays down', async () => {
    const m = onThisHost(exampleClusterModel(), 'script');
    const conf = join(dir, 'script', 'nginx.conf');
    writeFileSync(conf, renderNginxConf(m, 'lb1'));
    for (const d of nginxTempDirs(m, 'lb1')) mkdirSync(d, { recursive: true });
    const script = join(dir, 'script', 'check.sh');
    const write = (restart: string[]): void => {
      const hc = { ...m.healthCheck, script: { kind: 'file' as const, path: script, restart } };
      writeFileSync(script, renderCheckScript(hc) ?? '');
      chmodSync(script, 0o755);
    };
    // nginx is not running: the script starts it (inside the namespace) and then passes.
    write(['/usr/sbin/nginx', '-c', conf]);
    const t0 = Date.now();
    const started = await inNs([script]);
    expect(started.code, started.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    const pidFile = m.loadBalancers[0]?.nginx?.pidFile ?? '';
    const pid = readPidFile(pidFile);
    expect(pid !== undefined && isAlive(pid)).toBe(true);
    expect((await inNs(['curl', '-sf', `http://${ADDR}/healthz`])).stdout).toBe('ok lb1\n');
    // Healthy: exit 0 at once, nothing restarted.
    expect((await inNs([script])).code).toBe(0);
    expect(readPidFile(pidFile)).toBe(pid);
    // Stopped, and the restart command fails: the script says so.
    if (pid !== undefined) signal(pid, 'SIGTERM');
    await waitFor('nginx to stop', () => (pid !== undefined && !isAlive(pid)) || undefined, {
      timeoutMs: 5000,
      intervalMs: 50,
    });
    write(['/bin/false']);
    expect((await inNs([script])).code).toBe(1);
    expect(readFileSync(script, 'utf8')).toContain("'/bin/false' >/dev/null 2>&1");
  });
});
