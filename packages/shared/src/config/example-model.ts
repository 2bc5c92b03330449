import type { ClusterModel } from './model';

/*
 * The reference topology (ARCHITECTURE.md: VIP 10.77.0.50, lb1 .11 MASTER 100, lb2 .12
 * BACKUP 90, web1/web2 .21/.22) with what Keepwatch recommends: the agent's fast path
 * (track_file, weight 0), VRRPv3 with 0.2 s adverts, vrrp_higher_prio_send_advert, the
 * classic check script that first tries to start nginx again, a 200 ms
 * proxy_connect_timeout. The starting point of a new cluster, and the tests' fixture.
 */

export const KEEPWATCH_FAST_PATH_FILE = '/run/keepwatch/nginx-down';
export const KEEPWATCH_CHECK_SCRIPT = '/etc/keepalived/keepwatch-check-nginx.sh';

/** A model with every optional section present (what the renderers' tests want). */
export type FullClusterModel = ClusterModel & Required<Pick<ClusterModel, 'healthCheck' | 'nginx'>>;

export function exampleClusterModel(): FullClusterModel {
  return {
    loadBalancers: [
      { name: 'lb1', address: '10.77.0.11', interface: 'eth0' },
      { name: 'lb2', address: '10.77.0.12', interface: 'eth0' },
    ],
    vrrp: {
      version: 3,
      higherPrioSendAdvert: true,
      instances: [
        {
          name: 'VI_1',
          vrid: 51,
          advertInt: 0.2,
          vips: [{ address: '10.77.0.50', prefix: 24 }],
          priorities: [
            { host: 'lb1', priority: 100 },
            { host: 'lb2', priority: 90 },
          ],
          preempt: true,
          unicast: false,
        },
      ],
    },
    healthCheck: {
      name: 'chk_nginx',
      url: 'http://127.0.0.1/healthz',
      interval: 1,
      timeout: 5,
      fall: 2,
      rise: 2,
      weight: -20,
      script: {
        kind: 'file',
        path: KEEPWATCH_CHECK_SCRIPT,
        restart: ['/usr/bin/systemctl', 'restart', 'nginx'],
      },
    },
    fastPath: { name: 'kw_nginx', file: KEEPWATCH_FAST_PATH_FILE, weight: 0 },
    nginx: {
      user: 'www-data',
      workerProcesses: 'auto',
      workerConnections: 1024,
      httpExtra: ['include /etc/nginx/mime.types;', 'default_type application/octet-stream;'],
      keepaliveTimeout: '65s',
      proxy: {
        connectTimeout: '200ms',
        readTimeout: '60s',
        nextUpstream: ['error', 'timeout'],
        setHeaders: [
          { name: 'Host', value: '$host' },
          { name: 'X-Forwarded-For', value: '$proxy_add_x_forwarded_for' },
        ],
      },
      upstreams: [
        {
          name: 'backends',
          servers: [
            { host: '10.77.0.21', port: 8080, maxFails: 1, failTimeout: '10s' },
            { host: '10.77.0.22', port: 8080, maxFails: 1, failTimeout: '10s' },
          ],
        },
      ],
      servers: [
        {
          listen: [{ port: 80, defaultServer: true }],
          serverNames: ['_'],
          healthPath: '/healthz',
          status: { path: '/nginx_status', allow: ['127.0.0.1'] },
          lbHeader: true,
          locations: [{ path: '/', upstream: 'backends' }],
        },
      ],
    },
  };
}
