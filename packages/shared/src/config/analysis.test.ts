import { describe, expect, it } from 'vitest';
import { analyseCluster, neighbourInstances, type HostConfigFiles } from './analysis';
import { exampleClusterModel } from './example-model';
import type { ClusterModel } from './model';
import { renderKeepalivedConf } from './render-keepalived';
import { renderNginxConf } from './render-nginx';

/* Tests named after the rule IDs of ANALYSIS.md. */

/** What `nginx -T` shows for the include of the example's http block. */
const MIME = { path: '/etc/nginx/mime.types', content: 'types {\n    text/html html;\n}\n' };

function hosts(model: ClusterModel, edit: (host: string, ka: string) => string = (_h, k) => k) {
  return model.loadBalancers.map((lb): HostConfigFiles => ({
    node: lb.name,
    address: lb.address,
    ipNonlocalBind: true,
    keepalived: {
      main: {
        path: '/etc/keepalived/keepalived.conf',
        content: edit(lb.name, renderKeepalivedConf(model, lb.name)),
      },
    },
    nginx: {
      main: { path: '/etc/nginx/nginx.conf', content: renderNginxConf(model, lb.name) },
      includes: [MIME],
    },
  }));
}

const ids = (h: HostConfigFiles[]): string[] => analyseCluster(h).map((f) => f.id);

describe('analyseCluster', () => {
  it('finds nothing wrong in the generated example cluster', () => {
    expect(analyseCluster(hosts(exampleClusterModel()))).toEqual([]);
  });

  it('CM-4 + WT-1: a deliberately broken pair is explained in both languages, with the fix', () => {
    const model = exampleClusterModel();
    model.fastPath = undefined;
    model.healthCheck.weight = -5;
    const found = analyseCluster(
      hosts(model, (h, ka) =>
        h === 'lb2'
          ? ka.replace('10.77.0.50/24 dev eth0', '10.77.0.50/24 dev eth0\n        10.77.0.60/24')
          : ka,
      ),
    );
    const cm4 = found.find((f) => f.id === 'CM-4');
    expect(cm4?.message.en).toBe(
      'VI_1: virtual_ipaddress differs: lb1 10.77.0.50, lb2 10.77.0.50 10.77.0.60',
    );
    expect(cm4?.message['zh-CN']).toContain(
      'virtual_ipaddress 不一致：lb1 为 10.77.0.50，lb2 为 10.77.0.50 10.77.0.60',
    );
    expect(cm4?.fix['zh-CN']).toContain('保持一致');
    const wt = found.find((f) => f.id === 'WT-1');
    expect(wt?.message.en).toBe(
      'VI_1: a failed chk_nginx lowers lb1 to 95 but lb2 has 90: lb2 can never take over',
    );
    expect(wt?.message['zh-CN']).toBe(
      'VI_1：chk_nginx 检查失败时 lb1 的优先级降到 95，而 lb2 为 90：lb2 永远不会接管',
    );
    expect(wt?.fix.en).toContain('weight of -11 or lower');
    expect(wt?.at).toEqual([
      { node: 'lb1', component: 'keepalived', file: '/etc/keepalived/keepalived.conf', line: 21 },
      { node: 'lb2', component: 'keepalived', file: '/etc/keepalived/keepalived.conf', line: 21 },
    ]);
  });

  it('NP-1: nopreempt with state MASTER', () => {
    const h = hosts(exampleClusterModel(), (host, ka) =>
      host === 'lb1' ? ka.replace('advert_int 0.2', 'advert_int 0.2\n    nopreempt') : ka,
    );
    expect(ids(h)).toEqual(['NP-1']);
  });

  it('UC-1: unicast peers that do not list each other', () => {
    const model = exampleClusterModel();
    const vi = model.vrrp.instances[0];
    if (vi) vi.unicast = true;
    expect(ids(hosts(model))).toEqual([]);
    const h = hosts(model, (host, ka) =>
      host === 'lb2' ? ka.replace(/\n {8}10\.77\.0\.11/, '') : ka,
    );
    const f = analyseCluster(h);
    expect(f.map((x) => x.id)).toEqual(['UC-1']);
    expect(f[0]?.message.en).toContain("lb2's unicast_peer list lacks lb1 (10.77.0.11)");
  });

  it('HC-1 and HC-2: no check tracked, or a tracked script that does not exist', () => {
    const h = hosts(exampleClusterModel(), (host, ka) =>
      host === 'lb1'
        ? ka.replace(
            / {4}track_script \{\n {8}chk_nginx\n {4}\}\n {4}track_file \{\n.*\n {4}\}\n/,
            '',
          )
        : ka.replace('        chk_nginx\n    }', '        chk_nginz\n    }'),
    );
    expect(ids(h)).toEqual(['HC-2', 'HC-1']);
  });

  it('VR-1: one VRID twice on one network, in this cluster or a neighbour', () => {
    const model = exampleClusterModel();
    const vi = model.vrrp.instances[0];
    if (!vi) throw new Error('fixture');
    model.vrrp.instances.push({
      ...vi,
      name: 'VI_2',
      vips: [{ address: '10.77.0.51', prefix: 24 }],
    });
    expect(ids(hosts(model))).toContain('VR-1');
    const neighbour = analyseCluster(hosts(exampleClusterModel()), {
      neighbours: [
        {
          cluster: 'shop',
          node: 'lb7',
          instance: 'VI_9',
          vrid: 51,
          vips: [{ address: '10.77.0.99', prefix: 24 }],
        },
      ],
    });
    expect(neighbour.map((f) => f.message.en)).toEqual([
      'VI_1 uses virtual_router_id 51, like VI_9 of cluster shop (lb7), on the same network: their adverts mix (VIPs flap, "ip address associated with VRID not present" errors)',
    ]);
    const elsewhere = analyseCluster(hosts(exampleClusterModel()), {
      neighbours: [
        {
          cluster: 'shop',
          node: 'lb7',
          instance: 'VI_9',
          vrid: 51,
          vips: [{ address: '10.80.0.50', prefix: 24 }],
        },
      ],
    });
    expect(elsewhere).toEqual([]);
  });

  it('VR-1: a neighbour cluster read from its own files (neighbourInstances), zh-CN and en', () => {
    const other = exampleClusterModel();
    const shop = other.loadBalancers.map((lb) => ({
      node: `shop-${lb.name}`,
      keepalived: {
        main: { path: 'keepalived.conf', content: renderKeepalivedConf(other, lb.name) },
      },
    }));
    const found = neighbourInstances('shop', shop);
    // One entry per instance, not one per host that defines it.
    expect(found.map((n) => `${n.cluster}/${n.instance}/${n.vrid}`)).toEqual(['shop/VI_1/51']);
    const f = analyseCluster(hosts(exampleClusterModel()), { neighbours: found });
    expect(f.map((x) => x.id)).toEqual(['VR-1']);
    expect(f[0]?.severity).toBe('critical');
    expect(f[0]?.message.en).toMatch(/like VI_1 of cluster shop \(shop-lb1\), on the same network/);
    expect(f[0]?.message['zh-CN']).toMatch(/与同一网段上的集群 shop 的 VI_1（shop-lb1）相同/);
    expect(f[0]?.fix['zh-CN']).toMatch(/virtual_router_id/);
    // Another VRID on that network: nothing to say.
    const vi = other.vrrp.instances[0];
    if (!vi) throw new Error('fixture');
    vi.vrid = 52;
    const apart = neighbourInstances('shop', [
      {
        node: 'shop-lb1',
        keepalived: {
          main: {
            path: 'k.conf',
            content: renderKeepalivedConf(other, other.loadBalancers[0]?.name ?? ''),
          },
        },
      },
    ]);
    expect(analyseCluster(hosts(exampleClusterModel()), { neighbours: apart })).toEqual([]);
  });

  it('PR-1: equal priorities', () => {
    const model = exampleClusterModel();
    const vi = model.vrrp.instances[0];
    if (vi) vi.priorities = vi.priorities.map((p) => ({ ...p, priority: 100 }));
    expect(ids(hosts(model))).toContain('PR-1');
  });

  it('HP-1, SU-1, SS-1: the measured keepalived traps', () => {
    const h = hosts(exampleClusterModel(), (host, ka) => {
      if (host === 'lb1') return ka.replace('    vrrp_higher_prio_send_advert\n', '');
      return ka
        .replace('    enable_script_security\n    script_user root\n', '')
        .replace('    vrrp_version 3\n', '    vrrp_version 3\n    script_user root\n');
    });
    const f = analyseCluster(h);
    expect(f.map((x) => `${x.id} ${x.nodes.join()}`)).toEqual(['SS-1 lb2', 'SU-1 lb2', 'HP-1 lb1']);
    expect(f.find((x) => x.id === 'HP-1')?.message.en).toContain('~38 s');
  });

  it('V2-1 and V3-1: advert_int and authentication against the VRRP version', () => {
    const v2 = exampleClusterModel();
    v2.vrrp.version = 2;
    expect(ids(hosts(v2))).toEqual(['V2-1', 'V2-1']);
    const v3 = exampleClusterModel();
    const vi = v3.vrrp.instances[0];
    if (vi) vi.auth = { type: 'PASS', pass: 'secret' };
    expect(ids(hosts(v3))).toEqual(['V3-1', 'V3-1']);
  });

  it('WT-2 and FP-1: the fast path must be able to move the VIP, and its absence is noted', () => {
    const weak = exampleClusterModel();
    if (weak.fastPath) weak.fastPath.weight = -5;
    expect(ids(hosts(weak))).toEqual(['WT-2']);
    const none = exampleClusterModel();
    none.fastPath = undefined;
    const f = analyseCluster(hosts(none));
    expect(f.map((x) => [x.id, x.severity])).toEqual([
      ['FP-1', 'info'],
      ['FP-1', 'info'],
    ]);
  });

  it('PT-1: proxying with the 60 s default proxy_connect_timeout', () => {
    const model = exampleClusterModel();
    delete model.nginx.proxy.connectTimeout;
    const f = analyseCluster(hosts(model));
    expect(f.map((x) => x.id)).toEqual(['PT-1', 'PT-1']);
    expect(f[0]?.at[0]).toMatchObject({ component: 'nginx', line: 37 });
  });

  it('NB-1: listen on the VIP without ip_nonlocal_bind', () => {
    const model = exampleClusterModel();
    const server = model.nginx.servers[0];
    if (server) server.listen = [{ address: '10.77.0.50', port: 80 }];
    expect(ids(hosts(model))).toEqual([]);
    const h = hosts(model).map((x, i) => ({ ...x, ipNonlocalBind: i === 0 ? false : undefined }));
    const f = analyseCluster(h);
    expect(f.map((x) => [x.id, x.severity, x.nodes.join()])).toEqual([
      ['NB-1', 'critical', 'lb1'],
      ['NB-1', 'warning', 'lb2'],
    ]);
  });

  it('IN-1 and rules that follow includes: findings point at the included file', () => {
    const model = exampleClusterModel();
    const [h1, h2] = hosts(model);
    if (!h1?.keepalived || !h2) throw new Error('fixture');
    const main = h1.keepalived.main.content;
    const start = main.indexOf('vrrp_instance VI_1');
    const included = main.slice(start).replace('advert_int 0.2', 'advert_int 1');
    h1.keepalived = {
      main: {
        path: '/etc/keepalived/keepalived.conf',
        content: `${main.slice(0, start)}include conf.d/*.conf\ninclude /etc/keepalived/absent.conf\n`,
      },
      includes: [{ path: '/etc/keepalived/conf.d/vi1.conf', content: included }],
    };
    const f = analyseCluster([h1, h2]);
    expect(f.map((x) => x.id)).toEqual(['CM-3', 'IN-1']);
    expect(f[0]?.at[0]).toEqual({
      node: 'lb1',
      component: 'keepalived',
      file: '/etc/keepalived/conf.d/vi1.conf',
      line: 1,
    });
    expect(f[1]?.message.en).toContain('include /etc/keepalived/absent.conf');
  });
});
