import type { AlongsideWrite, IngestRepository, IngestWrite } from '../storage/ingest-repository';
import { FailedConnections, type EarlierWriteFailed } from './failed-connections';

export interface BatchWriterOptions {
  /**
   * Flush this long after the first queued write (default 20 ms), or as soon as the commit in
   * flight settles if that is later: writes queued meanwhile gather into the next batch.
   */
  intervalMs?: number;
  /** Flush at once when this many writes are queued. */
  maxBatch?: number;
  /** Told about every batch: committed, or failed with the error (plugins/storage-health.ts). */
  onCommit?: () => void;
  onError?: (err: unknown) => void;
}

/** What one flush commits; every write queued into it shares its one promise. */
interface Batch {
  /** Each with the agent connection it belongs to (failed-connections.ts). */
  writes: { write: IngestWrite; connection: number }[];
  /** Writes not committed because an earlier write of their connection failed. */
  refused: Map<IngestWrite, EarlierWriteFailed>;
  alongside: AlongsideWrite[];
  /** Queued writeLatest writes by sql + key. */
  latest: Map<string, AlongsideWrite>;
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** `?` → `$n` (storage/sql-driver.ts binds numbered parameters on both engines). */
const toNumbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/**
 * Queues the agent socket's writes (and the rows other modules derive from them) and commits
 * them together through the ingest repository (storage/ingest-repository.ts): one
 * transaction, so one fsync on SQLite, per batch instead of per row, which is what lets
 * thousands of agents report through one store. Each write's promise settles after its
 * batch commits (so an ack sent then means "durable"); batches commit one after another.
 * Once a batch fails, no later event of an agent connection that had a write in it commits
 * (failed-connections.ts): an agent's stored seqs never skip one, so the welcome's "stored up
 * to" is true of every seq below it.
 */
export class BatchWriter {
  private batch: Batch | undefined;
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The commit in flight, if any: the next one starts after it (hello rows before events). */
  private tail: Promise<void> | undefined;
  private readonly numbered = new Map<string, string>();
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private closed = false;
  /** The interval passed while a commit was in flight: flush when it settles. */
  private due = false;
  private readonly failures = new FailedConnections();

  constructor(
    private readonly repo: Pick<IngestRepository, 'commit'>,
    private readonly opts: BatchWriterOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 20;
    this.maxBatch = opts.maxBatch ?? 500;
  }

  /** One of the agent socket's writes (agent-ingest.ts). */
  ingest(write: IngestWrite): Promise<void> {
    const batch = this.open();
    if (!batch) return Promise.reject(new Error('batch writer is closed'));
    batch.writes.push({ write, connection: this.failures.connectionOf(write) });
    const done = this.queuedInto(batch);
    if (!sequenced(write)) return done;
    return done.then(() => {
      const refused = batch.refused.get(write);
      if (refused) throw refused;
    });
  }

  /**
   * A row another module derives from the queued events (history: history-writes.ts),
   * committed after them in the same transaction. `?` parameters, numbered here once per text.
   * `stage` (default 1): rows of an earlier stage commit first; within one, rows of a text go
   * together (storage/ingest-repository.ts AlongsideWrite), so put a row another needs earlier.
   */
  write(sql: string, params: unknown[], stage?: number): Promise<void> {
    const batch = this.open();
    if (!batch) return Promise.reject(new Error('batch writer is closed'));
    batch.alongside.push(this.alongside(sql, params, stage));
    return this.queuedInto(batch);
  }

  /**
   * Like write, for a statement whose last run wins (an upsert of one row's whole state): a
   * write with the same sql and `key` still queued takes these params instead of queueing a
   * second run. One row write per key per batch instead of one per message (issue 11). `key`
   * names the row the upsert hits (its conflict key): the batch's writes of `sql` then go in
   * one statement.
   */
  writeLatest(sql: string, key: string, params: unknown[]): Promise<void> {
    const queued = this.batch?.latest.get(`${sql}\u0000${key}`);
    if (!queued || !this.batch) {
      const done = this.write(sql, params);
      const w = this.batch?.alongside.at(-1);
      if (w) {
        w.uniqueKeys = true;
        this.batch?.latest.set(`${sql}\u0000${key}`, w);
      }
      return done;
    }
    queued.params = params as AlongsideWrite['params'];
    return this.batch.done;
  }

  private alongside(sql: string, params: unknown[], stage?: number): AlongsideWrite {
    let text = this.numbered.get(sql);
    if (text === undefined) {
      text = toNumbered(sql);
      this.numbered.set(sql, text);
    }
    const w: AlongsideWrite = { sql: text, params: params as AlongsideWrite['params'] };
    if (stage !== undefined) w.stage = stage;
    return w;
  }

  private open(): Batch | undefined {
    if (this.closed) return undefined;
    if (this.batch) return this.batch;
    let resolve = (): void => {};
    let reject = (_err: unknown): void => {};
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Reported through onError (storage health); each caller handles its own copy.
    done.catch(() => undefined);
    this.batch = {
      writes: [],
      refused: new Map(),
      alongside: [],
      latest: new Map(),
      done,
      resolve,
      reject,
    };
    return this.batch;
  }

  private queuedInto(batch: Batch): Promise<void> {
    this.queued += 1;
    if (this.queued >= this.maxBatch) this.schedule(0);
    else this.schedule(this.intervalMs);
    return batch.done;
  }

  /** Commits everything queued so far; resolves when that and every earlier batch settled. */
  flush(): Promise<void> {
    this.flushNow();
    return this.tail ?? Promise.resolve();
  }

  /** Final flush; later writes are rejected. */
  close(): Promise<void> {
    const last = this.flush();
    this.closed = true;
    return last;
  }

  /** Writes queued and not yet committing. */
  get pending(): number {
    return this.queued;
  }

  private schedule(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.intervalPassed(), delayMs);
  }

  /*
   * One batch waits for the commit before it, not a queue of small ones: a batch closed while
   * a commit is in flight would only wait behind it, and what arrives meanwhile would form
   * yet another. A full batch is closed at once all the same (maxBatch bounds a batch).
   */
  private intervalPassed(): void {
    this.timer = undefined;
    if (this.tail && this.queued < this.maxBatch) this.due = true;
    else this.flushNow();
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.due = false;
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    this.queued = 0;
    // SQLite's driver commits inside this call; PostgreSQL's after the batch before it.
    const run = (): Promise<void> => this.commit(batch);
    const tail = this.tail ? this.tail.then(run) : run();
    this.tail = tail;
    void tail.then(() => {
      if (this.tail !== tail) return;
      this.tail = undefined;
      if (this.due) this.flushNow();
    });
  }

  /** Never rejects: a failure rejects the batch's writes and is reported. */
  private async commit(batch: Batch): Promise<void> {
    const writes: IngestWrite[] = [];
    for (const { write, connection } of batch.writes) {
      const refused = sequenced(write) ? this.failures.refusal(write, connection) : undefined;
      if (refused) batch.refused.set(write, refused);
      else writes.push(write);
    }
    try {
      await this.repo.commit(writes, batch.alongside);
    } catch (err) {
      this.failures.markFailed(batch.writes, err);
      this.opts.onError?.(err);
      batch.reject(err);
      return;
    }
    this.opts.onCommit?.();
    batch.resolve();
  }
}

/** Writes that take an agent's seq: none may commit after an earlier one of its connection failed. */
function sequenced(write: IngestWrite): boolean {
  return write.kind === 'event' || write.kind === 'rejected';
}
