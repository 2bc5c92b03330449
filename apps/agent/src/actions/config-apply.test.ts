import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configInstances, configTrackedScripts, dumpScripts } from './config-apply';

const dump = (version: string): string =>
  readFileSync(
    fileURLToPath(
      new URL(`../testdata/keepalived-dumps/${version}/keepalived.data`, import.meta.url),
    ),
    'utf8',
  );

const CONF = `
vrrp_script chk_nginx {
    script "/usr/bin/curl -sf http://127.0.0.1/"
    weight -20
}
vrrp_instance VI_1 {
    track_script {
        chk_nginx
        chk_disk weight -5   # a comment { }
    }
}
vrrp_instance VI_2 {
    # track_script { chk_commented }
    track_script { chk_nginx }
}
`;

describe('config-apply parsers', () => {
  it('lists the instances and every tracked script once, ignoring comments', () => {
    expect(configInstances(CONF)).toEqual(['VI_1', 'VI_2']);
    expect(configTrackedScripts(CONF)).toEqual(['chk_disk', 'chk_nginx']);
    expect(configTrackedScripts('vrrp_instance VI_1 { priority 100 }')).toEqual([]);
  });

  it.each([
    ['v1.3.5', ['check_haproxy']],
    ['v2.0.10', ['chk_service']],
    ['v2.1.5', ['check_script']],
    ['v2.2.7', ['check_script']],
  ])('reads the loaded vrrp_scripts from a %s text dump', (version, scripts) => {
    expect(dumpScripts(dump(version))).toEqual(scripts);
  });
});
