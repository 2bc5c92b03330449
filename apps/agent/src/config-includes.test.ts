import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globOnDisk, keepalivedIncludes, nginxIncludes } from './config-includes';

const dir = mkdtempSync(join(tmpdir(), 'kwcf-inc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('config includes', () => {
  it('follows keepalived include globs relative to the including file, nested, in glob order', async () => {
    mkdirSync(join(dir, 'conf.d'));
    mkdirSync(join(dir, 'more'));
    writeFileSync(join(dir, 'conf.d', 'b.conf'), 'vrrp_instance VI_2 {}\n');
    writeFileSync(join(dir, 'conf.d', 'a.conf'), 'include ../more/*.inc\n');
    writeFileSync(join(dir, 'conf.d', '.hidden.conf'), 'x\n');
    writeFileSync(join(dir, 'more', 'x.inc'), 'vrrp_script s {}\n');
    const main = join(dir, 'keepalived.conf');
    const files = await keepalivedIncludes(
      main,
      '# c\ninclude conf.d/*.conf\n@x include /etc/none\n',
    );
    expect(files.map((f) => f.path)).toEqual([
      join(dir, 'conf.d', 'a.conf'),
      join(dir, 'more', 'x.inc'),
      join(dir, 'conf.d', 'b.conf'),
    ]);
    expect(await globOnDisk('/nonexistent/*.conf', '/')).toEqual([]);
  });

  it('takes the included parts of nginx -T', () => {
    const dump = [
      '# configuration file /etc/nginx/nginx.conf:',
      'http { include mime.types; }',
      '',
      '# configuration file /etc/nginx/mime.types:',
      'types { text/html html; }',
      '',
    ].join('\n');
    expect(nginxIncludes(dump, '/etc/nginx/nginx.conf')).toEqual([
      { path: '/etc/nginx/mime.types', content: 'types { text/html html; }\n' },
    ]);
  });
});
