import type { ClusterModel, ServerModel } from '@keepwatch/shared';
import type { HostPaths } from './paths';
import type { LbHostName, Topology } from './topology';

/*
 * The lab's topology as a Keepwatch cluster model; the files themselves come from the
 * shared renderers (packages/shared/src/config). Two flavours:
 * - `default`: the classic tutorial setup (VRRPv2, 1 s adverts, a curl check every second,
 *   fall 2, weight -20): an nginx outage on the MASTER costs ~4.7 s (reference lab).
 * - `keepwatch`: what Keepwatch generates: the agent's fast path (a track_file it writes
 *   within 100 ms of nginx failing; weight 0 = FAULT, which sends priority 0 so the BACKUP
 *   takes over after its skew time instead of the master-down timer), VRRPv3 with
 *   sub-second adverts, and the classic check script kept as the fallback.
 */

export type LabConfigFlavour = 'default' | 'keepwatch';

export const LAB_CONFIG_FLAVOURS: readonly LabConfigFlavour[] = ['default', 'keepwatch'];

export interface LabModelOptions {
  flavour?: LabConfigFlavour;
  curl: string;
  paths: (host: LbHostName) => HostPaths;
}

/** VRRPv3 advert interval of the generated config: skew (256-p)/256 × this ≈ 130 ms. */
export const FAST_ADVERT_INT = 0.2;

function server(topo: Topology): ServerModel {
  return {
    listen: [{ port: 80 }],
    serverNames: ['_'],
    lbHeader: true,
    healthPath: '/healthz',
    status: { path: '/nginx_status', allow: ['127.0.0.1', `${topo.subnet}.0/${topo.prefixLen}`] },
    locations: [
      {
        path: '/',
        upstream: 'backends',
        proxy: {
          connectTimeout: '200ms',
          nextUpstream: ['error', 'timeout'],
          setHeaders: [
            { name: 'Host', value: '$host' },
            { name: 'X-Forwarded-For', value: '$proxy_add_x_forwarded_for' },
          ],
        },
      },
    ],
  };
}

export function labClusterModel(topo: Topology, opts: LabModelOptions): ClusterModel {
  const fast = opts.flavour === 'keepwatch';
  const lbs = topo.hosts.filter((h) => h.role === 'lb');
  return {
    loadBalancers: lbs.map((h) => {
      const p = opts.paths(h.name as LbHostName);
      return {
        name: h.name,
        address: h.ip,
        interface: 'eth0',
        routerId: `${topo.prefix}-${h.name}`,
        keepalived: {
          instance: h.name,
          notifyFifo: p.fifo,
          ...(fast && { fastPathFile: p.fastPathFile }),
        },
        nginx: {
          pidFile: p.nginxPid,
          errorLog: p.nginxErrorLog,
          accessLog: p.nginxAccessLog,
          tempDir: p.nginxTemp,
        },
      };
    }),
    vrrp: {
      version: fast ? 3 : 2,
      higherPrioSendAdvert: true,
      instances: topo.vrrp.map((vi) => ({
        name: vi.name,
        vrid: vi.vrid,
        advertInt: fast ? FAST_ADVERT_INT : 1,
        vips: [{ address: vi.vip, prefix: topo.prefixLen }],
        priorities: lbs.map((h) => ({
          host: h.name,
          priority: vi.priorities[h.name as LbHostName],
        })),
        preempt: true,
        unicast: false,
      })),
    },
    // The check runs curl directly from /usr/bin, a root-owned directory, so
    // enable_script_security accepts it whatever the lab base dir is.
    healthCheck: {
      name: 'chk_nginx',
      url: 'http://127.0.0.1/healthz',
      interval: 1,
      timeout: 1,
      fall: 2,
      rise: 2,
      weight: -20,
      script: { kind: 'curl', curl: opts.curl },
    },
    ...(fast && {
      fastPath: {
        name: 'kw_nginx',
        file: '/run/keepwatch/nginx-down',
        weight: 0,
      },
    }),
    nginx: {
      workerProcesses: 1,
      workerConnections: 512,
      httpExtra: ['default_type text/plain;'],
      keepaliveTimeout: '5s',
      proxy: {},
      upstreams: [
        {
          name: 'backends',
          servers: topo.hosts
            .filter((h) => h.role === 'backend')
            .map((b) => ({ host: b.ip, port: 8080 })),
        },
      ],
      servers: [server(topo)],
    },
  };
}
