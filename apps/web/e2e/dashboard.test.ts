import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@keepwatch/stack';
import { launchBrowser } from './browser';

/*
 * The dashboard in Chromium against one real stack (lab kwui, 10.94.0.0/24: keepalived,
 * nginx, Tomcat, agents, the server): a VIP move seen live on the cluster page and on its
 * timeline with both load balancers' log lines beside it, a keepalived crash shown as
 * "last known" (never MASTER), the language and theme switch, and a screenshot of every page
 * in both languages (apps/web/e2e/artifacts/, gitignored). Needs the built web app
 * (`pnpm --filter @keepwatch/web build`) and root.
 */
const PREFIX = 'kwui';
const SUBNET = '10.94.0';
const VIP = `${SUBNET}.50`;
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

const logCount = (node: string): Promise<number> =>
  page.getByTestId(`logs-${node}`).locator('li').count();
const logText = (node: string): Promise<string> =>
  page.getByTestId(`logs-${node}`).locator('ol').innerText();

describe('dashboard in Chromium, on the real lab', () => {
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    stack = await startStack({ prefix: PREFIX, subnet: SUBNET });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(`${stack.url}/`);
    await page.fill('input[name="username"]', 'admin');
    await page.fill('input[name="password"]', stack.adminPassword);
    await page.click('button[type="submit"]');
    await page.getByTestId(`overview-row-${PREFIX}`).waitFor({ timeout: 20_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('follows a VIP move live on the cluster page and its timeline, with both LBs’ logs beside it', async () => {
    // A fresh lab's failover was never proven by a drill: the overview flags it.
    await page.getByTestId(`overview-unproven-${PREFIX}`).waitFor({ timeout: 20_000 });
    await page.getByTestId(`overview-row-${PREFIX}`).getByRole('link').click();
    const vip = page.getByTestId(`vip-${VIP}`);
    await expect.poll(() => vip.getAttribute('data-holders'), { timeout: 20_000 }).toBe('lb1');
    await expect
      .poll(() => page.getByTestId('state-lb1').getAttribute('data-state'))
      .toBe('MASTER');
    await expect
      .poll(() => page.getByTestId('state-lb2').getAttribute('data-state'))
      .toBe('BACKUP');
    // The relay streams both LBs' keepalived and nginx logs (the tail first).
    await expect.poll(() => logCount('lb1'), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => logCount('lb2'), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    const before = { lb1: await logCount('lb1'), lb2: await logCount('lb2') };

    await stack.lab.service('lb1', 'keepalived', 'stop');
    await expect.poll(() => vip.getAttribute('data-holders'), { timeout: 5_000 }).toBe('lb2');
    await expect
      .poll(() => page.getByTestId('state-lb2').getAttribute('data-state'), { timeout: 5_000 })
      .toBe('MASTER');
    // On the timeline: lb2's kernel took the VIP, lb2's keepalived went MASTER.
    const list = page.getByTestId('timeline-list');
    await expect
      .poll(() => list.locator('[data-type="vip.change"][data-node="lb2"]').count(), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    await expect
      .poll(() => list.locator('[data-type="vrrp.transition"][data-node="lb2"]').count())
      .toBeGreaterThan(0);
    // Beside it, the new log lines of both LBs: lb1's keepalived stopping, lb2's taking over.
    await expect.poll(() => logCount('lb1'), { timeout: 10_000 }).toBeGreaterThan(before.lb1);
    await expect.poll(() => logCount('lb2'), { timeout: 10_000 }).toBeGreaterThan(before.lb2);
    await expect.poll(() => logText('lb2'), { timeout: 10_000 }).toMatch(/MASTER/);
    expect(
      await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload),
    ).toBe(true);
    await page.screenshot({
      path: join(artifacts, 'cluster-after-failover-en.png'),
      fullPage: true,
    });

    await stack.lab.service('lb1', 'keepalived', 'start');
    await expect.poll(() => vip.getAttribute('data-holders'), { timeout: 15_000 }).toBe('lb1');
  });

  it('shows a crashed keepalived as last known, never as MASTER', async () => {
    await expect
      .poll(() => page.getByTestId('state-lb1').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('MASTER');
    await stack.lab.service('lb1', 'keepalived', 'kill');
    await expect
      .poll(() => page.getByTestId('last-known-lb1').getAttribute('data-state'), {
        timeout: 10_000,
      })
      .toBe('MASTER');
    expect(await page.getByTestId('state-lb1').getAttribute('data-state')).not.toBe('MASTER');
    expect(await page.getByTestId('state-lb1').textContent()).not.toContain('MASTER');
    // And the REST contract agrees (SPEC.md NL-1).
    const res = await fetch(`${stack.url}/api/v1/status`, {
      headers: { authorization: `Bearer ${stack.token}` },
    });
    const body = (await res.json()) as {
      clusters: { nodes: { name: string; vrrp: { state: string }[] }[] }[];
    };
    const lb1 = body.clusters.flatMap((c) => c.nodes).find((n) => n.name === 'lb1');
    expect(lb1?.vrrp.every((v) => v.state !== 'MASTER')).toBe(true);
    await page.screenshot({
      path: join(artifacts, 'cluster-keepalived-crash-en.png'),
      fullPage: true,
    });
    await stack.lab.service('lb1', 'keepalived', 'start');
    await expect
      .poll(() => page.getByTestId('state-lb1').getAttribute('data-state'), { timeout: 20_000 })
      .toBe('MASTER');
  });

  it('switches language and theme, and every page renders in both languages', async () => {
    const pages = ['/', `/clusters/${PREFIX}`, '/alerts', '/agents', '/users', '/tokens', '/audit'];
    for (const lang of ['en', 'zh-CN'] as const) {
      await page.getByTestId('lang-switch').selectOption(lang);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
      for (const path of pages) {
        await page.goto(`${stack.url}/#${path}`);
        await page.locator('main').waitFor();
        await page.waitForLoadState('networkidle').catch(() => undefined);
        expect(await page.getByTestId('not-found').count(), path).toBe(0);
        const name = path === '/' ? 'overview' : path.slice(1).replace(/\//g, '-');
        await page.screenshot({ path: join(artifacts, `${name}-${lang}.png`), fullPage: true });
      }
    }
    expect(await page.getByTestId('nav-overview').textContent()).toBe('集群');
    await page.getByTestId('theme-switch').selectOption('dark');
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    const bg = await page.evaluate(
      () => getComputedStyle(document.documentElement).backgroundColor,
    );
    await page.goto(`${stack.url}/#/clusters/${PREFIX}`);
    await page.screenshot({ path: join(artifacts, 'cluster-dark-zh-CN.png'), fullPage: true });
    await page.getByTestId('theme-switch').selectOption('light');
    const light = await page.evaluate(
      () => getComputedStyle(document.documentElement).backgroundColor,
    );
    expect(light).not.toBe(bg);
  });
});
