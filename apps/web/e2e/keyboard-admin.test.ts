import { describe, expect, it } from 'vitest';
import {
  dialogCount,
  expectTrapped,
  focused,
  isFocused,
  keyboardSuite,
  tabTo,
} from './keyboard-kit';

/*
 * The admin pages with the keyboard only, in Chromium on its own real stack (keyboard-kit.ts):
 * create and revoke an API token, add a user, open the enrollment dialog; every dialog keeps
 * Tab inside, closes on Escape and gives focus back to its button.
 */
describe('tokens, users and agents by keyboard only, on the real lab', () => {
  const kb = keyboardSuite();

  it('API tokens: created with Enter; revoke asks in a dialog that Escape cancels', async () => {
    const { page, stack } = kb;
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
    const { page, stack } = kb;
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
});
