import { statfsSync } from 'node:fs';
import type { StorageHealth as StorageHealthState } from '@keepwatch/shared';

/*
 * What the server knows about its data folder: every write that fails for want of storage
 * (disk full, I/O error, read-only file system) is reported here, and so is the next write
 * that succeeds. The state is a log line on each change (not one per failed write), the
 * /metrics gauges keepwatch_storage_failing, keepwatch_storage_errors_total and
 * keepwatch_data_free_bytes, and GET /api/v1/health. While it is failing a probe rewrites
 * one row every few seconds, so the server notices space coming back without waiting for
 * traffic (plugins/db.ts).
 */

// SQLite's extended codes keep the primary one as prefix (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…).
const STORAGE_CODE =
  /^(SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)|ENOSPC|EIO|EROFS|EDQUOT)/;

/*
 * PostgreSQL (KEEPWATCH_DATABASE_URL): the server cannot be reached or cannot take writes.
 * SQLSTATE classes 08 (connection exception), 53 (insufficient resources: disk full, out of
 * memory, too many connections), 57P01-57P03 (shut down, crashed, starting up), 58 (system
 * I/O error); node's socket errors; and node-postgres's own messages for a connection that
 * died or could not be made (they carry no code).
 */
const PG_STORAGE_CODE =
  /^(08...|53...|57P0[1-3]|58...|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/;
const PG_CONNECTION_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|connect ECONNREFUSED)/;

/** True for errors that mean "the store cannot take this write", not a bug. */
export function isStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (STORAGE_CODE.test(code) || PG_STORAGE_CODE.test(code)))
    return true;
  const message = err instanceof Error ? err.message : '';
  return PG_CONNECTION_MESSAGE.test(message);
}

function describe(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

export interface StorageLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface StorageHealthOptions {
  now: () => number;
  log: StorageLog;
  /** The data folder (free space is read from it); undefined for an in-memory database. */
  dataDir?: string | undefined;
  /** Where the data is, in the log when it is not a data folder ("PostgreSQL postgres://…"). */
  where?: string;
}

export class StorageHealth {
  private since: number | undefined;
  private lastError: string | undefined;
  private errorCount = 0;

  constructor(private readonly opts: StorageHealthOptions) {}

  get ok(): boolean {
    return this.since === undefined;
  }

  get errors(): number {
    return this.errorCount;
  }

  /**
   * Records a failed write of `what`. A storage error turns the state to failing (logged once,
   * with the data folder); any other error is a bug and is logged each time. Never throws.
   */
  failed(err: unknown, what: string): void {
    if (!isStorageError(err)) {
      this.opts.log.error({ err, what }, `${what} failed`);
      return;
    }
    this.errorCount += 1;
    this.lastError = `${describe(err)} (${what})`;
    if (this.since !== undefined) return;
    this.since = this.opts.now();
    const free = this.freeBytes();
    const where = this.opts.where ?? `data folder ${this.opts.dataDir ?? '(in memory)'}`;
    this.opts.log.error(
      { err, what, dataDir: this.opts.dataDir, freeBytes: free },
      `storage failing: ${this.lastError}; ${where}` +
        `${free === null ? '' : `, ${free} bytes free`}. Nothing unstored is acknowledged; ` +
        'the server keeps serving and recovers by itself once writes succeed again.',
    );
  }

  /** A write committed: ends a failing state (logged with how long it lasted). */
  succeeded(what: string): void {
    if (this.since === undefined) return;
    const ms = this.opts.now() - this.since;
    this.since = undefined;
    this.opts.log.info(
      { what, failedForMs: ms, errors: this.errorCount },
      `storage recovered: ${what} committed after ${Math.round(ms / 1000)} s of failing writes`,
    );
  }

  /** Space the server may still use in its data folder, null when unknown. */
  freeBytes(): number | null {
    if (this.opts.dataDir === undefined) return null;
    try {
      const s = statfsSync(this.opts.dataDir);
      return s.bavail * s.bsize;
    } catch {
      return null;
    }
  }

  state(): StorageHealthState {
    return {
      ok: this.ok,
      failingSince: this.since ?? null,
      lastError: this.lastError ?? null,
      errors: this.errorCount,
      dataFreeBytes: this.freeBytes(),
    };
  }

  /**
   * A timer callback that cannot throw out of the process: a thrown error or a rejected
   * promise of `fn` is reported (a storage error as above, anything else logged as a bug)
   * and the next tick tries again. Every setInterval/setTimeout body that touches the
   * database goes through this.
   */
  guard(what: string, fn: () => void | Promise<void>): () => void {
    return () => {
      try {
        const result = fn();
        if (result instanceof Promise) result.catch((err: unknown) => this.failed(err, what));
      } catch (err) {
        this.failed(err, what);
      }
    };
  }
}
