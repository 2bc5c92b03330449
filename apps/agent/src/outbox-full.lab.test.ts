import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, loadConfig } from '@keepwatch/server';
import type { AgentDataMessage, StatsSample } from '@keepwatch/shared';

/*
 * Issue 7 item 4: a failed outbox write (here ENOSPC on a full tmpfs) used to leave the
 * write chain rejected and crash the agent. Now the agent keeps running, says so (its stats
 * carry `outboxError`; the status API shows it on the node), and once space returns it
 * delivers everything it observed meanwhile, in order, exactly once. Root (mount); a real
 * agent process, the real server in this process. The mount is undone in afterAll.
 */

const N = 40;
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('the agent on a full file system', () => {
  let dir = '';
  let mnt = '';
  let mounted = false;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let agent: ChildProcess | undefined;
  let agentLog = '';
  let fifoWriter: number | undefined;
  const data: AgentDataMessage[] = [];
  const stats: StatsSample[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of waiters) w();
  };
  /** Resolves once pred holds (checked on every message the server gets); bounded. */
  const until = (what: string, pred: () => boolean, ms = 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pred()) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; agent log:\n${agentLog.slice(-3000)}`));
      }, ms);
      waiters.add(check);
      check();
    });
  const priorities = (): number[] =>
    data.flatMap((m) => (m.type === 'vrrp.transition' ? [m.effectivePriority] : []));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kwag-outbox-'));
    mnt = join(dir, 'state');
    mkdirSync(mnt);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mnt], {
      encoding: 'utf8',
    });
    if (m.status !== 0) throw new Error(`mount: ${m.stderr}`);
    mounted = true;
    const config = loadConfig({
      KEEPWATCH_PORT: '0',
      KEEPWATCH_HOST: '127.0.0.1',
      KEEPWATCH_DATA: join(dir, 'server'),
      KEEPWATCH_ADMIN_PASSWORD: 'correct horse battery',
      KEEPWATCH_AGENT_TOKEN: 'outbox-test-token',
      KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
    });
    mkdirSync(join(dir, 'server'));
    app = await buildApp({ config, logger: false });
    app.bus.on('agent.data', (e) => {
      data.push(e.message);
      wake();
    });
    app.bus.on('agent.stats', (e) => {
      stats.push(e.sample);
      wake();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const fifo = join(dir, 'vrrp.fifo');
    spawnSync('mkfifo', ['-m', '0600', fifo]);
    fifoWriter = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK); // plays keepalived
    const cfgFile = join(dir, 'agent.json');
    writeFileSync(
      cfgFile,
      JSON.stringify({
        agentId: 'lb1',
        node: { name: 'lb1', role: 'lb', cluster: { id: 'full', name: 'Full' } },
        server: { url: `ws://127.0.0.1:${port}`, token: 'outbox-test-token' },
        stateDir: mnt,
        keepalived: { pidFile: join(dir, 'ka.pid'), dumpDir: dir, fifo },
      }),
    );
    agent = spawn(process.execPath, ['--import', 'tsx', main, '--config', cfgFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    agent.stdout?.on('data', (b: Buffer) => (agentLog += b.toString()));
    agent.stderr?.on('data', (b: Buffer) => (agentLog += b.toString()));
    agent.on('exit', wake);
    await until('the first snapshot', () => data.some((x) => x.type === 'snapshot'));
  });

  afterAll(async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((r) => agent?.once('exit', r));
      agent.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
    }
    if (fifoWriter !== undefined) closeSync(fifoWriter);
    await app?.close();
    if (mounted) spawnSync('umount', [mnt]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps running, reports the write error, and delivers everything once space returns', async () => {
    // Fill the file system to the last byte.
    const filler = openSync(join(mnt, 'filler'), 'w');
    const chunk = Buffer.alloc(4096, 1);
    let full = false;
    for (let i = 0; i < 1000 && !full; i++) {
      try {
        writeSync(filler, chunk);
      } catch (err) {
        full = (err as NodeJS.ErrnoException).code === 'ENOSPC';
        if (!full) throw err;
      }
    }
    closeSync(filler);
    expect(full).toBe(true);

    const before = priorities().length;
    for (let p = 1; p <= N; p++)
      writeSync(fifoWriter ?? -1, `INSTANCE "VI_1" ${p % 2 ? 'MASTER' : 'BACKUP'} ${p}\n`);

    await until('stats saying the outbox cannot be written', () =>
      stats.some((s) => s.agent?.outboxError?.message.includes('ENOSPC')),
    );
    // The operator sees it on the node (what GET /api/v1/status returns).
    const node = app?.clusterStore
      .status()
      .clusters.find((c) => c.id === 'full')
      ?.nodes.find((n) => n.name === 'lb1');
    expect(node?.agent?.outboxError.message).toMatch(/ENOSPC/);
    expect(agent?.exitCode).toBeNull();
    // Not everything can have been stored: at most a page's slack got through.
    expect(priorities().length - before).toBeLessThan(N);

    rmSync(join(mnt, 'filler'));
    await until('every transition delivered', () => priorities().includes(N));
    expect(priorities().slice(before)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    await until(
      'stats without the error',
      () => stats.length > 0 && stats[stats.length - 1]?.agent?.outboxError === undefined,
    );
    expect(agent?.exitCode).toBeNull();
    expect(agentLog).toMatch(/OUTBOX WRITE FAILED/);
    expect(agentLog).toMatch(/outbox writes work again/);
  });
});
