import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startStack, type Stack } from '@keepwatch/stack';
import { launchBrowser } from './browser';

/*
 * What the keyboard-*.test.ts files share: their own real stack (lab kwux, 10.108.0.0/24:
 * keepalived, nginx, Tomcat, agents, the server; the files run one after another), a Chromium
 * page at 1366×768, and the keyboard moves (Tab to a selector, every Tab stop of a page, focus
 * kept inside a dialog). Needs the built web app and root.
 */
export const PREFIX = 'kwux';
const SUBNET = '10.108.0';
/** A page's Tab stops are walked at most this far (the cluster page has the most). */
const MAX_STOPS = 250;

export interface KeyboardSuite {
  stack: Stack;
  page: Page;
}

/**
 * Starts the stack and the browser before the file's tests and stops both after; signed in
 * with the keyboard unless `signedIn` is false (the file that tests the sign-in itself).
 */
export function keyboardSuite(signedIn = true): KeyboardSuite {
  const suite = {} as KeyboardSuite;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  beforeAll(async () => {
    suite.stack = await startStack({ prefix: PREFIX, subnet: SUBNET });
    browser = await launchBrowser();
    suite.page = await browser.context.newPage();
    if (signedIn) await signIn(suite.page, suite.stack);
  });
  afterAll(async () => {
    await browser?.close();
    await suite.stack?.stop();
  });
  return suite;
}

/** The login form with the keyboard only: focus starts in the user name, Enter sends it. */
export async function signIn(p: Page, stack: Stack): Promise<void> {
  await p.goto(`${stack.url}/`);
  await p.locator('input[name="username"]').waitFor();
  expect(await isFocused(p, 'input[name="username"]')).toBe(true);
  await p.keyboard.type('admin');
  await p.keyboard.press('Tab');
  await p.keyboard.type(stack.adminPassword);
  await p.keyboard.press('Enter');
  await p.getByTestId(`overview-row-${PREFIX}`).waitFor({ timeout: 20_000 });
}

export interface Stop {
  what: string;
  visible: boolean;
  inDialog: boolean;
}

/** What has focus, and whether it is drawn (outline or box-shadow, as :focus-visible styles). */
export function focused(p: Page): Promise<Stop | null> {
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
export async function fromTop(p: Page): Promise<void> {
  await p.evaluate(() => {
    document.getElementById('kbd-top')?.remove();
    const mark = document.createElement('span');
    mark.id = 'kbd-top';
    mark.tabIndex = -1;
    document.body.prepend(mark);
    mark.focus();
  });
}

export const isFocused = (p: Page, selector: string): Promise<boolean> =>
  p.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);

/** Tab (or Shift+Tab) until `selector` has focus; fails after MAX_STOPS presses. */
export async function tabTo(p: Page, selector: string, backward = false): Promise<void> {
  for (let i = 0; i < MAX_STOPS; i++) {
    if (await isFocused(p, selector)) return;
    await p.keyboard.press(backward ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${selector} not reached with ${MAX_STOPS} Tab presses`);
}

/** Every Tab stop of the page from the top, once round (or MAX_STOPS). */
export async function tabStops(p: Page): Promise<Stop[]> {
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
export async function expectTrapped(p: Page, times: number): Promise<void> {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < times; i++) {
      await p.keyboard.press(key);
      expect((await focused(p))?.inDialog, `${key} #${i + 1}`).toBe(true);
    }
  }
}

export const hash = (p: Page): Promise<string> => p.evaluate(() => location.hash);
export const dialogCount = (p: Page): Promise<number> => p.locator('dialog[open]').count();

/** Reach a nav link with Tab from the top of the page and follow it with Enter. */
export async function navByKeyboard(p: Page, name: string): Promise<void> {
  await fromTop(p);
  await tabTo(p, `[data-testid="nav-${name}"]`);
  await p.keyboard.press('Enter');
  await expect.poll(() => hash(p)).toBe(name === 'overview' ? '#/' : `#/${name}`);
}
