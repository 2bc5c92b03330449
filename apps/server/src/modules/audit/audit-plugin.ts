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
/** How often the running server drops audit rows past retention. */
export const AUDIT_PRUNE_EVERY_MS = 60 * 60_000;

export interface AuditPluginOptions {
  now: () => number;
  /** Default AUDIT_RETENTION_MS. */
  retentionMs?: number;
  /** Default AUDIT_PRUNE_EVERY_MS. */
  pruneEveryMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: Audit;
  }
}

/** `app.audit`: the audit log decorator, available to every module registered after it. */
export default fp<AuditPluginOptions>(
  (app, opts, done) => {
    const store = new AuditStore(app.db, opts.now);
    // A year is enough to answer "who did that?"; a flood of failed logins must not grow the
    // table forever. Pruned at start and every hour while running (a server may run for years).
    const retentionMs = opts.retentionMs ?? AUDIT_RETENTION_MS;
    const prune = app.storage.guard('audit retention', () => void store.prune(retentionMs));
    prune();
    const timer = setInterval(prune, opts.pruneEveryMs ?? AUDIT_PRUNE_EVERY_MS);
    timer.unref();
    app.addHook('onClose', (_app, next) => {
      clearInterval(timer);
      next();
    });
    const record = (input: AuditInput): void => {
      try {
        store.record(input);
      } catch (err) {
        app.storage.failed(err, `audit write (${input.action})`);
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
