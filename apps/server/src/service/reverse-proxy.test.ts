import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const conf = readFileSync(join(here, '..', '..', 'deploy', 'nginx-keepwatch.conf'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'kw-proxy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `nginx -t` on the documented reverse-proxy file with a throwaway certificate. */
function nginxTest(text: string): { ok: boolean; out: string } {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=keepwatch',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore', timeout: 30_000 },
  );
  const site = text
    .replace('/etc/ssl/keepwatch/fullchain.pem', join(dir, 'cert.pem'))
    .replace('/etc/ssl/keepwatch/privkey.pem', join(dir, 'key.pem'));
  writeFileSync(join(dir, 'site.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `events {}\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nhttp { include ${dir}/site.conf; }\n`,
  );
  const r = spawnSync('nginx', ['-t', '-c', join(dir, 'nginx.conf')], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { ok: r.status === 0, out: r.stderr };
}

describe('deploy/nginx-keepwatch.conf (TLS reverse proxy)', () => {
  it('passes nginx -t and upgrades WebSockets', () => {
    const r = nginxTest(conf);
    expect(r.ok, r.out).toBe(true);
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-Proto \$scheme;/);
  });

  it('a broken file fails nginx -t (the check can fail)', () => {
    expect(nginxTest(conf.replace('proxy_pass http://keepwatch;', 'proxy_pass;')).ok).toBe(false);
  });
});
