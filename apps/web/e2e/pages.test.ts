import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@keepwatch/stack';
import { launchBrowser } from './browser';

/*
 * The host page, truth and readiness, maintenance windows and the audit filters in Chromium
 * on their own real stack (lab kwuj, 10.95.0.0/24): keepalived, nginx, Tomcat, agents, the
 * server. A BACKUP whose nginx stops is flagged in the truth table and fails readiness; a
 * maintenance window is opened from the dialog (Escape closes it), shown, audited, ended; a
 * viewer sees no maintenance button; screenshots of every new page in both languages go to
 * apps/web/e2e/artifacts/. Needs the built web app and root.
 */
const PREFIX = 'kwuj';
const SUBNET = '10.95.0';
const VIP = `${SUBNET}.50`;
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

async function signIn(p: Page, username: string, password: string): Promise<void> {
  await p.goto(`${stack.url}/`);
  await p.fill('input[name="username"]', username);
  await p.fill('input[name="password"]', password);
  await p.click('button[type="submit"]');
  await p.getByTestId(`overview-row-${PREFIX}`).waitFor({ timeout: 20_000 });
}

const shot = (name: string): Promise<Buffer> =>
  page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

describe('host, readiness, maintenance and audit pages in Chromium, on the real lab', () => {
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    stack = await startStack({ prefix: PREFIX, subnet: SUBNET });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await signIn(page, 'admin', stack.adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('host page: facts, clock offset, config files with their sha256, charts and transitions', async () => {
    await page.goto(`${stack.url}/#/hosts/lb1?cluster=${PREFIX}`);
    await page.getByTestId('host-page').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('host-online').textContent()).toBe('online');
    const facts = page.getByTestId('host-facts');
    await facts.waitFor();
    expect(await facts.innerText()).toMatch(/keepalived/i);
    await expect
      .poll(() => page.getByTestId('clock-offset').innerText(), { timeout: 15_000 })
      .toMatch(/ms/);
    const configs = page.getByTestId('host-configs');
    await configs.waitFor({ timeout: 15_000 });
    expect(await configs.innerText()).toMatch(/[0-9a-f]{64}/);
    expect(await configs.innerText()).toMatch(/keepalived/);
    await page.getByTestId('chart-latency.nginx').waitFor();
    await page.getByTestId('host-transitions').waitFor({ timeout: 15_000 });
    await shot('host-en');
  });

  it('truth and readiness: a healthy pair, then a BACKUP with nginx down flagged and not ready', async () => {
    await page.goto(`${stack.url}/#/clusters/${PREFIX}`);
    const lb2 = page.getByTestId('truth-lb2');
    await expect.poll(() => lb2.getAttribute('data-flags'), { timeout: 20_000 }).toBe('');
    expect(await page.getByTestId('truth-lb1').locator('td').nth(1).innerText()).toContain(VIP);
    const pair = page.getByTestId('readiness-VI_1');
    await pair.waitFor({ timeout: 15_000 });
    await expect
      .poll(() => pair.locator('[data-check="backup-healthy"]').getAttribute('data-ok'))
      .toBe('true');
    // No drill has proven this pair: readiness says so, and the last drill reads "never".
    expect(await pair.locator('[data-check="drill-recent"]').getAttribute('data-ok')).toBe('false');
    expect(await page.getByTestId('last-drill').innerText()).toContain('never');
    await page.getByTestId(`availability-${VIP}`).waitFor({ timeout: 15_000 });

    await stack.lab.service('lb2', 'nginx', 'stop');
    try {
      await expect
        .poll(() => lb2.getAttribute('data-flags'), { timeout: 15_000 })
        .toContain('backup-nginx-down');
      await expect
        .poll(() => pair.locator('[data-check="backup-healthy"]').getAttribute('data-ok'), {
          timeout: 15_000,
        })
        .toBe('false');
      expect(await pair.getAttribute('data-ready')).toBe('false');
      await page.getByTestId('truth-section').scrollIntoViewIfNeeded();
      await shot('cluster-truth-nginx-down-en');
    } finally {
      await stack.lab.service('lb2', 'nginx', 'start');
    }
    await expect.poll(() => lb2.getAttribute('data-flags'), { timeout: 20_000 }).toBe('');
  });

  it('maintenance: the dialog closes on Escape; a window is shown, audited and ended', async () => {
    await page.goto(`${stack.url}/#/clusters/${PREFIX}`);
    const dialog = page.getByTestId('maintenance-dialog');
    await page.getByTestId('maintenance-open').click();
    expect(await dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
    // Focus is inside the dialog (first field), and Escape closes it.
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(
      true,
    );
    await page.keyboard.press('Escape');
    // The dialog is gone (ui/modal renders only while open), focus back on its button.
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'maintenance-open',
    );

    await page.getByTestId('maintenance-open').click();
    await page.getByTestId('maintenance-target').selectOption('lb2');
    await page.getByTestId('maintenance-minutes').fill('30');
    await page.getByTestId('maintenance-reason').fill('e2e kernel upgrade');
    await page.getByTestId('maintenance-submit').click();
    const banner = page.getByTestId('maintenance-banner');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.innerText()).toContain('lb2');
    expect(await banner.innerText()).toMatch(/alerts about it are held/);
    expect(await banner.innerText()).toMatch(/GMT|UTC/);
    await shot('cluster-maintenance-en');
    await page.goto(`${stack.url}/#/hosts/lb2?cluster=${PREFIX}`);
    await page.getByTestId('maintenance-banner').waitFor({ timeout: 10_000 });
    await shot('host-maintenance-en');
    await page.locator('[data-testid^="maintenance-end-"]').first().click();
    await expect
      .poll(() => page.getByTestId('maintenance-banner').count(), { timeout: 10_000 })
      .toBe(0);
  });

  it('audit: filtered by the server by action prefix and user, the filter kept in the link', async () => {
    await page.goto(`${stack.url}/#/audit?action=maintenance.`);
    const table = page.getByTestId('audit-table');
    await table.waitFor({ timeout: 10_000 });
    const actions = await table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions.sort()).toEqual(['maintenance.end', 'maintenance.start']);
    await page.getByTestId('audit-user').fill('nobody-such');
    await page.getByTestId('audit-apply').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toContain('user=nobody-such');
    await expect.poll(() => page.getByTestId('audit-table').count()).toBe(0);
    await page.goto(`${stack.url}/#/audit?action=maintenance.&user=admin`);
    await table.waitFor({ timeout: 10_000 });
    await shot('audit-filtered-en');
  });

  it('a viewer sees no maintenance button; every new page renders in both languages', async () => {
    const created = await fetch(`${stack.url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'vera', password: 'long enough password', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const viewer = await browser.context
      .browser()
      ?.newContext({ viewport: { width: 1366, height: 768 } });
    const vpage = viewer ? await viewer.newPage() : await browser.context.newPage();
    if (!viewer) {
      await browser.context.clearCookies();
    }
    await signIn(vpage, 'vera', 'long enough password');
    await vpage.goto(`${stack.url}/#/clusters/${PREFIX}`);
    await vpage.getByTestId('truth-section').waitFor({ timeout: 15_000 });
    expect(await vpage.getByTestId('maintenance-open').count()).toBe(0);
    await vpage.goto(`${stack.url}/#/hosts/lb1?cluster=${PREFIX}`);
    await vpage.getByTestId('host-page').waitFor({ timeout: 15_000 });
    expect(await vpage.getByTestId('maintenance-open').count()).toBe(0);
    await vpage.close();
    await viewer?.close();
    if (!viewer) await signIn(page, 'admin', stack.adminPassword);

    const pages = [
      `/hosts/lb1?cluster=${PREFIX}`,
      `/hosts/web1?cluster=${PREFIX}`,
      `/clusters/${PREFIX}`,
      '/audit?action=maintenance.',
    ];
    for (const lang of ['en', 'zh-CN'] as const) {
      await page.goto(`${stack.url}/#/`);
      await page.getByTestId('lang-switch').selectOption(lang);
      for (const path of pages) {
        await page.goto(`${stack.url}/#${path}`);
        await page.locator('main').waitFor();
        await page.waitForLoadState('networkidle').catch(() => undefined);
        expect(await page.getByTestId('not-found').count(), path).toBe(0);
        const name = path.slice(1).split('?')[0]!.replace(/\//g, '-');
        if (path.startsWith('/clusters/') && lang === 'zh-CN') {
          expect(await page.getByTestId('truth-section').innerText()).toContain('真实状态与就绪');
        }
        await shot(`${name}-${lang}`);
      }
    }
  });
});
