import type { MaintenanceWindow } from '@keepwatch/shared';

/*
 * Maintenance windows' side of the storage contract (repositories.ts), implemented once in
 * sql-maintenance.ts for both engines and checked by maintenance.contract.test.ts against
 * SQLite and a real PostgreSQL. The module (modules/maintenance/maintenance-store.ts) keeps
 * the windows not yet ended in memory: alerts ask "is this held?" without a query.
 */

export type NewMaintenanceWindow = Omit<MaintenanceWindow, 'id' | 'endedBy'>;

export interface MaintenanceRepository {
  /** The stored window, with its id. */
  create(w: NewMaintenanceWindow): Promise<MaintenanceWindow>;
  get(id: number): Promise<MaintenanceWindow | undefined>;
  /**
   * Ends a window not ended at `at` (ends_at > at): ends_at = at, ended_by = by. False when it
   * had already ended or does not exist; of two ends at once, one wins.
   */
  end(id: number, by: string, at: number): Promise<boolean>;
  /** The windows with ends_at > at (open or to come), by ends_at then id. */
  current(at: number): Promise<MaintenanceWindow[]>;
  /** Up to `limit` windows ended in (after, at], the latest end first (then id). */
  ended(at: number, after: number, limit: number): Promise<MaintenanceWindow[]>;
}
