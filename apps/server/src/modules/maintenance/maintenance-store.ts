import type { Database, Statement } from 'better-sqlite3';
import type { MaintenanceWindow } from '@keepwatch/shared';

interface Row {
  id: number;
  cluster_id: string;
  node: string | null;
  starts_at: number;
  ends_at: number;
  reason: string;
  created_by: string;
  created_at: number;
  ended_by: string | null;
}

const toWindow = (r: Row): MaintenanceWindow => ({
  id: r.id,
  clusterId: r.cluster_id,
  node: r.node,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: r.created_at,
  endedBy: r.ended_by,
});

export const RECENT_MS = 7 * 86_400_000;

/**
 * The windows table, with the open ones cached in memory: alerts ask "is this held?" on every
 * evaluation (many times a second under load), which must not be a query each time.
 */
export class MaintenanceStore {
  private open: MaintenanceWindow[] = [];
  private readonly insert: Statement;
  private readonly endEarly: Statement;
  private readonly current: Statement;
  private readonly past: Statement;
  private readonly byId: Statement;
  /** Called after a window was created or ended (the plugin tells the live feed). */
  onChanged: () => void = () => {};

  constructor(db: Database) {
    this.insert = db.prepare(
      `INSERT INTO maintenance_windows (cluster_id, node, starts_at, ends_at, reason, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.endEarly = db.prepare(
      'UPDATE maintenance_windows SET ends_at = ?, ended_by = ? WHERE id = ? AND ends_at > ?',
    );
    this.current = db.prepare(
      'SELECT * FROM maintenance_windows WHERE ends_at > ? ORDER BY ends_at, id',
    );
    this.past = db.prepare(
      'SELECT * FROM maintenance_windows WHERE ends_at <= ? AND ends_at > ? ORDER BY ends_at DESC, id DESC LIMIT 50',
    );
    this.byId = db.prepare('SELECT * FROM maintenance_windows WHERE id = ?');
  }

  /** Reloads the cache of windows not yet ended. */
  refresh(now: number): void {
    this.open = (this.current.all(now) as Row[]).map(toWindow);
  }

  create(w: Omit<MaintenanceWindow, 'id' | 'endedBy'>, now: number): MaintenanceWindow {
    const info = this.insert.run(
      w.clusterId,
      w.node,
      w.startsAt,
      w.endsAt,
      w.reason,
      w.createdBy,
      w.createdAt,
    );
    this.refresh(now);
    this.onChanged();
    return this.get(Number(info.lastInsertRowid)) as MaintenanceWindow;
  }

  get(id: number): MaintenanceWindow | undefined {
    const row = this.byId.get(id) as Row | undefined;
    return row && toWindow(row);
  }

  /** Ends an open window now; false when it had already ended (or never existed). */
  end(id: number, by: string, now: number): boolean {
    const changed = this.endEarly.run(now, by, id, now).changes > 0;
    this.refresh(now);
    if (changed) this.onChanged();
    return changed;
  }

  /** Windows open at `now` or starting later, optionally of one cluster. */
  active(now: number, cluster?: string): MaintenanceWindow[] {
    return this.open.filter(
      (w) => w.endsAt > now && (cluster === undefined || w.clusterId === cluster),
    );
  }

  recent(now: number, cluster?: string): MaintenanceWindow[] {
    return (this.past.all(now, now - RECENT_MS) as Row[])
      .map(toWindow)
      .filter((w) => cluster === undefined || w.clusterId === cluster);
  }

  /**
   * Whether something of `cluster` touching `nodes` is in maintenance at `now`: a window on
   * the cluster holds everything in it; a window on a node holds what names only held nodes
   * (a finding about the whole cluster, or about another node too, still counts).
   */
  holds(cluster: string, nodes: readonly string[], now: number): boolean {
    const open = this.open.filter(
      (w) => w.clusterId === cluster && w.startsAt <= now && w.endsAt > now,
    );
    if (open.some((w) => w.node === null)) return true;
    if (nodes.length === 0) return false;
    const held = new Set(open.map((w) => w.node));
    return nodes.every((n) => held.has(n));
  }
}
