import { Type, type Static } from '@sinclair/typebox';
import { Strict } from './strict';

/* REST shapes of GET /api/v1/audit (admin): the audit log, newest first. */

export const AuditQuery = Strict({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  before: Type.Optional(
    Type.Integer({ minimum: 1, description: 'only entries with a smaller id (paging cursor)' }),
  ),
  /** Exact actor (a username, `agent:<id>`, `system`). */
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** An action (`user.create`) or a prefix ending in a dot (`user.`). */
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** Epoch ms, inclusive. */
  from: Type.Optional(Type.Number({ minimum: 0 })),
  /** Epoch ms, exclusive. */
  to: Type.Optional(Type.Number({ minimum: 0 })),
});
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditResult = Type.Union([
  Type.Literal('ok'),
  Type.Literal('denied'),
  Type.Literal('error'),
]);
export type AuditResult = Static<typeof AuditResult>;

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.Number(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  result: AuditResult,
  detail: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.Union([Type.String(), Type.Null()]),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditPage = Type.Object({
  entries: Type.Array(AuditEntry),
  /** Pass as `before` for the next (older) page; null when this page is the last. */
  nextBefore: Type.Union([Type.Integer(), Type.Null()]),
});
export type AuditPage = Static<typeof AuditPage>;
