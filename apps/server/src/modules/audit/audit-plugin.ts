import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AuditStore, type AuditInput } from './audit-store';

export interface Audit {
  /** Appends one row; never throws (a failed audit write is logged, the action goes on). */
  record(input: AuditInput): void;
  /** record() with actor and ip taken from the request (actor 'anonymous' if logged out). */
  fromRequest(
    request: FastifyRequest,
    input: Omit<AuditInput, 'actor' | 'ip'> & { actor?: string },
  ): void;
  readonly store: AuditStore;
}

export const AUDIT_RETENTION_MS = 365 * 86_400_000;

declare module 'fastify' {
  interface FastifyInstance {
    audit: Audit;
  }
}

/** `app.audit`: the audit log decorator, available to every module registered after it. */
export default fp<{ now: () => number }>(
  (app, opts, done) => {
    const store = new AuditStore(app.db, opts.now);
    // A year is enough to answer "who did that?"; a flood of failed logins must not grow the
    // table forever. Pruned at start: servers restart often enough, and it costs one DELETE.
    store.prune(AUDIT_RETENTION_MS);
    const record = (input: AuditInput): void => {
      try {
        store.record(input);
      } catch (err) {
        app.log.error({ err, action: input.action }, 'audit write failed');
      }
    };
    app.decorate('audit', {
      store,
      record,
      fromRequest: (request, input) =>
        record({
          ...input,
          actor: input.actor ?? request.user?.username ?? 'anonymous',
          ip: request.ip,
        }),
    } satisfies Audit);
    done();
  },
  { name: 'audit', dependencies: ['db'], fastify: '5.x' },
);
