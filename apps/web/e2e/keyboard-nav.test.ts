import { describe, expect, it } from 'vitest';
import {
  PREFIX,
  isFocused,
  keyboardSuite,
  navByKeyboard,
  signIn,
  tabStops,
  tabTo,
} from './keyboard-kit';

/*
 * The dashboard with the keyboard only, in Chromium on its own real stack (keyboard-kit.ts).
 * No mouse: sign-in, the skip link, every page of the nav reached with Tab and Enter with each
 * focus stop drawn visibly, the language and theme switched.
 */
describe('the dashboard by keyboard only: sign-in, the nav, the header, on the real lab', () => {
  const kb = keyboardSuite(false);

  it('signs in with the keyboard; the skip link leads to the page', async () => {
    const { page, stack } = kb;
    await signIn(page, stack);
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
    const { page } = kb;
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

  it('language and theme switched from the keyboard', async () => {
    const { page } = kb;
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
});
