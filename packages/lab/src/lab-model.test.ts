import { describe, expect, it } from 'vitest';
import { importCluster, renderKeepalivedConf, renderNginxConf } from '@keepwatch/shared';
import { labClusterModel, type LabConfigFlavour } from './lab-model';
import { hostPaths } from './paths';
import { buildTopology, type Topology } from './topology';

/*
 * The lab's topology -> model mapping, checked through the shared renderers: the files the
 * lab runs keep the properties its tests and the reference measurements depend on.
 */

const model = (topo: Topology, flavour: LabConfigFlavour = 'default') =>
  labClusterModel(topo, { flavour, curl: '/usr/bin/curl', paths: (h) => hostPaths('/lab', h) });

const mb = buildTopology({ prefix: 'kw', subnet: '10.77.0', scheme: 'master-backup' });
const dm = buildTopology({ prefix: 'kwt', subnet: '10.79.0', scheme: 'dual-master' });
const render = (topo = mb, host: 'lb1' | 'lb2' = 'lb1'): string =>
  renderKeepalivedConf(model(topo), host);

describe('lab keepalived.conf', () => {
  it('puts instance at top level, outside global_defs', () => {
    const conf = render();
    expect(conf).toMatch(/^instance lb1$/m);
    const globals = conf.slice(conf.indexOf('global_defs {'), conf.indexOf('}'));
    expect(globals).not.toMatch(/\binstance\b/);
    for (const kw of [
      'data_use_instance',
      'vrrp_notify_fifo /lab/lb1/vrrp_notify.fifo',
      'vrrp_notify_priority_changes',
      'vrrp_higher_prio_send_advert',
      'enable_script_security',
      'script_user root',
      'vrrp_version 2',
    ]) {
      expect(globals).toContain(kw);
    }
  });

  it('sets script_user before vrrp_notify_fifo (otherwise a reload drops chk_nginx)', () => {
    const conf = render();
    expect(conf.indexOf('script_user root')).toBeGreaterThan(0);
    expect(conf.indexOf('script_user root')).toBeLessThan(conf.indexOf('vrrp_notify_fifo'));
  });

  it('checks nginx with curl every second, fall 2 rise 2 weight -20', () => {
    const conf = render();
    expect(conf).toContain(
      'script "/usr/bin/curl -sf -o /dev/null --max-time 0.8 http://127.0.0.1/healthz"',
    );
    expect(conf).toMatch(/interval 1\n[\s\S]*fall 2\n\s+rise 2\n\s+weight -20/);
  });

  it('master-backup: lb1 MASTER 100, lb2 BACKUP 90, one VIP', () => {
    const lb1 = render(mb, 'lb1');
    const lb2 = render(mb, 'lb2');
    expect(lb1).toMatch(/state MASTER[\s\S]*virtual_router_id 51\n\s+priority 100/);
    expect(lb2).toMatch(/state BACKUP[\s\S]*virtual_router_id 51\n\s+priority 90/);
    expect(lb1).toContain('10.77.0.50/24 dev eth0');
    expect(lb1).toContain('advert_int 1');
    expect(lb1.match(/vrrp_instance/g)).toHaveLength(1);
  });

  it('dual-master: each load balancer is MASTER of one instance', () => {
    const lb1 = render(dm, 'lb1');
    const lb2 = render(dm, 'lb2');
    expect(lb1).toMatch(/vrrp_instance VI_1 \{\n\s+state MASTER[\s\S]*priority 100/);
    expect(lb1).toMatch(
      /vrrp_instance VI_2 \{\n\s+state BACKUP[\s\S]*virtual_router_id 52\n\s+priority 90/,
    );
    expect(lb2).toMatch(
      /vrrp_instance VI_2 \{\n\s+state MASTER[\s\S]*virtual_router_id 52\n\s+priority 100/,
    );
    expect(lb2).toContain('10.79.0.51/24 dev eth0');
  });

  it('balances its braces', () => {
    const conf = render(dm, 'lb2');
    expect(conf.split('{').length).toBe(conf.split('}').length);
  });
});

const topo = buildTopology({ prefix: 'kwt', subnet: '10.79.0', scheme: 'master-backup' });
const conf = renderNginxConf(model(topo), 'lb2');

describe('lab nginx.conf', () => {
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

describe('import of the lab configs', () => {
  const files = (m: ReturnType<typeof model>) =>
    m.loadBalancers.map((lb) => ({
      node: lb.name,
      address: lb.address,
      keepalived: {
        main: {
          path: `/lab/${lb.name}/keepalived.conf`,
          content: renderKeepalivedConf(m, lb.name),
        },
      },
      nginx: { main: { path: `/lab/${lb.name}/nginx.conf`, content: renderNginxConf(m, lb.name) } },
    }));

  it.each([
    ['master-backup', 'default'],
    ['dual-master', 'default'],
    ['master-backup', 'keepwatch'],
    ['dual-master', 'keepwatch'],
  ] as const)(
    '%s / %s round-trips: the imported model renders the same files',
    (scheme, flavour) => {
      const m = model(buildTopology({ prefix: 'kwt', subnet: '10.79.0', scheme }), flavour);
      const r = importCluster(files(m));
      expect(r.notes.filter((n) => !n.kept)).toEqual([]);
      if (!r.model) throw new Error('no model');
      for (const lb of m.loadBalancers) {
        expect(renderKeepalivedConf(r.model, lb.name)).toBe(renderKeepalivedConf(m, lb.name));
        expect(renderNginxConf(r.model, lb.name)).toBe(renderNginxConf(m, lb.name));
      }
      if (flavour === 'default') expect(r.model).toEqual(m);
    },
  );
});
