import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dumpScripts } from './config-apply';

const dump = (version: string): string =>
  readFileSync(
    fileURLToPath(
      new URL(`../testdata/keepalived-dumps/${version}/keepalived.data`, import.meta.url),
    ),
    'utf8',
  );

describe('config-apply parsers', () => {
  it.each([
    ['v1.3.5', ['check_haproxy']],
    ['v2.0.10', ['chk_service']],
    ['v2.1.5', ['check_script']],
    ['v2.2.7', ['check_script']],
  ])('reads the loaded vrrp_scripts from a %s text dump', (version, scripts) => {
    expect(dumpScripts(dump(version))).toEqual(scripts);
  });
});
