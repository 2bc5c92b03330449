/**
 * `pnpm demo`: the real lab, the Keepwatch server and an agent in every lab host, until
 * Ctrl-C; then everything is torn down and nothing is left behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, ensureAgentBundle } from '@keepwatch/lab';
import { LiveWatcher, login, summarize } from '@keepwatch/stack';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env['KEEPWATCH_PORT'] ?? 8470);
const started = Date.now();
const say = (msg: string): void => {
  process.stdout.write(`[demo +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
};

async function waitForServer(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (let i = 0; i < 200 && Date.now() < deadline; i++) {
    try {
      const res = await fetch(`${url}/api/v1/status`);
      if (res.status === 401 || res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not answer on ${url} within ${deadlineMs} ms (see its log)`);
}

/** The server as users run it: the bundle (apps/server/dist/server.mjs) under node. */
function startServer(env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(root, 'apps/server/dist/server.mjs')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

async function main(): Promise<void> {
  // pnpm exits on Ctrl-C before we finish tearing down; writing to its closed pipe must not kill us.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  if (process.getuid?.() !== 0)
    throw new Error('the demo builds network namespaces: run it as root');
  say('building the dashboard (vite build)');
  const build = spawnSync('pnpm', ['--filter', '@keepwatch/web', 'build'], {
    cwd: root,
    stdio: 'ignore',
  });
  if (build.status !== 0)
    throw new Error('web build failed: run `pnpm --filter @keepwatch/web build`');
  say('building the server and agent bundles (what users install)');
  const serverBuild = spawnSync(process.execPath, ['build.mjs'], {
    cwd: join(root, 'apps/server'),
    stdio: 'ignore',
  });
  if (serverBuild.status !== 0)
    throw new Error('server build failed: run `node apps/server/build.mjs`');
  // Agents run as install.sh installs them where Node >= 20 is present: the bundle.
  ensureAgentBundle(root);

  const lab = new Lab({ prefix: 'kw', subnet: '10.77.0', log: say });
  const dataDir = join(root, 'data', 'demo');
  const running: { server?: ChildProcess; live?: LiveWatcher } = {};
  let stopping = false;
  let signals = 0;
  const shutdown = async (code: number): Promise<never> => {
    // Ctrl-C reaches us twice (from the terminal and relayed by pnpm/tsx): only a third
    // signal forces an exit before the lab is torn down.
    if (stopping) {
      if (++signals >= 3) process.exit(code);
      say('still tearing down; press Ctrl-C again to force (leaves the lab behind)');
      return new Promise<never>(() => undefined);
    }
    stopping = true;
    say('stopping: agents, lab, server');
    running.live?.close();
    await lab.down().catch((e: unknown) => say(`lab down: ${String(e)}`));
    running.server?.kill('SIGTERM');
    say('done; nothing of the lab is left');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  say('bringing up the lab: namespaces, keepalived, nginx, Tomcat');
  await lab.up();
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const adminPassword =
    process.env['KEEPWATCH_ADMIN_PASSWORD'] ?? randomBytes(9).toString('base64url');
  const agentToken = randomBytes(24).toString('base64url');
  const server = startServer(
    {
      ...process.env,
      KEEPWATCH_PORT: String(port),
      KEEPWATCH_HOST: `127.0.0.1,${lab.hostIp}`,
      KEEPWATCH_DATA: dataDir,
      KEEPWATCH_ADMIN_PASSWORD: adminPassword,
      KEEPWATCH_AGENT_TOKEN: agentToken,
      // The lab's agents share one token; production agents enroll (the default).
      KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
    },
    join(dataDir, 'server.log'),
  );
  running.server = server;
  server.once('exit', (code) => {
    if (!stopping) {
      say(`server exited unexpectedly (code ${code}); see ${join(dataDir, 'server.log')}`);
      void shutdown(1);
    }
  });
  const localUrl = `http://127.0.0.1:${port}`;
  await waitForServer(localUrl, 30_000);
  say(`server up on ${localUrl} and http://${lab.hostIp}:${port}`);
  for (const host of lab.hosts) {
    // The lab is a lab: its agents may run drills and take config pushes from the dashboard
    // out of the box. Hosts installed with install.sh stay monitor-only until their own
    // config grants control.
    await lab.startAgent(host.name, {
      serverUrl: `ws://${lab.hostIp}:${port}`,
      token: agentToken,
      control: ['config', 'drills'],
    });
  }
  const token = await login(localUrl, 'admin', adminPassword);
  const live = new LiveWatcher(localUrl, token);
  running.live = live;
  await live.ready;
  await live.waitFor(
    'every agent online and reporting',
    (s) =>
      s.clusters.some(
        (c) =>
          c.nodes.length === lab.hosts.length &&
          c.nodes.every((n) => n.online && Object.keys(n.services).length > 0) &&
          c.nodes.filter((n) => n.role === 'lb').every((n) => n.vrrp.length > 0),
      ),
    30_000,
  );
  say(`live dashboard ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.stdout.write(
    [
      '',
      `  Dashboard:  ${localUrl}/`,
      `  Login:      admin / ${adminPassword}`,
      `  Lab:        pnpm lab status | pnpm lab service lb1 keepalived stop | pnpm lab exec lb1 -- ip addr`,
      `  Logs:       ${join(dataDir, 'server.log')}, ${lab.baseDir}/<host>/`,
      '',
      summarize(live.current()),
      '',
      'Press Ctrl-C to stop and tear everything down.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
  void new Lab({ prefix: 'kw', subnet: '10.77.0' }).down().finally(() => process.exit(1));
});
