import { Type, type Static } from '@sinclair/typebox';

/** The server's data folder as its writes see it (GET /api/v1/health, /metrics). */
export const StorageHealth = Type.Object({
  /** False from a write that failed for want of storage until one succeeds again. */
  ok: Type.Boolean(),
  /** Since when writes fail (ms epoch), null when ok. */
  failingSince: Type.Union([Type.Number(), Type.Null()]),
  /** The last storage error, e.g. "SQLITE_FULL: database or disk is full (ingest batch)". */
  lastError: Type.Union([Type.String(), Type.Null()]),
  /** Failed writes since the server started. */
  errors: Type.Integer({ minimum: 0 }),
  /** Space left for the server in its data folder (statfs), null for an in-memory database. */
  dataFreeBytes: Type.Union([Type.Number(), Type.Null()]),
});
export type StorageHealth = Static<typeof StorageHealth>;

export const ServerHealthResponse = Type.Object({ storage: StorageHealth });
export type ServerHealthResponse = Static<typeof ServerHealthResponse>;
