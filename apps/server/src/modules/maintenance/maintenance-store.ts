import type { MaintenanceWindow } from '@keepwatch/shared';
import type {
  MaintenanceRepository,
  NewMaintenanceWindow,
} from '../../storage/maintenance-repository';

export const RECENT_MS = 7 * 86_400_000;
const RECENT_LIMIT = 50;

/**
 * The windows (app.repos.maintenance), with the ones not yet ended cached in memory: alerts
 * ask "is this held?" on every evaluation (many times a second under load), which must not be
 * a query each time.
 */
export class MaintenanceStore {
  private open: MaintenanceWindow[] = [];
  /** Loads started; a load's result is kept only if no later one started (pg answers out of order). */
  private loads = 0;
  /** Called after a window was created or ended (the plugin tells the live feed). */
  onChanged: () => void = () => {};

  constructor(private readonly repo: MaintenanceRepository) {}

  /** Reloads the cache of windows not yet ended from the database. */
  async load(now: number): Promise<void> {
    const mine = ++this.loads;
    const open = await this.repo.current(now);
    if (mine === this.loads) this.open = open;
  }

  /** Drops the windows ended by `now` from the cache (the clock's tick; no query). */
  refresh(now: number): void {
    this.open = this.open.filter((w) => w.endsAt > now);
  }

  async create(w: NewMaintenanceWindow, now: number): Promise<MaintenanceWindow> {
    const created = await this.repo.create(w);
    await this.load(now);
    this.onChanged();
    return created;
  }

  get(id: number): Promise<MaintenanceWindow | undefined> {
    return this.repo.get(id);
  }

  /** Ends an open window now; false when it had already ended (or never existed). */
  async end(id: number, by: string, now: number): Promise<boolean> {
    const changed = await this.repo.end(id, by, now);
    await this.load(now);
    if (changed) this.onChanged();
    return changed;
  }

  /** Windows open at `now` or starting later, optionally of one cluster. */
  active(now: number, cluster?: string): MaintenanceWindow[] {
    return this.open.filter(
      (w) => w.endsAt > now && (cluster === undefined || w.clusterId === cluster),
    );
  }

  async recent(now: number, cluster?: string): Promise<MaintenanceWindow[]> {
    return (await this.repo.ended(now, now - RECENT_MS, RECENT_LIMIT)).filter(
      (w) => cluster === undefined || w.clusterId === cluster,
    );
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
