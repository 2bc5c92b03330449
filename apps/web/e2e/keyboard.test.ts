import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@keepwatch/stack';
import { launchBrowser } from './browser';

/*
 * The dashboard with the keyboard only, and on a 1366×768 laptop screen, in Chromium on its
 * own real stack (lab kwux, 10.108.0.0/24: keepalived, nginx, Tomcat, agents, the server).
 * No mouse: sign-in, every page of the nav reached with Tab and Enter, each focus stop drawn
 * visibly, the main actions done (filter the overview, open a cluster, zoom its timeline,
 * open, fill and end a maintenance window, create and revoke an API token, add a user, open
 * the enrollment dialog); every dialog keeps Tab inside, closes on Escape and gives focus
 * back to its button. Then every page in both languages at 1366×768: no horizontal scroll,
 * the header on at most two lines and inside the screen; viewport screenshots (laptop-*.png)
 * go to apps/web/e2e/artifacts/. Needs the built web app and root.
 */
const PREFIX = 'kwux';
const SUBNET = '10.108.0';
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
/** A page's Tab stops are walked at most this far (the cluster page has the most). */
const MAX_STOPS = 250;

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

interface Stop {
  what: string;
  visible: boolean;
  inDialog: boolean;
}

/** What has focus, and whether it is drawn (outline or box-shadow, as :focus-visible styles). */
function focused(p: Page): Promise<Stop | null> {
  return p.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || !(el instanceof HTMLElement)) return null;
    const css = getComputedStyle(el);
    const outline = css.outlineStyle !== 'none' && parseFloat(css.outlineWidth) >= 1;
    const shadow = css.boxShadow !== 'none' && css.boxShadow !== '';
    const label =
      el.dataset['testid'] ??
      el.getAttribute('aria-label') ??
      (el.textContent ?? '').trim().slice(0, 40);
    return {
      what: `${el.tagName.toLowerCase()}:${label}`,
      visible: outline || shadow,
      inDialog: el.closest('dialog[open]') !== null,
    };
  });
}

/**
 * Put the keyboard at the top of the page, as on a fresh load: a marker outside the Tab order
 * before everything takes focus, so the next Tab goes to the page's first stop (blur() alone
 * would leave the browser's starting point where focus was).
 */
async function fromTop(p: Page): Promise<void> {
  await p.evaluate(() => {
    document.getElementById('kbd-top')?.remove();
    const mark = document.createElement('span');
    mark.id = 'kbd-top';
    mark.tabIndex = -1;
    document.body.prepend(mark);
    mark.focus();
  });
}

const isFocused = (p: Page, selector: string): Promise<boolean> =>
  p.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);

/** Tab (or Shift+Tab) until `selector` has focus; fails after MAX_STOPS presses. */
async function tabTo(p: Page, selector: string, backward = false): Promise<void> {
  for (let i = 0; i < MAX_STOPS; i++) {
    if (await isFocused(p, selector)) return;
    await p.keyboard.press(backward ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${selector} not reached with ${MAX_STOPS} Tab presses`);
}

/** Every Tab stop of the page from the top, once round (or MAX_STOPS). */
async function tabStops(p: Page): Promise<Stop[]> {
  await fromTop(p);
  const stops: Stop[] = [];
  let first: string | null = null;
  for (let i = 0; i < MAX_STOPS; i++) {
    await p.keyboard.press('Tab');
    const s = await focused(p);
    if (!s) break;
    if (first === s.what && stops.length > 1) break;
    first ??= s.what;
    stops.push(s);
  }
  return stops;
}

/** Tab and Shift+Tab `times` each inside the open dialog: focus never leaves it. */
async function expectTrapped(p: Page, times: number): Promise<void> {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < times; i++) {
      await p.keyboard.press(key);
      expect((await focused(p))?.inDialog, `${key} #${i + 1}`).toBe(true);
    }
  }
}

const hash = (p: Page): Promise<string> => p.evaluate(() => location.hash);
const dialogCount = (p: Page): Promise<number> => p.locator('dialog[open]').count();

/** Reach a nav link with Tab from the top of the page and follow it with Enter. */
async function navByKeyboard(p: Page, name: string): Promise<void> {
  await fromTop(p);
  await tabTo(p, `[data-testid="nav-${name}"]`);
  await p.keyboard.press('Enter');
  await expect.poll(() => hash(p)).toBe(name === 'overview' ? '#/' : `#/${name}`);
}

describe('the dashboard by keyboard only, and on a 1366×768 screen, on the real lab', () => {
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    stack = await startStack({ prefix: PREFIX, subnet: SUBNET });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs in with the keyboard; the skip link leads to the page', async () => {
    await page.goto(`${stack.url}/`);
    await page.locator('input[name="username"]').waitFor();
    expect(await isFocused(page, 'input[name="username"]')).toBe(true);
    await page.keyboard.type('admin');
    await page.keyboard.press('Tab');
    await page.keyboard.type(stack.adminPassword);
    await page.keyboard.press('Enter');
    await page.getByTestId(`overview-row-${PREFIX}`).waitFor({ timeout: 20_000 });
    // On a fresh load the first Tab stop is the skip link, shown when focused; Enter puts
    // focus on the page, and the next Tab goes into it.
    await page.reload();
    await page.getByTestId(`overview-row-${PREFIX}`).waitFor({ timeout: 20_000 });
    await page.keyboard.press('Tab');
    expect(await isFocused(page, '.skip-link')).toBe(true);
    const left = await page.locator('.skip-link').evaluate((e) => e.getBoundingClientRect().left);
    expect(left).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await isFocused(page, '#main')).toBe(true);
    await page.keyboard.press('Tab');
    expect(await isFocused(page, '#main *')).toBe(true);
  });

  it('reaches every page of the nav with Tab and Enter, every focus stop visible', async () => {
    for (const name of ['alerts', 'agents', 'users', 'tokens', 'audit', 'overview']) {
      await navByKeyboard(page, name);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle').catch(() => undefined);
      const stops = await tabStops(page);
      expect(stops.length, `${name}: ${stops.map((s) => s.what).join(', ')}`).toBeGreaterThan(5);
      expect(
        stops.filter((s) => !s.visible).map((s) => s.what),
        `${name}: focus not drawn`,
      ).toEqual([]);
    }
  });

  it('overview → cluster by keyboard: filter, open, zoom the timeline; every stop visible', async () => {
    await page.goto(`${stack.url}/#/`);
    await page.getByTestId(`overview-row-${PREFIX}`).waitFor({ timeout: 15_000 });
    await tabTo(page, '[data-testid="overview-search"]');
    await page.keyboard.type('no-such-cluster');
    await expect.poll(() => page.getByTestId(`overview-row-${PREFIX}`).count()).toBe(0);
    await page.keyboard.press('Control+A');
    await page.keyboard.type(PREFIX);
    await page.getByTestId(`overview-row-${PREFIX}`).waitFor();
    await tabTo(page, `[data-testid="overview-row-${PREFIX}"] a`);
    await page.keyboard.press('Enter');
    await expect.poll(() => hash(page)).toBe(`#/clusters/${PREFIX}`);
    await page.getByTestId('timeline').waitFor({ timeout: 15_000 });
    await page.getByTestId('truth-section').waitFor({ timeout: 15_000 });

    const stops = await tabStops(page);
    expect(stops.length).toBeGreaterThan(10);
    expect(stops.filter((s) => !s.visible).map((s) => s.what)).toEqual([]);

    await fromTop(page);
    const zoomIn = (await page
      .locator('.range-picker button[aria-label]')
      .first()
      .getAttribute('aria-label'))!;
    await tabTo(page, `.range-picker button[aria-label="${zoomIn}"]`);
    await page.keyboard.press('Enter');
    // A live range zooms to a shorter live span (?span=), a fixed one to ?from&to.
    await expect.poll(() => hash(page)).toMatch(/[?&](span|from)=/);
  });

  it('the maintenance dialog: opened with Enter, Tab trapped, Escape closes it, focus returns', async () => {
    await page.goto(`${stack.url}/#/clusters/${PREFIX}`);
    await page.getByTestId('maintenance-open').waitFor({ timeout: 15_000 });
    await tabTo(page, '[data-testid="maintenance-open"]');
    await page.keyboard.press('Enter');
    await page.getByTestId('maintenance-dialog').waitFor();
    expect((await focused(page))?.inDialog).toBe(true);
    await expectTrapped(page, 8);
    await page.keyboard.press('Escape');
    // Gone from the page (not only closed), and focus back on its button.
    await expect.poll(() => page.getByTestId('maintenance-dialog').count()).toBe(0);
    await expect
      .poll(() => isFocused(page, '[data-testid="maintenance-open"]'), { timeout: 2_000 })
      .toBe(true);

    // Again, filled and sent with the keyboard; the window is then ended with it.
    await page.keyboard.press('Enter');
    await page.getByTestId('maintenance-dialog').waitFor();
    await tabTo(page, '[data-testid="maintenance-reason"]');
    await page.keyboard.type('keyboard-only e2e');
    await page.keyboard.press('Enter');
    await page.getByTestId('maintenance-banner').waitFor({ timeout: 10_000 });
    // The banner comes with the live patch, which can beat the POST's reply that closes the
    // dialog: wait for the close instead of reading the count at the banner.
    await expect.poll(() => dialogCount(page), { timeout: 10_000 }).toBe(0);
    await tabTo(page, '[data-testid^="maintenance-end-"]');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('maintenance-banner').count(), { timeout: 10_000 })
      .toBe(0);
  });

  it('API tokens: created with Enter; revoke asks in a dialog that Escape cancels', async () => {
    await page.goto(`${stack.url}/#/tokens`);
    await page.getByTestId('token-name').waitFor();
    await tabTo(page, '[data-testid="token-name"]');
    await page.keyboard.type('kbd-token');
    await page.keyboard.press('Enter');
    await page.getByTestId('token-created').waitFor({ timeout: 10_000 });
    const row = page.locator('[data-token="kbd-token"]');
    await row.waitFor();
    const revoke = '[data-token="kbd-token"] button';
    await tabTo(page, revoke);
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-dialog').waitFor();
    // Cancel has focus first: Enter on a destructive question must not say yes by accident.
    expect((await focused(page))?.what).toMatch(/^button:/);
    expect(await isFocused(page, '[data-testid="confirm-yes"]')).toBe(false);
    await expectTrapped(page, 4);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialogCount(page)).toBe(0);
    expect(await isFocused(page, revoke)).toBe(true);
    expect(await row.count()).toBe(1);

    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-dialog').waitFor();
    await tabTo(page, '[data-testid="confirm-yes"]');
    await page.keyboard.press('Enter');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
  });

  it('users: a user added with the keyboard; agents: the enrollment dialog traps and returns focus', async () => {
    await page.goto(`${stack.url}/#/users`);
    await page.getByTestId('users-table').waitFor({ timeout: 10_000 });
    await tabTo(page, 'form.inline-form input');
    await page.keyboard.type('kim');
    await page.keyboard.press('Tab');
    await page.keyboard.type('a long enough password');
    await page.keyboard.press('Enter');
    await page.locator('[data-user="kim"]').waitFor({ timeout: 10_000 });

    await page.goto(`${stack.url}/#/agents`);
    await page.getByTestId('agents-table').waitFor({ timeout: 10_000 });
    await tabTo(page, '[data-testid="add-agent"]');
    await page.keyboard.press('Enter');
    await page.getByTestId('enroll-box').waitFor({ timeout: 10_000 });
    expect((await focused(page))?.inDialog).toBe(true);
    await expectTrapped(page, 5);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialogCount(page)).toBe(0);
    expect(await isFocused(page, '[data-testid="add-agent"]')).toBe(true);
  });

  it('language and theme switched from the keyboard', async () => {
    // The arrow that moves off the current option: down unless it is the last.
    const away = (select: string): Promise<'ArrowDown' | 'ArrowUp'> =>
      page
        .locator(select)
        .evaluate((s) =>
          (s as HTMLSelectElement).selectedIndex === (s as HTMLSelectElement).length - 1
            ? 'ArrowUp'
            : 'ArrowDown',
        );
    const lang = '[data-testid="lang-switch"]';
    await tabTo(page, lang);
    const before = await page.evaluate(() => document.documentElement.lang);
    const key = await away(lang);
    await page.keyboard.press(key);
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).not.toBe(before);
    await page.keyboard.press(key === 'ArrowDown' ? 'ArrowUp' : 'ArrowDown');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(before);
    const theme = '[data-testid="theme-switch"]';
    await tabTo(page, theme, true);
    const was = await page.locator(theme).inputValue();
    await page.keyboard.press(await away(theme));
    await expect.poll(() => page.locator(theme).inputValue()).not.toBe(was);
  });

  it('fits a 1366×768 laptop screen: every page in both languages, no sideways scroll', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    const pages = [
      '/',
      `/clusters/${PREFIX}`,
      `/hosts/lb1?cluster=${PREFIX}`,
      '/alerts',
      '/agents',
      '/users',
      '/tokens',
      '/audit',
    ];
    for (const lang of ['en', 'zh-CN'] as const) {
      await page.getByTestId('lang-switch').selectOption(lang);
      for (const path of pages) {
        await page.goto(`${stack.url}/#${path}`);
        await page.locator('main h1').first().waitFor({ timeout: 15_000 });
        await page.waitForLoadState('networkidle').catch(() => undefined);
        const fit = await page.evaluate(() => {
          const header = document.querySelector('.topbar')!.getBoundingClientRect();
          const controls = [
            ...document.querySelectorAll('.topbar a, .topbar select, .topbar button'),
          ]
            .filter((e) => !e.classList.contains('skip-link'))
            .map((e) => e.getBoundingClientRect());
          const h1 = document.querySelector('main h1')!.getBoundingClientRect();
          return {
            scroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            headerHeight: header.height,
            controlsOut: controls.filter((r) => r.right > window.innerWidth || r.left < 0).length,
            h1Top: h1.top,
          };
        });
        const where = `${path} (${lang})`;
        expect(fit.scroll, `${where}: sideways scroll`).toBeLessThanOrEqual(0);
        expect(fit.controlsOut, `${where}: header controls off screen`).toBe(0);
        // At most two lines of header (one is ~56 px), and the page's title in the first screen.
        expect(fit.headerHeight, `${where}: header height`).toBeLessThanOrEqual(120);
        expect(fit.h1Top, `${where}: title below the fold`).toBeLessThan(400);
        const name = path === '/' ? 'overview' : path.slice(1).split('?')[0]!.replace(/\//g, '-');
        await page.screenshot({ path: join(artifacts, `laptop-${name}-${lang}.png`) });
      }
    }
  });
});
