import { Type, type Static } from '@sinclair/typebox';
import { Strict } from './strict';

/*
 * Maintenance windows (REST under /api/v1/maintenance): an operator marks a cluster, or one
 * host of it, in maintenance until a time; while a window is open the alerts of what it covers
 * are held (not fired, not notified), and the pages say so.
 */

const Ident = Type.String({ minLength: 1, maxLength: 128 });

export const MaintenanceWindow = Type.Object({
  id: Type.Integer(),
  clusterId: Type.String(),
  /** null: the whole cluster. */
  node: Type.Union([Type.String(), Type.Null()]),
  startsAt: Type.Number(),
  /** When it ends (the planned end, or the time an operator ended it early). */
  endsAt: Type.Number(),
  reason: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.Number(),
  /** Set when an operator ended it before endsAt was reached. */
  endedBy: Type.Union([Type.String(), Type.Null()]),
});
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

export const MaintenanceList = Type.Object({
  /** Open now or starting later, soonest end first. */
  active: Type.Array(MaintenanceWindow),
  /** Ended within the last 7 days, newest first (at most 50). */
  recent: Type.Array(MaintenanceWindow),
  generatedAt: Type.Number(),
});
export type MaintenanceList = Static<typeof MaintenanceList>;

export const MaintenanceQuery = Strict({ cluster: Type.Optional(Ident) });
export type MaintenanceQuery = Static<typeof MaintenanceQuery>;

export const MaintenanceCreate = Strict({
  clusterId: Ident,
  node: Type.Optional(Ident),
  /** How long from now (or from startsAt): 1 minute to 7 days. */
  durationMinutes: Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 }),
  /** Epoch ms; default now. At most 30 days ahead. */
  startsAt: Type.Optional(Type.Number({ minimum: 0 })),
  reason: Type.String({ minLength: 1, maxLength: 500 }),
});
export type MaintenanceCreate = Static<typeof MaintenanceCreate>;

export const MaintenanceIdParams = Strict({ id: Type.Integer({ minimum: 1 }) });
export type MaintenanceIdParams = Static<typeof MaintenanceIdParams>;

/**
 * Live feed message `maintenance`: every window open now or starting later, of all clusters,
 * whole (they are few). Sent right after connect, and whenever one opens, starts, ends or
 * expires; replaces what the browser had.
 */
export const LiveMaintenance = Type.Object({
  type: Type.Literal('maintenance'),
  at: Type.Number(),
  active: Type.Array(MaintenanceWindow),
});
export type LiveMaintenance = Static<typeof LiveMaintenance>;
