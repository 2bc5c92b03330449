import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConfigLab, type ConfigLab, type Stack } from '@keepwatch/stack';
import { launchBrowser } from './browser';

/*
 * The config page in Chromium against one real stack (lab kwcw, 10.101.0.0/24: keepalived,
 * nginx, Tomcat, agents granted `config`, the server): an operator changes the health
 * check's weight in the form, sees the WT-1 finding and the side-by-side diff, runs a dry
 * run, pushes and watches each host's progress (BACKUP first), then rolls the cluster back
 * to the previous version; the live files follow each step. A failing dry run (nginx -t)
 * and a push stopped by the BACKUP's gate show the API's error text verbatim. A viewer sees
 * the files but no push or roll-back button. Screenshots in apps/web/e2e/artifacts/ (gitignored). Needs the
 * built web app (`pnpm --filter @keepwatch/web build`) and root.
 */
const PREFIX = 'kwcw';
const SUBNET = '10.101.0';
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(artifacts, `config-${name}.png`), fullPage: true });

interface LiveFile {
  component: string;
  sha256: string;
  content: string;
}
interface ConfigBody {
  hosts: { host: string; role: string; files: LiveFile[] }[];
}

let lab: ConfigLab;
let stack: Stack;
let operator: Awaited<ReturnType<typeof launchBrowser>>;
let viewer: Awaited<ReturnType<typeof launchBrowser>> | undefined;
let page: Page;
const users = {
  operator: { username: 'kwcw-op', password: randomBytes(15).toString('base64url') },
  viewer: { username: 'kwcw-viewer', password: randomBytes(15).toString('base64url') },
};
const api = <T>(method: string, path: string, body?: unknown): Promise<T> =>
  lab.api<T>(method, path, body);

const fileOf = async (host: string, component: string): Promise<LiveFile | undefined> =>
  (await api<ConfigBody>('GET', `/clusters/${PREFIX}/config`)).hosts
    .find((h) => h.host === host)
    ?.files.find((f) => f.component === component);
const keepalivedOf = (host: string): Promise<LiveFile | undefined> => fileOf(host, 'keepalived');

async function login(p: Page, who: { username: string; password: string }): Promise<void> {
  await p.goto(`${stack.url}/`);
  await p.fill('input[name="username"]', who.username);
  await p.fill('input[name="password"]', who.password);
  await p.click('button[type="submit"]');
  await p.getByTestId(`overview-row-${PREFIX}`).waitFor({ timeout: 20_000 });
}

/** Records every status each host's progress row shows, in order, while a push runs. */
async function recordTrail(p: Page): Promise<void> {
  await p.evaluate(() => {
    const w = window as unknown as { __trail: string[] };
    w.__trail = [];
    const seen = new Map<string, string>();
    const look = (): void => {
      for (const el of document.querySelectorAll<HTMLElement>('[data-testid^="push-host-"]')) {
        const host = el.dataset['testid']?.slice('push-host-'.length) ?? '';
        const status = el.dataset['status'] ?? '';
        if (seen.get(host) !== status) {
          seen.set(host, status);
          w.__trail.push(`${host}:${status}`);
        }
      }
    };
    new MutationObserver(look).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
    look();
  });
}
const trail = (p: Page): Promise<string[]> =>
  p.evaluate(() => (window as unknown as { __trail: string[] }).__trail);

describe('config page in Chromium, on the real lab', () => {
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    // Lab agents are monitor-only by default: these may apply config.
    lab = await startConfigLab({ prefix: PREFIX, subnet: SUBNET });
    stack = lab.stack;
    await api('POST', '/users', { ...users.operator, role: 'operator' });
    await api('POST', '/users', { ...users.viewer, role: 'viewer' });
    operator = await launchBrowser();
    page = await operator.context.newPage();
    page.on('dialog', (d) => void d.accept());
    await login(page, users.operator);
  });

  afterAll(async () => {
    await viewer?.close();
    await operator?.close();
    await lab?.stop();
  });

  it('an operator edits the weight, sees the finding and the diff, dry-runs and pushes host by host', async () => {
    const before = { lb1: await keepalivedOf('lb1'), lb2: await keepalivedOf('lb2') };
    expect(before.lb1?.content).toContain('weight -20');

    await page.goto(`${stack.url}/#/clusters/${PREFIX}`);
    await page.getByTestId('config-link').click();
    await page.getByTestId('code-editor').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('weight -20');
    await shot(page, 'edit-en');

    // The form: a weight of -5 leaves the failed MASTER at 95, above lb2's 90.
    await page.getByTestId('form-check-weight').fill('-5');
    const wt1 = page.locator('[data-testid="draft-findings"] [data-finding="WT-1"]');
    await wt1.waitFor({ timeout: 10_000 });
    expect(await wt1.innerText()).toMatch(/lb2/);
    await expect.poll(() => page.locator('.cm-content').innerText()).toContain('weight -5');
    // The finding is inline in the editor too (a lint marker on its line).
    await expect.poll(() => page.locator('.cm-lint-marker').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('file-lb1-keepalived').getAttribute('data-dirty')).toBe('true');
    expect(await page.getByTestId('file-lb1-nginx').getAttribute('data-dirty')).toBe('false');
    await shot(page, 'finding-en');

    await page.getByTestId('tab-review').click();
    for (const lb of ['lb1', 'lb2']) {
      const diff = page.getByTestId(`diff-${lb}-keepalived`);
      await diff.waitFor();
      expect(await diff.locator('tr[data-kind="changed"] del').innerText()).toContain('weight -20');
      expect(await diff.locator('tr[data-kind="changed"] ins').innerText()).toContain('weight -5');
    }
    expect(await page.locator('[data-testid^="diff-"][data-testid$="-nginx"]').count()).toBe(0);
    // No push before a dry run of these very changes.
    await page.getByTestId('push-message').fill('e2e: weight -5 (WT-1 on purpose)');
    expect(await page.getByTestId('push').isDisabled()).toBe(true);
    await shot(page, 'diff-en');

    await page.getByTestId('dry-run').click();
    const progress = page.getByTestId('push-progress');
    await expect
      .poll(() => progress.getAttribute('data-dry-run'), { timeout: 10_000 })
      .toBe('true');
    await expect
      .poll(() => progress.getAttribute('data-status'), { timeout: 60_000 })
      .toBe('succeeded');
    await shot(page, 'dry-run-en');
    // Nothing was installed by the dry run.
    expect((await keepalivedOf('lb1'))?.sha256).toBe(before.lb1?.sha256);

    await recordTrail(page);
    await expect.poll(() => page.getByTestId('push').isEnabled()).toBe(true);
    await page.getByTestId('push').click();
    await expect
      .poll(() => progress.getAttribute('data-dry-run'), { timeout: 10_000 })
      .toBe('false');
    await expect
      .poll(() => progress.getAttribute('data-status'), { timeout: 120_000 })
      .toBe('succeeded');
    await shot(page, 'pushed-en');

    // Per-host progress, live: the BACKUP applied and passed its gate before the MASTER began.
    const seen = await trail(page);
    const rows = page.locator('[data-testid^="push-host-"]');
    const first = (await rows.nth(0).getAttribute('data-testid'))?.replace('push-host-', '') ?? '';
    const second = (await rows.nth(1).getAttribute('data-testid'))?.replace('push-host-', '') ?? '';
    expect(await rows.nth(0).innerText()).toContain('BACKUP');
    expect(seen).toContain(`${first}:applied`);
    expect(seen).toContain(`${second}:applied`);
    const masterStart = seen.findIndex((s) => s === `${second}:applying`);
    expect(masterStart).toBeGreaterThan(seen.indexOf(`${first}:applied`));
    expect(seen.some((s) => s.endsWith(':verifying') || s.endsWith(':applying'))).toBe(true);

    for (const lb of ['lb1', 'lb2'])
      await expect
        .poll(async () => (await keepalivedOf(lb))?.content, { timeout: 20_000 })
        .toContain('weight -5');
  });

  it('the operator rolls the cluster back to the previous version from the history', async () => {
    const original = await api<ConfigBody>('GET', `/clusters/${PREFIX}/config`);
    expect(original.hosts.length).toBeGreaterThan(0);
    await page.getByTestId('tab-history').click();
    const versions = page.locator('[data-testid="versions"] > li');
    await expect.poll(() => versions.count(), { timeout: 20_000 }).toBeGreaterThan(1);
    expect(await versions.nth(0).getAttribute('data-current')).toBe('true');
    // The newest version's changes, side by side.
    await versions.nth(0).locator('[data-testid^="version-diff-"]').click();
    await expect
      .poll(
        async () =>
          (await versions.nth(0).locator('tr[data-kind="changed"] ins').allInnerTexts()).join('\n'),
        { timeout: 10_000 },
      )
      .toContain('weight -5');
    await shot(page, 'history-en');

    await recordTrail(page);
    await versions.nth(1).locator('[data-testid^="rollback-"]').click();
    const progress = page.getByTestId('push-progress');
    await expect
      .poll(() => progress.getAttribute('data-status'), { timeout: 120_000 })
      .toBe('succeeded');
    expect((await trail(page)).some((s) => s.endsWith(':applied'))).toBe(true);
    for (const lb of ['lb1', 'lb2'])
      await expect
        .poll(async () => (await keepalivedOf(lb))?.content, { timeout: 20_000 })
        .toContain('weight -20');
    await shot(page, 'rolled-back-en');

    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await page.getByTestId('tab-edit').click();
    await page.getByTestId('code-editor').waitFor();
    await shot(page, 'edit-zh-CN');
    await page.getByTestId('lang-switch').selectOption('en');
  });

  it('a failing step shows the operator the exact error text, and nothing bad stays live', async () => {
    const before = { lb1: await fileOf('lb1', 'nginx'), lb2: await fileOf('lb2', 'nginx') };
    const original = before.lb2?.content ?? '';
    await page.goto(`${stack.url}/#/clusters/${PREFIX}/config`);
    await page.getByTestId('code-editor').waitFor({ timeout: 20_000 });
    const replaceLb2Nginx = async (content: string): Promise<void> => {
      await page.getByTestId('tab-edit').click();
      await page.getByTestId('file-lb2-nginx').click();
      await page.locator('.cm-content').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(content);
      await expect
        .poll(() => page.getByTestId('file-lb2-nginx').getAttribute('data-dirty'))
        .toBe('true');
    };
    /** Starts a dry run or push from the review tab; resolves with the page's and the API's push. */
    const run = async (button: 'dry-run' | 'push', status: string) => {
      await page.getByTestId('tab-review').click();
      await page.getByTestId('push-message').fill(`e2e: ${button} that fails`);
      if (button === 'push')
        await expect.poll(() => page.getByTestId('push').isEnabled()).toBe(true);
      const progress = page.getByTestId('push-progress');
      // The progress of the run before this one stays shown until the page has the new push:
      // wait for the new push id (or the page's refusal), not for an attribute the old one may
      // already have.
      const before = (await progress.count()) ? await progress.getAttribute('data-push') : null;
      await page.getByTestId(button).click();
      const problem = page.getByTestId('push-problem');
      await expect
        .poll(
          async () =>
            (await problem.count())
              ? `refused: ${await problem.innerText()}`
              : (await progress.count()) && (await progress.getAttribute('data-push')) !== before
                ? 'new push'
                : 'waiting',
          { timeout: 60_000 },
        )
        .toBe('new push');
      expect(await progress.getAttribute('data-dry-run')).toBe(String(button === 'dry-run'));
      await expect
        .poll(() => progress.getAttribute('data-status'), { timeout: 120_000 })
        .toBe(status);
      const id = (await progress.getAttribute('data-push')) ?? '';
      return api<{ hosts: { host: string; status: string; error?: string }[] }>(
        'GET',
        `/pushes/${id}`,
      );
    };

    // 1. nginx -t fails on lb2: the dry run stops, the page shows the agent's text verbatim.
    await replaceLb2Nginx(`${original}\nkwcw_not_a_directive on;\n`);
    const dry = await run('dry-run', 'failed');
    const dryError = dry.hosts.find((h) => h.host === 'lb2')?.error ?? '';
    expect(dryError).toMatch(/unknown directive "kwcw_not_a_directive"/);
    expect(await page.getByTestId('push-error-lb2').innerText()).toBe(dryError);
    expect(await page.getByTestId('push').isDisabled()).toBe(true);
    await shot(page, 'dry-run-failed-en');

    // 2. Passes -t but every proxied request through lb2 is a 502: the real push is stopped
    // by lb2's gate and put back; the page shows the gate's reason as the API has it.
    const dead = original.replace(
      /(upstream\s+backends\s*\{)[^}]*\}/,
      '$1\n    server 127.0.0.1:9;\n}',
    );
    expect(dead, 'the lab nginx has an upstream block "backends"').not.toBe(original);
    await replaceLb2Nginx(dead);
    await run('dry-run', 'succeeded');
    // The page reads the live files again when a real push ends (at once and 3 s later).
    let configReads = 0;
    page.on('response', (r) => {
      if (r.request().method() === 'GET' && r.url().endsWith(`/clusters/${PREFIX}/config`))
        configReads += 1;
    });
    const pushed = await run('push', 'rolled_back');
    const lb2 = pushed.hosts.find((h) => h.host === 'lb2');
    expect(lb2?.status).toBe('rolled_back');
    expect(lb2?.error ?? '').toMatch(/not served .*HTTP 502/);
    expect(await page.getByTestId('push-error-lb2').innerText()).toBe(lb2?.error);
    expect(await page.getByTestId('push-summary').innerText()).toMatch(/put back/);
    await shot(page, 'push-rolled-back-en');
    // The operator's edit survives the failed push and both reads of the live files (to fix
    // and push again); the review shows it against the live file, the old one again.
    await expect.poll(() => configReads, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('diff-lb2-nginx').count()).toBe(1);
    await page.getByTestId('tab-edit').click();
    expect(await page.getByTestId('file-lb2-nginx').getAttribute('data-dirty')).toBe('true');

    // Both hosts run the files they ran before.
    for (const lb of ['lb1', 'lb2'] as const)
      await expect
        .poll(async () => (await fileOf(lb, 'nginx'))?.sha256, { timeout: 20_000 })
        .toBe(before[lb]?.sha256);
  });

  it('a viewer reads the configuration but has no push or roll-back button', async () => {
    viewer = await launchBrowser();
    const vp = await viewer.context.newPage();
    await login(vp, users.viewer);
    await vp.goto(`${stack.url}/#/clusters/${PREFIX}/config`);
    await vp.getByTestId('code-editor').waitFor({ timeout: 20_000 });
    await vp.getByTestId('read-only-note').waitFor();
    expect(await vp.locator('.cm-content').getAttribute('aria-readonly')).toBe('true');
    await vp.getByTestId('tab-review').click();
    await vp.getByTestId('review-diffs').waitFor();
    expect(await vp.getByTestId('push').count()).toBe(0);
    expect(await vp.getByTestId('dry-run').count()).toBe(0);
    await vp.getByTestId('tab-history').click();
    await vp.getByTestId('versions').waitFor({ timeout: 10_000 });
    expect(await vp.locator('[data-testid^="rollback-"]').count()).toBe(0);
    await shot(vp, 'viewer-en');
  });
});
