import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostEnv, leastRightsPrefix, NGINX_TEST_CAPS, SETPRIV } from './least-rights';

const root = hostEnv();
const canDrop = root.uid === 0 && root.hasSetpriv;

describe('nginx -t with the least rights it needs', () => {
  it('adds the setpriv prefix only for a root agent with setpriv, and never in agent mode', () => {
    expect(leastRightsPrefix('least', { uid: 0, hasSetpriv: true })).toEqual([
      SETPRIV,
      '--no-new-privs',
      '--inh-caps=-all',
      '--bounding-set=-all,+chown,+dac_override,+net_bind_service',
      '--',
    ]);
    expect(leastRightsPrefix('least', { uid: 1000, hasSetpriv: true })).toEqual([]);
    expect(leastRightsPrefix('least', { uid: 0, hasSetpriv: false })).toEqual([]);
    expect(leastRightsPrefix('agent', { uid: 0, hasSetpriv: true })).toEqual([]);
  });

  it.runIf(canDrop)(
    'a command run under the prefix holds only chown, dac_override and net_bind_service',
    () => {
      const status = execFileSync(
        leastRightsPrefix('least', root)[0] ?? SETPRIV,
        [...leastRightsPrefix('least', root).slice(1), 'cat', '/proc/self/status'],
        { encoding: 'utf8' },
      );
      const eff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? 'ff'}`);
      const bnd = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? 'ff'}`);
      // chown = bit 0, dac_override = bit 1, net_bind_service = bit 10 (linux/capability.h)
      const want = (1n << 0n) | (1n << 1n) | (1n << 10n);
      expect(NGINX_TEST_CAPS).toHaveLength(3);
      expect(eff).toBe(want);
      expect(bnd).toBe(want);
      expect(/^NoNewPrivs:\s*1$/m.test(status)).toBe(true);
    },
  );

  it.runIf(canDrop && existsNginx())(
    'the real nginx -t passes under it on a config with root-owned logs',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'kw-least-'));
      try {
        const conf = join(dir, 'nginx.conf');
        writeFileSync(
          conf,
          [
            `pid ${dir}/nginx.pid;`,
            `error_log ${dir}/error.log;`,
            'events {}',
            'http {',
            `  access_log ${dir}/access.log;`,
            `  client_body_temp_path ${dir}/body;`,
            `  proxy_temp_path ${dir}/proxy;`,
            '  server { listen 127.0.0.1:81; location / { return 200 ok; } }',
            '}',
            '',
          ].join('\n'),
        );
        const prefix = leastRightsPrefix('least', root);
        const out = execFileSync(
          prefix[0] ?? SETPRIV,
          [...prefix.slice(1), 'nginx', '-t', '-c', conf],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        expect(out).toBe('');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

function existsNginx(): boolean {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
