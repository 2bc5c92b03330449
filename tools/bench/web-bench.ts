/*
 * `pnpm bench web`: the dashboard in headless Chromium (Debian's, via playwright-core) against
 * the server bundle on 127.0.0.1 with 1,000 simulated hosts (500 clusters of two load
 * balancers, packages/loadgen speaking the real agent protocol). Measures the first render of
 * the overview and of a cluster page (navigation start → the rows / topology in the DOM,
 * from performance.now() inside the page, cold page each time), how long a live patch takes
 * from its arrival on the browser's socket to the changed state painted (a failover of one
 * pair), and the initial JavaScript (the entry script and its modulepreloads, gzipped).
 * Run it under the lab lock: flock /tmp/keepwatch-lab.lock pnpm bench web
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { SimAgent } from '@keepwatch/loadgen';
import { launchBrowser } from '../../apps/web/e2e/browser';
import { figuresTable, writeResult, type Figure } from './results';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    patches: { type: 'string', default: '10' },
    port: { type: 'string', default: '18475' },
    'no-build': { type: 'boolean' },
  },
});
const log = (l: string): void => void process.stderr.write(`[bench web] ${l}\n`);
const command = `pnpm bench web${process.argv
  .slice(2)
  .filter((a) => a !== '--')
  .map((a) => ` ${a}`)
  .join('')}`;
type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchBrowser>>['context']['newPage']>>;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function build(): void {
  for (const [what, args] of [
    ['web', ['--filter', '@keepwatch/web', 'build']],
    ['server', ['--filter', '@keepwatch/server', 'exec', 'node', 'build.mjs']],
  ] as const) {
    const b = spawnSync('pnpm', [...args], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (b.status !== 0) throw new Error(`${what} build failed`);
  }
}

/** Gzipped bytes of index.html's entry script and the chunks it preloads. */
function initialJs(dist: string): { bytes: number; files: string[] } {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
  ].map((m) => m[1] ?? '');
  const bytes = files.reduce(
    (sum, f) => sum + gzipSync(readFileSync(join(dist, f.replace(/^\//, '')))).length,
    0,
  );
  return { bytes, files };
}

async function waitPort(port: number, child: ChildProcess, timeoutS: number): Promise<void> {
  for (let i = 0; i < timeoutS * 10; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.end(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) return;
    await sleep(100);
  }
  throw new Error(`server did not listen on ${port} within ${timeoutS} s`);
}

function fleet(url: string, token: string, hosts: number): SimAgent[][] {
  const pairs: SimAgent[][] = [];
  for (let i = 0; i < hosts / 2; i++) {
    const clusterId = `bench-${String(i).padStart(5, '0')}`;
    const octet = (n: number): string => `${(i >> 8) & 255}.${i & 255}.${n}`;
    const common = {
      url: `${url}/api/v1/agent/ws`,
      token,
      clusterId,
      vip: `10.${octet(50)}`,
      statsEveryMs: 5000,
      onWelcome: () => undefined,
    };
    pairs.push([
      new SimAgent({ ...common, name: 'lb1', master: true, address: `10.${octet(11)}` }),
      new SimAgent({ ...common, name: 'lb2', master: false, address: `10.${octet(12)}` }),
    ]);
  }
  return pairs;
}

/** Waits (per animation frame) until the page expression `expr` is not false; its value. */
async function inPage(page: Page, expr: string, timeout = 30_000): Promise<number> {
  const handle = await page.waitForFunction(expr, undefined, { timeout, polling: 'raf' });
  return (await handle.jsonValue()) as number;
}

/**
 * Time from navigation start to `ready` (a page expression that is performance.now() once the
 * page shows what it must, else false), measured inside the page, on a cold page each time.
 */
async function firstRender(page: Page, url: string, ready: string): Promise<number> {
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'commit' });
  return inPage(page, ready);
}

// Every socket frame's arrival time, recorded before the app's own listener sees it.
const RECORD_FRAMES = `(() => {
  const W = window.WebSocket;
  window.__frames = [];
  window.WebSocket = class extends W {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => {
        const d = typeof e.data === 'string' ? e.data : '';
        if (d.startsWith('{"type":"patch"')) window.__frames.push({ at: performance.now(), data: d });
      });
    }
  };
})();`;

/**
 * One failover of `pair` seen on its cluster page: from the arrival of the first patch that
 * carries the cluster after the trigger to the frame painted with lb1's new state.
 */
async function patchLatency(page: Page, pair: SimAgent[], clusterId: string): Promise<number> {
  const [a, b] = pair as [SimAgent, SimAgent];
  const toLb1 = !a.master;
  const want = toLb1 ? 'MASTER' : 'BACKUP';
  // Marks now, then waits for lb1's badge to read `want` and records the next painted frame.
  const mark = await page.evaluate<number>(`(() => {
    window.__painted = undefined;
    const obs = new MutationObserver(() => {
      const el = document.querySelector('[data-testid="state-lb1"]');
      if (el?.getAttribute('data-state') !== '${want}') return;
      obs.disconnect();
      requestAnimationFrame(() => (window.__painted = performance.now()));
    });
    obs.observe(document.querySelector('main') ?? document.body, {
      subtree: true, childList: true, attributes: true, characterData: true,
    });
    return performance.now();
  })()`);
  const now = Date.now();
  const [from, to] = toLb1 ? [b, a] : [a, b];
  from.failover(false, now);
  to.failover(true, now);
  return inPage(
    page,
    `(() => {
      if (window.__painted === undefined) return false;
      const f = window.__frames.find((x) => x.at >= ${mark} && x.data.includes('"id":"${clusterId}"'));
      return f ? window.__painted - f.at : -1;
    })()`,
    10_000,
  );
}

const median = (xs: number[]): number =>
  [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)] ?? NaN;
const max = (xs: number[]): number => Math.max(...xs);
const fmt = (v: number): string => `${v.toFixed(0)} ms`;

async function main(): Promise<void> {
  const hosts = Number(values.hosts);
  const runs = Number(values.runs);
  const port = Number(values.port);
  if (!values['no-build']) build();
  const dist = join(root, 'apps/web/dist');
  const js = initialJs(dist);
  const dataDir = mkdtempSync(join(tmpdir(), 'kw-bench-web-'));
  const adminPassword = randomBytes(9).toString('base64url');
  const agentToken = randomBytes(18).toString('base64url');
  const server = spawn(process.execPath, [join(root, 'apps/server/dist/server.mjs')], {
    cwd: root,
    env: {
      ...process.env,
      KEEPWATCH_PORT: String(port),
      KEEPWATCH_HOST: '127.0.0.1',
      KEEPWATCH_DATA: dataDir,
      KEEPWATCH_ADMIN_PASSWORD: adminPassword,
      KEEPWATCH_AGENT_TOKEN: agentToken,
      KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
      KEEPWATCH_WEB_DIST: dist,
      KEEPWATCH_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pairs = fleet(`ws://127.0.0.1:${port}`, agentToken, hosts);
  const agents = pairs.flat();
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    await waitPort(port, server, 60);
    for (let i = 0; i < agents.length; i += 250) {
      for (const a of agents.slice(i, i + 250)) a.start();
      await sleep(10);
    }
    for (let i = 0; i < 1200 && !agents.every((a) => a.isOnline); i++) await sleep(100);
    if (!agents.every((a) => a.isOnline))
      throw new Error('not every simulated host connected in 120 s');
    log(`${agents.length} hosts connected`);
    await sleep(3000);
    const base = `http://127.0.0.1:${port}`;
    browser = await launchBrowser();
    const { context } = browser;
    await context.addInitScript({ content: RECORD_FRAMES });
    const login = await context.request.post(`${base}/api/v1/auth/login`, {
      data: { username: 'admin', password: adminPassword },
    });
    if (!login.ok()) throw new Error(`login: ${login.status()}`);
    const page = await context.newPage();
    const overview: number[] = [];
    const cluster: number[] = [];
    const target = Math.floor(hosts / 4);
    const clusterId = `bench-${String(target).padStart(5, '0')}`;
    for (let r = 0; r < runs; r++) {
      // The overview is ready when its list holds every cluster (the count says so).
      overview.push(
        await firstRender(
          page,
          `${base}/#/?r=${r}`,
          `(document.querySelector('[data-testid="overview-count"]')?.textContent ?? '').includes('${hosts / 2}') &&
            document.querySelector('[data-testid^="overview-row-"]') ? performance.now() : false`,
        ),
      );
      cluster.push(
        await firstRender(
          page,
          `${base}/#/clusters/${clusterId}?r=${r}`,
          `document.querySelector('[data-testid="state-lb2"][data-state]') ? performance.now() : false`,
        ),
      );
    }
    log(`overview ${overview.map(fmt).join(', ')}; cluster ${cluster.map(fmt).join(', ')}`);
    await page.goto(`${base}/#/clusters/${clusterId}`);
    await page
      .locator('[data-testid="state-lb1"][data-state="MASTER"]')
      .waitFor({ timeout: 30_000 });
    await sleep(1000);
    const patch: number[] = [];
    const pair = pairs[target] ?? [];
    for (let i = 0; i < Number(values.patches); i++) {
      patch.push(await patchLatency(page, pair, clusterId));
      await sleep(500);
    }
    log(`patch → painted ${patch.map(fmt).join(', ')}`);
    const figures: Figure[] = [
      {
        figure: `first render of the overview (${hosts} hosts, ${hosts / 2} clusters), median / max of ${runs}`,
        value: `${fmt(median(overview))} / ${fmt(max(overview))}`,
        target: '≤ 1500 ms',
        ok: max(overview) <= 1500,
      },
      {
        figure: `first render of a cluster page, median / max of ${runs}`,
        value: `${fmt(median(cluster))} / ${fmt(max(cluster))}`,
        target: '≤ 1500 ms',
        ok: max(cluster) <= 1500,
      },
      {
        figure: `live patch arrived → painted on the cluster page, median / max of ${patch.length}`,
        value: `${fmt(median(patch))} / ${fmt(max(patch))}`,
        target: '≤ 100 ms',
        ok: max(patch) <= 100,
      },
      {
        figure: 'initial JavaScript, gzipped',
        value: `${(js.bytes / 1024).toFixed(1)} KB (${js.files.length} file${js.files.length === 1 ? '' : 's'})`,
        target: '≤ 300 KB',
        ok: js.bytes <= 300 * 1024,
      },
    ];
    const path = writeResult({
      bench: 'web',
      command,
      figures,
      data: {
        hosts,
        overviewMs: overview,
        clusterMs: cluster,
        patchMs: patch,
        initialJsGzipBytes: js.bytes,
        files: js.files,
      },
    });
    process.stdout.write(`${figuresTable(figures)}\n\nwritten: ${path}\n`);
  } finally {
    await browser?.close();
    for (const a of agents) a.stop();
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench web] failed: ${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
