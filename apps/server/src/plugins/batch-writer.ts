import type { Database, Statement } from 'better-sqlite3';

interface PendingWrite {
  stmt: Statement;
  params: unknown[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface BatchWriterOptions {
  /** Flush at most this long after the first queued write. */
  intervalMs?: number;
  /** Flush at once when this many writes are queued. */
  maxBatch?: number;
  /** Told about every batch: committed, or failed with the error (plugins/storage-health.ts). */
  onCommit?: () => void;
  onError?: (err: unknown) => void;
}

/**
 * Queues inserts and commits them together: one fsync per batch instead of per row, which is
 * what lets thousands of agents report through one SQLite file. Each write's promise resolves
 * after its batch commits (so an ack sent then means "durable").
 */
export class BatchWriter {
  private queue: PendingWrite[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly statements = new Map<string, Statement>();
  /** Queued writeLatest writes by sql + key (cleared with the queue). */
  private readonly latest = new Map<string, { write: PendingWrite; done: Promise<void> }>();
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private closed = false;

  /** One transaction function for every batch (not a new wrapper per flush). */
  private readonly commit: (batch: PendingWrite[]) => void;

  constructor(
    private readonly db: Database,
    private readonly opts: BatchWriterOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 20;
    this.maxBatch = opts.maxBatch ?? 500;
    this.commit = db.transaction((batch: PendingWrite[]) => {
      for (const w of batch) w.stmt.run(...w.params);
    });
  }

  write(sql: string, params: unknown[]): Promise<void> {
    return this.enqueue(sql, params, undefined);
  }

  /**
   * Like write, for a statement whose last run wins (an upsert of one row's whole state): a
   * write with the same sql and `key` still queued takes these params instead of queueing a
   * second run, and both promises settle with the batch. One row write per key per batch
   * instead of one per message (issue 11: per-event SQL under failover bursts).
   */
  writeLatest(sql: string, key: string, params: unknown[]): Promise<void> {
    const queued = this.latest.get(`${sql}\u0000${key}`);
    if (!queued || this.closed) return this.enqueue(sql, params, key);
    queued.write.params = params;
    return queued.done;
  }

  private enqueue(sql: string, params: unknown[], key: string | undefined): Promise<void> {
    if (this.closed) return Promise.reject(new Error('batch writer is closed'));
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    const prepared = stmt;
    const write: PendingWrite = { stmt: prepared, params, resolve: () => {}, reject: () => {} };
    const done = new Promise<void>((resolve, reject) => {
      write.resolve = resolve;
      write.reject = reject;
    });
    this.queue.push(write);
    if (key !== undefined) this.latest.set(`${sql}\u0000${key}`, { write, done });
    if (this.queue.length >= this.maxBatch) this.schedule(0);
    else this.schedule(this.intervalMs);
    return done;
  }

  /** Commits everything queued so far; resolves when done (immediately if nothing is queued). */
  flush(): Promise<void> {
    this.flushNow();
    return Promise.resolve();
  }

  /** Final synchronous flush; later writes are rejected. */
  close(): void {
    this.flushNow();
    this.closed = true;
  }

  get pending(): number {
    return this.queue.length;
  }

  private schedule(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flushNow(), delayMs);
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.latest.clear();
    try {
      this.commit(batch);
    } catch (err) {
      this.opts.onError?.(err);
      for (const w of batch) w.reject(err);
      return;
    }
    this.opts.onCommit?.();
    for (const w of batch) w.resolve();
  }
}
