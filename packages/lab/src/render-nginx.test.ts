import { describe, expect, it } from 'vitest';
import { renderNginxConf } from './render-nginx';
import { buildTopology } from './topology';

const topo = buildTopology({ prefix: 'kwt', subnet: '10.79.0', scheme: 'master-backup' });
const conf = renderNginxConf({
  topo,
  host: 'lb2',
  paths: {
    nginxPid: '/lab/lb2/nginx.pid',
    nginxErrorLog: '/lab/lb2/nginx_error.log',
    nginxAccessLog: '/lab/lb2/nginx_access.log',
    nginxTemp: '/lab/lb2/nginx-temp',
  },
});

describe('renderNginxConf', () => {
  it('keeps every path per instance', () => {
    expect(conf).toContain('pid /lab/lb2/nginx.pid;');
    expect(conf).toContain('error_log /lab/lb2/nginx_error.log');
    expect(conf).toContain('access_log /lab/lb2/nginx_access.log;');
    for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      expect(conf).toContain(`${t}_temp_path /lab/lb2/nginx-temp/${t};`);
    }
  });

  it('answers /healthz locally and exposes stub_status to loopback and the subnet only', () => {
    expect(conf).toMatch(/location = \/healthz \{\s+return 200 "ok lb2\\n";/);
    expect(conf).toMatch(
      /location = \/nginx_status \{\s+stub_status;\s+allow 127\.0\.0\.1;\s+allow 10\.79\.0\.0\/24;\s+deny all;/,
    );
  });

  it('proxies / to both Tomcats with a short connect timeout and marks its responses', () => {
    expect(conf).toContain('server 10.79.0.21:8080;');
    expect(conf).toContain('server 10.79.0.22:8080;');
    expect(conf).toContain('proxy_connect_timeout 200ms;');
    expect(conf).toContain('proxy_next_upstream error timeout;');
    expect(conf).toContain('add_header X-Keepwatch-LB lb2 always;');
    expect(conf).toMatch(/listen 80;/);
  });

  it('balances its braces', () => {
    expect(conf.split('{').length).toBe(conf.split('}').length);
  });
});
