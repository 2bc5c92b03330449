import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostConfigFiles } from './analysis';
import { exampleClusterModel } from './example-model';
import { importCluster } from './import';
import type { ClusterModel } from './model';
import { renderKeepalivedConf } from './render-keepalived';
import { renderNginxConf } from './render-nginx';

const MIME = { path: '/etc/nginx/mime.types', content: 'types {\n    text/html html;\n}\n' };

function observed(model: ClusterModel): HostConfigFiles[] {
  return model.loadBalancers.map((lb) => ({
    node: lb.name,
    address: lb.address,
    keepalived: {
      main: {
        path: '/etc/keepalived/keepalived.conf',
        content: renderKeepalivedConf(model, lb.name),
      },
    },
    nginx: {
      main: { path: '/etc/nginx/nginx.conf', content: renderNginxConf(model, lb.name) },
      includes: [MIME],
    },
  }));
}

describe('importCluster', () => {
  it('round-trips the generated example: the imported model renders the same files', () => {
    const model = exampleClusterModel();
    const r = importCluster(observed(model));
    expect(r.model).toBeDefined();
    if (!r.model) return;
    for (const lb of model.loadBalancers) {
      expect(renderKeepalivedConf(r.model, lb.name)).toBe(renderKeepalivedConf(model, lb.name));
      expect(renderNginxConf(r.model, lb.name)).toBe(renderNginxConf(model, lb.name));
    }
    // The only statements the model holds as written are the example's two http extras.
    expect(r.notes.map((n) => [n.node, n.kept, n.message.en])).toEqual(
      ['lb1', 'lb2'].flatMap((h) => [
        [h, true, 'http: include /etc/nginx/mime.types kept as written'],
        [h, true, 'http: default_type application/octet-stream kept as written'],
      ]),
    );
    // The check script's restart command lives in the script file, not in keepalived.conf.
    expect(r.model.healthCheck?.script).toEqual({
      kind: 'command',
      command: '/etc/keepalived/keepwatch-check-nginx.sh',
    });
  });

  it('a tutorial-style pair: keeps what it cannot model as written and says so in both languages', () => {
    const ka = (state: string, prio: number): string => `! Configuration File for keepalived
global_defs {
   notification_email { admin@example.com }
   router_id LVS_DEVEL
}
vrrp_script chk_nginx {
    script "/usr/bin/killall -0 nginx"
    interval 2
    weight -20
}
vrrp_instance VI_1 {
    state ${state}
    interface eth0
    virtual_router_id 51
    priority ${prio}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        192.168.1.100
    }
    track_script {
        chk_nginx
    }
    notify_master "/etc/keepalived/master.sh"
}
`;
    const nginx = `user www-data;
worker_processes auto;
include /etc/nginx/modules-enabled/*.conf;
events { worker_connections 768; multi_accept on; }
http {
    sendfile on;
    include /etc/nginx/mime.types;
    include /etc/nginx/sites-enabled/*;
}
`;
    const site = `upstream app { server 192.168.1.21:8080 weight=2 max_fails=3 fail_timeout=30s slow_start=10s; server 192.168.1.22:8080; }
server {
    listen 80 default_server;
    listen [::]:80 default_server;
    server_name _;
    location / { proxy_pass http://app; proxy_set_header Host $host; }
    location ~ \\.php$ { return 403; }
}
`;
    const host = (node: string, state: string, prio: number): HostConfigFiles => ({
      node,
      address: node === 'lb1' ? '192.168.1.11' : '192.168.1.12',
      keepalived: { main: { path: '/etc/keepalived/keepalived.conf', content: ka(state, prio) } },
      nginx: {
        main: { path: '/etc/nginx/nginx.conf', content: nginx },
        includes: [MIME, { path: '/etc/nginx/sites-enabled/default', content: site }],
      },
    });
    const r = importCluster([host('lb1', 'MASTER', 100), host('lb2', 'BACKUP', 90)]);
    const m = r.model;
    expect(m?.vrrp.instances[0]).toMatchObject({
      vrid: 51,
      vips: [{ address: '192.168.1.100', prefix: 32 }],
      auth: { type: 'PASS', pass: '1111' },
      priorities: [
        { host: 'lb1', priority: 100 },
        { host: 'lb2', priority: 90 },
      ],
      extra: ['notify_master /etc/keepalived/master.sh'],
    });
    expect(m?.healthCheck).toMatchObject({
      interval: 2,
      timeout: 2,
      weight: -20,
      script: { kind: 'command', command: '/usr/bin/killall -0 nginx' },
    });
    expect(m?.loadBalancers[0]?.routerId).toBe('LVS_DEVEL');
    expect(m?.nginx?.upstreams[0]?.servers[0]).toEqual({
      host: '192.168.1.21',
      port: 8080,
      weight: 2,
      maxFails: 3,
      failTimeout: '30s',
    });
    expect(m?.nginx?.servers[0]?.extra).toEqual([
      'listen [::]:80 default_server;',
      'location ~ \\.php$ {\n    return 403;\n}',
    ]);
    const en = r.notes.filter((n) => n.node === 'lb1').map((n) => n.message.en);
    expect(en).toEqual(
      expect.arrayContaining([
        'global_defs notification_email kept as written',
        'VI_1: notify_master kept as written',
        'events: multi_accept is not in the model',
        'upstream server 192.168.1.21:8080: parameter slow_start=10s is not in the model',
        'include /etc/nginx/modules-enabled/*.conf kept as written',
        'http: sendfile on kept as written',
        'server: location ~ \\.php$ kept as written',
      ]),
    );
    const lost = r.notes.find((n) => n.message.en.startsWith('events: multi_accept'));
    expect(lost).toMatchObject({ kept: false, component: 'nginx', line: 4 });
    expect(lost?.message['zh-CN']).toBe('events：multi_accept 未纳入模型');
  });
});

/* Debian's keepalived package ships keepalived's own sample configs (scripts/install-deps.sh installs it). */
const SAMPLES = '/usr/share/doc/keepalived/samples';

describe.runIf(existsSync(SAMPLES) || process.env['CI'])("Debian's keepalived samples", () => {
  const files = readdirSync(SAMPLES).filter((f) => f.startsWith('keepalived.conf.'));

  it('are all there', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s imports or reports what it could not represent, without an exception', (f) => {
    const content = readFileSync(join(SAMPLES, f), 'utf8');
    const r = importCluster([
      {
        node: 'lb1',
        address: '192.168.200.1',
        keepalived: { main: { path: `/etc/keepalived/${f}`, content } },
      },
    ]);
    if (!r.model) expect(r.notes.length).toBeGreaterThan(0);
    // Every top-level block the model does not describe is reported, not dropped silently.
    for (const kw of ['virtual_server', 'vrrp_sync_group', 'static_ipaddress', 'static_routes'])
      if (new RegExp(`^${kw}\\b`, 'm').test(content))
        expect(
          r.notes.some((n) => n.message.en.startsWith(kw)),
          `${f}: ${kw}`,
        ).toBe(true);
    if (/^@/m.test(content))
      expect(r.notes.some((n) => n.message.en.includes('conditional lines'))).toBe(true);
  });
});
