import { describe, expect, it } from 'vitest';
import { exampleClusterModel, renderNginxConf, type ClusterModel } from '@keepwatch/shared';
import { compareNginx } from './nginx-compare';

/*
 * Rules NC-1..NC-4 of nginx-compare.ts: the structure that decides what a load balancer
 * serves is compared; what each host legitimately has of its own is not.
 */

/** The example cluster as the lab runs it: per-host pid, logs and temp paths, the LB header. */
function labLike(): ClusterModel {
  const m = exampleClusterModel();
  m.loadBalancers = m.loadBalancers.map((lb) => ({
    ...lb,
    nginx: {
      pidFile: `/lab/${lb.name}/nginx.pid`,
      errorLog: `/lab/${lb.name}/error.log`,
      accessLog: `/lab/${lb.name}/access.log`,
      tempDir: `/lab/${lb.name}/tmp`,
    },
  }));
  return m;
}

const file = (content: string) => ({
  main: { path: '/etc/nginx/nginx.conf', content },
  includes: [],
});
const conf = (m: ClusterModel, host: string): string => renderNginxConf(m, host);
const diff = (a: string, b: string) => compareNginx(file(a), file(b));

describe('nginx structure comparison (readiness config-same)', () => {
  const m = labLike();
  const lb1 = conf(m, 'lb1');
  const lb2 = conf(m, 'lb2');

  it('host-own lines do not count: the lab pair differs in bytes (LB header, health answer, paths) yet serves alike', () => {
    expect(lb1).not.toBe(lb2);
    expect(lb1).toContain('X-Keepwatch-LB lb1');
    expect(diff(lb1, lb2)).toEqual([]);
  });

  it('comments, whitespace and directive order do not count', () => {
    const shuffled = lb2
      .replace('proxy_connect_timeout 200ms;', 'proxy_read_timeout 60s;#x')
      .replace('proxy_read_timeout 60s;\n', '# tuned\n      proxy_connect_timeout    200ms ;\n')
      .replace('#x', '')
      .replace(/\n {4}/g, '\n\t');
    expect(shuffled.indexOf('proxy_read_timeout')).toBeLessThan(
      shuffled.indexOf('proxy_connect_timeout'),
    );
    expect(diff(lb1, `# lb2, edited by hand\n${shuffled}`)).toEqual([]);
  });

  it('NC-1: an upstream server missing or with another weight is named with both sides', () => {
    const other = labLike();
    const up = other.nginx?.upstreams[0];
    up!.servers = [{ ...up!.servers[0]!, weight: 3 }];
    const d = diff(lb1, conf(other, 'lb2'));
    expect(d).toEqual([
      {
        where: 'upstream backends / server 10.77.0.21:8080',
        master: 'max_fails=1 fail_timeout=10s',
        backup: 'weight=3 max_fails=1 fail_timeout=10s',
      },
      {
        where: 'upstream backends / server 10.77.0.22:8080',
        master: 'max_fails=1 fail_timeout=10s',
        backup: '',
      },
    ]);
  });

  it('NC-2: an http-level proxy setting that differs is named', () => {
    const d = diff(lb1, lb2.replace('proxy_connect_timeout 200ms;', 'proxy_connect_timeout 5s;'));
    expect(d).toHaveLength(1);
    expect(d[0]?.where).toBe('http');
    expect(d[0]?.master).toContain('proxy_connect_timeout 200ms');
    expect(d[0]?.backup).toContain('proxy_connect_timeout 5s');
  });

  it('NC-2: temp paths are host-local files and do not count', () => {
    expect(diff(lb1, lb2.replace(/proxy_temp_path \S+;/, 'proxy_temp_path /elsewhere;'))).toEqual(
      [],
    );
  });

  it('NC-3: a server block listening elsewhere is missing on one side, present on the other', () => {
    const d = diff(lb1, lb2.replace('listen 80 default_server;', 'listen 8080 default_server;'));
    expect(d.map((x) => [x.master === '', x.backup === ''])).toEqual(
      expect.arrayContaining([
        [false, true],
        [true, false],
      ]),
    );
    expect(d.some((x) => x.where.startsWith('server *:8080'))).toBe(true);
  });

  it('NC-4: a location with another proxy_pass, or answering another status, is named', () => {
    const d = diff(lb1, lb2.replace('proxy_pass http://backends;', 'proxy_pass http://other;'));
    expect(d).toHaveLength(1);
    expect(d[0]?.where).toMatch(/location \/$/);
    expect(d[0]?.backup).toContain('proxy_pass http://other');
    const ret = diff(lb1, lb2.replace(/return 200 "ok lb2\\n";/, 'return 503;'));
    expect(ret.map((x) => [x.master, x.backup])).toEqual([['return 200', 'return 503']]);
  });

  it('includes are expanded before comparing: the same upstream in an included file is the same', () => {
    const up = /upstream backends \{[^}]*\}/.exec(lb2)?.[0] ?? '';
    expect(up).not.toBe('');
    const main = lb2.replace(up, 'include conf.d/*.conf;');
    const split = {
      main: { path: '/etc/nginx/nginx.conf', content: main },
      includes: [{ path: '/etc/nginx/conf.d/up.conf', content: up }],
    };
    expect(compareNginx(file(lb1), split)).toEqual([]);
  });
});
