import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuditInput } from './audit-types';

export interface Audit {
  /**
   * Appends one row through app.repos.audit; never throws (a failed audit write is reported,
   * the action goes on). On SQLite the row is written before this returns.
   */
  record(input: AuditInput): void;
  /** record() with actor and ip taken from the request (actor 'anonymous' if logged out). */
  fromRequest(
    request: FastifyRequest,
    input: Omit<AuditInput, 'actor' | 'ip'> & { actor?: string },
  ): void;
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
    const { audit } = app.repos;
    // A year is enough to answer "who did that?"; a flood of failed logins must not grow the
    // table forever. Pruned at start and every hour while running (a server may run for years).
    const retentionMs = opts.retentionMs ?? AUDIT_RETENTION_MS;
    const prune = app.storage.guard('audit retention', async () => {
      await audit.prune(opts.now() - retentionMs);
    });
    prune();
    const timer = setInterval(prune, opts.pruneEveryMs ?? AUDIT_PRUNE_EVERY_MS);
    timer.unref();
    app.addHook('onClose', (_app, next) => {
      clearInterval(timer);
      next();
    });
    const record = (input: AuditInput): void => {
      audit
        .record(input, opts.now())
        .catch((err: unknown) => app.storage.failed(err, `audit write (${input.action})`));
    };
    app.decorate('audit', {
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
