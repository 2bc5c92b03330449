import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PREFIX, keyboardSuite } from './keyboard-kit';

/*
 * Every page in both languages at 1366×768, in Chromium on its own real stack
 * (keyboard-kit.ts): no horizontal scroll, the header on at most two lines and inside the
 * screen; viewport screenshots (laptop-*.png) go to apps/web/e2e/artifacts/.
 */
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');

describe('the dashboard on a 1366×768 laptop screen, on the real lab', () => {
  const kb = keyboardSuite();
  beforeAll(() => {
    mkdirSync(artifacts, { recursive: true });
  });

  it('fits a 1366×768 laptop screen: every page in both languages, no sideways scroll', async () => {
    const { page, stack } = kb;
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
