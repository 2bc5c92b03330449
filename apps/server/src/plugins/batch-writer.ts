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
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly opts: BatchWriterOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 20;
    this.maxBatch = opts.maxBatch ?? 500;
  }

  write(sql: string, params: unknown[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('batch writer is closed'));
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    const prepared = stmt;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ stmt: prepared, params, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.schedule(0);
      else this.schedule(this.intervalMs);
    });
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
    try {
      this.db.transaction(() => {
        for (const w of batch) w.stmt.run(...w.params);
      })();
    } catch (err) {
      this.opts.onError?.(err);
      for (const w of batch) w.reject(err);
      return;
    }
    this.opts.onCommit?.();
    for (const w of batch) w.resolve();
  }
}
