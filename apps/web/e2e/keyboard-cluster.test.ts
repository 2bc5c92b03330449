import { describe, expect, it } from 'vitest';
import {
  PREFIX,
  dialogCount,
  expectTrapped,
  focused,
  fromTop,
  hash,
  isFocused,
  keyboardSuite,
  tabStops,
  tabTo,
} from './keyboard-kit';

/*
 * The cluster pages with the keyboard only, in Chromium on its own real stack (keyboard-kit.ts):
 * filter the overview, open a cluster, zoom its timeline; open, fill and end a maintenance
 * window, the dialog keeping Tab inside, closing on Escape and giving focus back to its button.
 */
describe('a cluster by keyboard only: overview, timeline, maintenance, on the real lab', () => {
  const kb = keyboardSuite();

  it('overview → cluster by keyboard: filter, open, zoom the timeline; every stop visible', async () => {
    const { page, stack } = kb;
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
    const { page, stack } = kb;
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
});
