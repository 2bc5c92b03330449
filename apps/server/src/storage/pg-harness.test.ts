import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startPgCluster, type PgCluster } from './pg-harness';

const HARNESS = fileURLToPath(new URL('./pg-harness.ts', import.meta.url));

/** Running, and not a zombie waiting for init to reap it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Polls a real process's state (a postmaster shutting down) until `ok` or `ms` pass. */
async function until(ok: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return ok();
}

async function select1(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: number }>('SELECT 1::int AS n');
    return r.rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/**
 * A child Node process that starts a cluster, prints it, then dies as told: 'throw' (an
 * uncaught error: the exit hook cleans up) or 'hang' (the test SIGKILLs it: the sentinel does).
 */
function childCluster(
  mode: 'throw' | 'hang',
): Promise<{ child: ReturnType<typeof spawn>; dir: string; pid: number }> {
  const code = `
    import { startPgCluster } from ${JSON.stringify(HARNESS)};
    const c = await startPgCluster();
    process.stdout.write(JSON.stringify({ dir: c.dir, pid: c.pid }) + '\\n');
    ${mode === 'throw' ? "throw new Error('a test failed');" : 'setInterval(() => {}, 1000);'}
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line)
        resolve({ child, ...(JSON.parse(line) as { dir: string; pid: number }) });
    });
    child.once('exit', (code) => {
      if (!out.includes('\n')) reject(new Error(`child exited ${code} before starting: ${err}`));
    });
  });
}

describe('pg harness', () => {
  const started: PgCluster[] = [];
  afterAll(async () => {
    for (const c of started) await c.stop();
  });

  it('starts a reachable cluster on its own port and socket, and stop() removes it', async () => {
    const c = await startPgCluster();
    started.push(c);
    expect(await select1(c.url)).toBe(1);
    // The unix socket folder works too (node-postgres takes a folder as host).
    expect(
      await select1(`postgres://${c.user}@/${c.database}?host=${c.socketDir}&port=${c.port}`),
    ).toBe(1);
    expect(alive(c.pid)).toBe(true);
    await c.stop();
    expect(existsSync(c.dir)).toBe(false);
    // pg_ctl -w returns once postmaster.pid is gone, a moment before the process itself.
    expect(await until(() => !alive(c.pid), 5_000)).toBe(true);
    await expect(select1(c.url)).rejects.toThrow(/ECONNREFUSED/);
    await c.stop(); // idempotent
  });

  it('two clusters side by side get different ports and folders', async () => {
    const [a, b] = await Promise.all([startPgCluster(), startPgCluster()]);
    started.push(a, b);
    expect(a.port).not.toBe(b.port);
    expect(a.dir).not.toBe(b.dir);
    expect(await select1(a.url)).toBe(1);
    expect(await select1(b.url)).toBe(1);
  });

  it('a process that dies of an uncaught error leaves no cluster behind (exit hook)', async () => {
    const { child, dir, pid } = await childCluster('throw');
    await new Promise((r) => child.once('exit', r));
    expect(child.exitCode).not.toBe(0);
    expect(existsSync(dir)).toBe(false);
    expect(await until(() => !alive(pid), 5_000)).toBe(true);
  });

  it('a SIGKILLed process leaves no cluster behind (sentinel)', async () => {
    const { child, dir, pid } = await childCluster('hang');
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    expect(await until(() => !alive(pid) && !existsSync(dir), 10_000)).toBe(true);
  });
});
