import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { StatusResponse } from '@keepwatch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@keepwatch/stack';
import { launchBrowser } from './browser';

/*
 * Drills in Chromium against one real stack (lab kwdw, 10.100.0.0/24: keepalived, nginx,
 * Tomcat, agents granted `drills`, the server): an operator starts an nginx-outage drill from
 * the cluster page, watches it live (phases, probe results, transitions), opens the report
 * and exports it as Markdown (en) and HTML (zh-CN); a viewer sees no drill button.
 * Screenshots and the exported files go to apps/web/e2e/artifacts/ (gitignored). Needs the
 * built web app (`pnpm --filter @keepwatch/web build`) and root.
 */
const PREFIX = 'kwdw';
const SUBNET = '10.100.0';
const VIP = `${SUBNET}.50`;
const PASSWORD = 'drill-e2e-password-0123';
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const shot = (p: Page, name: string) =>
  p.screenshot({ path: join(artifacts, `drills-${name}.png`), fullPage: true });

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${stack.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function signIn(username: string): Promise<void> {
  await page.goto(`${stack.url}/`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
  await page.getByTestId(`overview-row-${PREFIX}`).waitFor({ timeout: 20_000 });
}

const holders = (s: StatusResponse): string[] =>
  s.clusters.flatMap((c) => c.vips.filter((v) => v.address === VIP)).flatMap((v) => v.holders);

describe('drills in Chromium, on the real lab', () => {
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    stack = await startStack({ prefix: PREFIX, subnet: SUBNET });
    // The lab is a lab: its agents grant drills (installed hosts stay monitor-only).
    for (const host of stack.lab.hosts) {
      await stack.lab.stopAgent(host.name);
      await stack.lab.startAgent(host.name, {
        serverUrl: stack.url.replace(/^http/, 'ws'),
        token: stack.agentToken,
        control: ['drills'],
      });
    }
    const names = stack.lab.hosts.map((h) => h.name);
    await stack.live.waitFor(
      'every agent online again, granting drills',
      (s) =>
        names.every((n) => s.clusters.some((c) => c.nodes.some((x) => x.name === n && x.online))),
      60_000,
    );
    await stack.live.waitFor('VIP on lb1', (s) => holders(s).join() === 'lb1', 30_000);
    await api('POST', '/users', { username: 'oper', password: PASSWORD, role: 'operator' });
    await api('POST', '/users', { username: 'watcher', password: PASSWORD, role: 'viewer' });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('an operator starts an nginx-outage drill from the cluster page, watches it live, opens the report and exports it', async () => {
    await signIn('oper');
    await page.goto(`${stack.url}/#/clusters/${PREFIX}`);
    await page.getByTestId('run-drill').click();
    const dialog = page.getByTestId('drill-dialog');
    await dialog.waitFor();
    expect(await page.getByTestId('drill-kind').inputValue()).toBe('nginx-outage');
    expect(await page.getByTestId('drill-hypothesis').textContent()).toMatch(
      /nginx stops on the MASTER/,
    );
    // The preflight result is shown before the confirm, which waits for it.
    const preflight = page.getByTestId('drill-preflight');
    await expect
      .poll(() => preflight.getAttribute('data-state'), { timeout: 30_000 })
      .toMatch(/^(ok|refused|error)$/);
    await shot(page, 'dialog-en');
    expect(await preflight.getAttribute('data-state'), await preflight.innerText()).toBe('ok');
    expect(await page.getByTestId('drill-plan').textContent()).toContain('lb1');
    await page.getByTestId('drill-confirm').click();

    // Live: the drill page opens, phases advance, probe results and transitions arrive.
    await page.waitForURL(/#\/drills\/[^/]+$/, { timeout: 15_000 });
    const drillId = decodeURIComponent(page.url().split('/drills/')[1] ?? '');
    const drillPage = page.getByTestId('drill-page');
    await drillPage.waitFor();
    expect(await drillPage.getAttribute('data-status')).toBe('running');
    const counts = page.getByTestId('probe-counts');
    await expect
      .poll(async () => Number(await counts.getAttribute('data-total')), { timeout: 30_000 })
      .toBeGreaterThan(50);
    await expect
      .poll(() => page.getByTestId('drill-phases').getAttribute('data-phase'), { timeout: 30_000 })
      .toMatch(/^(fault|observe|restore|verify|report|done)$/);
    await expect
      .poll(() => page.getByTestId('drill-transitions').locator('li').count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await page.locator('[data-testid="drill-chart"] canvas').first().waitFor();
    const liveFailed = Number(await counts.getAttribute('data-failed'));
    await shot(page, 'live-en');

    // The report: shown in place when the drill ends, with chart, figures, verdict, advice.
    await expect
      .poll(() => drillPage.getAttribute('data-status'), { timeout: 120_000 })
      .not.toBe('running');
    const status = await drillPage.getAttribute('data-status');
    const report = page.getByTestId('drill-report');
    await report.waitFor({ timeout: 15_000 });
    const verdict = await page.getByTestId('drill-verdict').getAttribute('data-verdict');
    const figures = await page.getByTestId('drill-figures').innerText();
    console.log(
      `[drills e2e] drill ${drillId}: ${status}; live failed so far ${liveFailed}\n${figures}`,
    );
    expect(['passed', 'failed']).toContain(status);
    expect(verdict).toBe(status);
    expect(figures).toMatch(/Downtime as clients saw it\s+\d+ ms/);
    expect(
      await page.getByTestId('drill-rows').locator('tr[data-what="log"]').count(),
    ).toBeGreaterThan(0);
    await page.locator('[data-testid="drill-chart"] canvas').first().waitFor();
    await shot(page, 'report-en');

    const download = async (testId: string, name: string): Promise<string> => {
      const [dl] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId(testId).click(),
      ]);
      const path = join(artifacts, name);
      await dl.saveAs(path);
      return readFileSync(path, 'utf8');
    };
    const md = await download('export-md', `drill-report-en.md`);
    expect(md).toMatch(/^# Failover drill report: nginx-outage/);
    expect(md).toMatch(/Downtime|downtime/);
    await page.getByTestId('export-lang').selectOption('zh-CN');
    const html = await download('export-html', `drill-report-zh-CN.html`);
    expect(html).toMatch(/<html/i);
    expect(html).toMatch(/[\u4e00-\u9fff]/);

    // The same page in Chinese, and the history lists the drill.
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await shot(page, 'report-zh-CN');
    await page.goto(`${stack.url}/#/clusters/${PREFIX}/drills`);
    await page.getByTestId(`drill-row-${drillId}`).waitFor({ timeout: 10_000 });
    await shot(page, 'history-zh-CN');
    await page.getByTestId('lang-switch').selectOption('en');

    // The lab is back as it was: VIP on lb1 only.
    await stack.live.waitFor('VIP back on lb1', (s) => holders(s).join() === 'lb1', 30_000);
  });

  it('a viewer sees no drill button', async () => {
    await page.getByTestId('logout').click();
    await page.locator('input[name="username"]').waitFor();
    await signIn('watcher');
    await page.goto(`${stack.url}/#/clusters/${PREFIX}`);
    await page.getByTestId('drill-slot').waitFor({ timeout: 15_000 });
    await page.getByTestId('drill-history-link').waitFor();
    expect(await page.getByTestId('run-drill').count()).toBe(0);
    await shot(page, 'viewer-cluster-en');
  });
});
