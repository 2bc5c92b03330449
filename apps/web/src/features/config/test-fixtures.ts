import {
  exampleClusterModel,
  renderKeepalivedConf,
  renderNginxConf,
  type ClusterModel,
} from '@keepwatch/shared';
import type { LiveHost } from './config-draft';

/** Two load balancers whose live files are rendered from the shared example model. */
export function exampleHosts(model: ClusterModel = exampleClusterModel()): LiveHost[] {
  return model.loadBalancers.map((lb, i) => ({
    host: lb.name,
    address: lb.address,
    files: [
      {
        component: 'keepalived',
        path: '/etc/keepalived/keepalived.conf',
        sha256: `ka${i}`,
        content: renderKeepalivedConf(model, lb.name, { header: ['Managed by Keepwatch'] }),
      },
      {
        component: 'nginx',
        path: '/etc/nginx/nginx.conf',
        sha256: `ng${i}`,
        content: renderNginxConf(model, lb.name),
        includes: [{ path: '/etc/nginx/mime.types', content: 'types {\n    text/html html;\n}\n' }],
      },
    ],
  }));
}
