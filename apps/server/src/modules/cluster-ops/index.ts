import fp from 'fastify-plugin';
import { ClusterOps } from './cluster-ops';

export { ClusterOps, busyMessage, type ClusterOpHold, type ClusterOpKind } from './cluster-ops';

declare module 'fastify' {
  interface FastifyInstance {
    /** One drill or config push per cluster: `app.clusterOps.tryAcquire(clusterId, kind, id, by)`. */
    clusterOps: ClusterOps;
  }
}

export interface ClusterOpsOptions {
  now: () => number;
}

export default fp<ClusterOpsOptions>(
  (app, opts, done) => {
    app.decorate('clusterOps', new ClusterOps(opts.now));
    done();
  },
  { name: 'cluster-ops', fastify: '5.x' },
);
