import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Controller } from './controller';
import { run } from './exec';
import { KeepalivedCollector } from './keepalived-collector';
import { createLogger } from './log';
import type { DataMessageInput } from './outbox';
import { VipCollector } from './vip-collector';

/*
 * The agent's keepalived + kernel path against a real keepalived 2.2.7 in a private
 * network namespace (root only). The connection is covered by the unit tests.
 */

// Its own prefix: `pnpm lab down` of any lab removes every `<prefix>-*` namespace.
const NS = `kwk-${process.pid}`;
const sh = (...argv: string[]): void => {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
};

describe('agent against a real keepalived in a netns', () => {
  let dir: string;
  let ka: ChildProcess | undefined;
  const ac = new AbortController();
  const sent: DataMessageInput[] = [];
  let wake: (() => void) | undefined;
  /** Resolves with the first message matching `pred`; fails after 20 s instead of hanging. */
  const until = async (pred: (m: DataMessageInput) => boolean): Promise<DataMessageInput> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const hit = sent.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching message within 20 s; got ${sent.map((m) => m.type).join(', ')}`,
        );
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, left).unref();
      });
    }
  };
  let kaCollector: KeepalivedCollector;
  let vip: VipCollector;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kwa-lab-'));
    mkdirSync(join(dir, 'tmp'));
    sh('ip', 'netns', 'add', NS);
    sh('ip', '-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1');
    sh('ip', '-n', NS, 'addr', 'add', '10.99.1.11/24', 'dev', 'eth0');
    for (const l of ['lo', 'eth0', 'eth1']) sh('ip', '-n', NS, 'link', 'set', l, 'up');
    writeFileSync(
      join(dir, 'keepalived.conf'),
      `global_defs {\n  router_id kwa\n  vrrp_notify_fifo ${dir}/vrrp.fifo\n  vrrp_notify_priority_changes\n}\n` +
        `vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority 100\n` +
        `  advert_int 1\n  virtual_ipaddress { 10.99.1.50/24 dev eth0 }\n}\n`,
    );
    const log = createLogger({ level: 'warn' });
    const controller = new Controller((m) => {
      sent.push(m);
      wake?.();
    }, log);
    const emit = controller.observe.bind(controller);
    vip = new VipCollector({
      exec: run,
      log,
      emit,
      addrArgv: ['ip', '-n', NS, '-j', '-4', 'addr'],
      monitorArgv: ['ip', '-n', NS, '-o', 'monitor', 'address'],
    });
    await vip.start(ac.signal);
    kaCollector = new KeepalivedCollector({
      config: {
        binary: 'keepalived',
        pidFile: join(dir, 'ka.pid'),
        dumpDir: join(dir, 'tmp'),
        fifo: join(dir, 'vrrp.fifo'),
        reconcileIntervalMs: 1000,
      },
      exec: run,
      log,
      emit,
    });
    await kaCollector.start(ac.signal);
  });

  afterAll(async () => {
    ac.abort();
    ka?.kill('SIGKILL');
    // Bounded: a collector that cannot stop must not hold the suite for the hook timeout.
    await Promise.race([
      Promise.all([kaCollector.stopped(), vip.stopped()]),
      new Promise((r) => setTimeout(r, 5_000).unref()),
    ]);
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees keepalived down, then its transitions, VIP and JSON dump, reload and stop', async () => {
    await until(
      (m) => m.type === 'service.health' && m.service === 'keepalived' && !m.health.healthy,
    );
    ka = spawn(
      'ip',
      [
        'netns',
        'exec',
        NS,
        'keepalived',
        '-n',
        '-l',
        '-G',
        '-f',
        join(dir, 'keepalived.conf'),
        '-p',
        join(dir, 'ka.pid'),
        '-r',
        join(dir, 'ka_vrrp.pid'),
        '-c',
        join(dir, 'ka_check.pid'),
      ],
      { env: { ...process.env, TMPDIR: join(dir, 'tmp') }, stdio: 'ignore' },
    );
    await until((m) => m.type === 'vrrp.transition' && m.state === 'MASTER' && m.source === 'fifo');
    await until(
      (m) => m.type === 'vip.change' && m.action === 'add' && m.address.address === '10.99.1.50',
    );
    const snap = await until((m) => m.type === 'snapshot' && m.vrrp.some((i) => i.vrid === 51));
    expect(snap.type === 'snapshot' && snap.vrrp[0]).toMatchObject({
      instance: 'VI_1',
      priority: 100,
      interface: 'eth0',
      vips: ['10.99.1.50'],
    });
    await until(
      (m) => m.type === 'service.health' && m.service === 'keepalived' && m.health.healthy,
    );

    const pid = Number(readFileSync(join(dir, 'ka.pid'), 'utf8'));
    const before = sent.length;
    process.kill(pid, 'SIGHUP'); // reload: FIFO EOF, reopen; a MASTER stays MASTER silently
    await kaCollector.reconcile();
    await kaCollector.reconcile();
    expect(sent.slice(before).filter((m) => m.type === 'vrrp.transition')).toEqual([]);

    process.kill(pid, 'SIGTERM');
    await until((m) => m.type === 'vrrp.transition' && m.state === 'STOP');
    await until((m) => m.type === 'vip.change' && m.action === 'remove');
    await until((m) => m.type === 'snapshot' && m.keepalivedRunning === false);
  }, 60_000);
});
