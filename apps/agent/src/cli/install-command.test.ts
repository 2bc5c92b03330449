import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecFn } from '../exec';
import { install, uninstall, unitPath } from './install-command';
import { quoteArg, renderUnit } from './systemd-unit';

const root = mkdtempSync(join(tmpdir(), 'kw-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const noExec: ExecFn = () => Promise.reject(new Error('systemctl must not run without systemd'));

describe('systemd unit', () => {
  it('is written into --root and passes systemd-analyze verify', async () => {
    const bin = join(root, 'usr', 'local', 'bin', 'keepwatch-agent');
    mkdirSync(join(root, 'usr', 'local', 'bin'), { recursive: true });
    writeFileSync(bin, '#!/bin/sh\nexit 0\n');
    chmodSync(bin, 0o755);
    const lines: string[] = [];
    await install({
      config: '/etc/keepwatch/agent.json',
      command: [bin],
      root,
      exec: noExec,
      out: (l) => lines.push(l),
    });
    const path = unitPath(root);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(`ExecStart=${bin} run --config /etc/keepwatch/agent.json`);
    expect(text).toMatch(/^Type=notify$/m);
    expect(text).toMatch(/^WatchdogSec=30$/m);
    expect(lines.join('\n')).toContain('systemd is not running');
    // verify exits non-zero on any error in the unit (bad keys, a non-executable ExecStart…).
    const out = execFileSync('systemd-analyze', ['verify', path], {
      timeout: 30_000,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).not.toMatch(/Unknown key|Failed to parse|bad-setting/i);

    await uninstall({ root, exec: noExec, out: () => undefined });
    expect(existsSync(path)).toBe(false);
  });

  it('a broken unit fails verify (the check can fail)', () => {
    const bad = join(root, 'bad.service');
    writeFileSync(bad, renderUnit({ command: [join(root, 'missing-binary')], config: '/x' }));
    expect(() =>
      execFileSync('systemd-analyze', ['verify', bad], { timeout: 30_000, stdio: 'pipe' }),
    ).toThrow();
  });

  it('quotes ExecStart words for systemd', () => {
    expect(quoteArg('/usr/bin/node')).toBe('/usr/bin/node');
    expect(quoteArg('/opt/my agent/$x%')).toBe('"/opt/my agent/$$x%%"');
  });
});
