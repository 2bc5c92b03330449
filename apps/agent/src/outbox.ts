import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentDataMessage } from '@keepwatch/shared';
import type { Logger } from './log';
import {
  ackLine,
  dropLine,
  headerLine,
  messageLine,
  replayOutbox,
  type OutboxHeader,
} from './outbox-file';
import { evictToFit, type OutboxEntry } from './outbox-bound';
import { OutboxJournal } from './outbox-journal';
import { fitDataMessage } from './outgoing';
import { Backoff } from './timing';

/*
 * Durable outbox: every data message gets the next seq (never reused, survives restarts)
 * and is appended to <stateDir>/<agentId>.outbox.jsonl. Appends are batched and fsync'd
 * on a short timer; a message is handed to the connection only once it is durable, so
 * the server can never hold a seq the agent could reuse after a crash. The file is
 * rewritten (tmp + rename) when acknowledged lines dominate it.
 *
 * When full (maxEntries / maxBytes) it drops by outbox-bound.ts's policy; every drop is
 * logged as an error and counted. The file itself is outbox-journal.ts.
 *
 * A failed write (ENOSPC, EIO…) never leaves the write chain rejected: the error is caught,
 * reported (`condition`, `onCondition`: the agent puts it in its stats, the panel shows it)
 * and retried with backoff (100 ms doubling to 5 s, jittered). What was queued stays in
 * memory, within the same bound; the retry rewrites the whole file from memory (header +
 * live entries, tmp + rename), so a torn append is never glued to the next line, and only
 * then are those messages durable and handed to the connection, in seq order.
 */

/** The outbox's write health: `writeError` while writes fail (absent when they work). */
export interface OutboxCondition {
  writeError?: { message: string; since: number };
}

type Unsequenced<M> = M extends AgentDataMessage ? Omit<M, 'seq' | 'ts'> : never;
export type DataMessageInput = Unsequenced<AgentDataMessage>;

export interface OutboxOptions {
  dir: string;
  agentId: string;
  log: Logger;
  maxEntries?: number;
  maxBytes?: number;
  flushDelayMs?: number;
  /** First retry delay after a failed write; doubles up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Compact once the file is this big and mostly acknowledged. */
  compactBytes?: number;
}

export class Outbox {
  private entries: OutboxEntry[] = [];
  private liveBytes = 0;
  private pendingLines: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private io: Promise<void> = Promise.resolve();
  private listeners = new Set<(durable: AgentDataMessage[]) => void>();
  private closed = false;
  private rejectedCount = 0;
  /** Set by a failed write: the next write is a full rewrite from memory. */
  private writeError: { message: string; since: number } | undefined;
  private retry: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private conditionListeners = new Set<(c: OutboxCondition) => void>();
  /** True until the first welcome when the outbox started without a file (state dir reset). */
  private fresh: boolean;

  private constructor(
    private readonly opts: Required<OutboxOptions>,
    private readonly file: OutboxJournal,
    private hdr: OutboxHeader,
    fresh: boolean,
  ) {
    this.fresh = fresh;
    this.retry = new Backoff(opts.retryBaseMs, opts.retryMaxMs);
  }

  static async open(options: OutboxOptions): Promise<Outbox> {
    const opts: Required<OutboxOptions> = {
      maxEntries: 50_000,
      maxBytes: 20 * 1024 * 1024,
      flushDelayMs: 5,
      retryBaseMs: 100,
      retryMaxMs: 5000,
      compactBytes: 1024 * 1024,
      ...options,
    };
    await mkdir(opts.dir, { recursive: true, mode: 0o700 });
    const path = join(opts.dir, `${opts.agentId}.outbox.jsonl`);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      text = undefined;
    }
    const loaded = replayOutbox(text ?? '');
    if (loaded.badLines > 0)
      opts.log.warn('outbox: ignored unreadable lines (torn write?)', { count: loaded.badLines });
    const box = new Outbox(
      opts,
      new OutboxJournal(path),
      { lastSeq: loaded.lastSeq, ackedSeq: loaded.ackedSeq, dropped: loaded.dropped },
      text === undefined,
    );
    for (const msg of loaded.entries) box.push(msg, true);
    await box.rewrite();
    opts.log.info('outbox opened', { path, pending: box.entries.length, lastSeq: box.hdr.lastSeq });
    return box;
  }

  get lastSeq(): number {
    return this.hdr.lastSeq;
  }
  get ackedSeq(): number {
    return this.hdr.ackedSeq;
  }
  get dropped(): number {
    return this.hdr.dropped;
  }
  /** Messages refused by the schema since start (never sent). */
  get rejected(): number {
    return this.rejectedCount;
  }
  get size(): number {
    return this.entries.length;
  }

  /**
   * Assigns seq and ts, fits the message to the shared schema (outgoing.ts), queues it for
   * the next fsync batch and returns it; undefined (logged, counted, no seq used) when the
   * schema refuses it even after capping its lists.
   */
  append(input: DataMessageInput, ts: number = Date.now()): AgentDataMessage | undefined {
    if (this.closed) throw new Error('outbox is closed');
    const fitted = fitDataMessage({ ...input, seq: this.hdr.lastSeq + 1, ts });
    if (!fitted.ok) {
      this.rejectedCount++;
      this.opts.log.error('not sent: the message does not fit the protocol schema', {
        type: input.type,
        reason: fitted.error,
        rejected: this.rejectedCount,
      });
      return undefined;
    }
    if (fitted.capped.length > 0)
      this.opts.log.warn('message lists cut to the protocol limits', {
        type: input.type,
        capped: fitted.capped,
      });
    const msg = fitted.msg;
    this.hdr.lastSeq = msg.seq;
    const line = messageLine(msg);
    this.enforceBound(Buffer.byteLength(line));
    this.push(msg, false);
    this.write(line);
    return msg;
  }

  /** Cumulative ack from the server. */
  ack(seq: number): void {
    if (seq <= this.hdr.ackedSeq) return;
    this.hdr.ackedSeq = Math.min(seq, this.hdr.lastSeq);
    let n = 0;
    while (n < this.entries.length && (this.entries[n]?.msg.seq ?? Infinity) <= seq) n++;
    for (const e of this.entries.splice(0, n)) this.liveBytes -= e.bytes;
    this.write(ackLine(this.hdr.ackedSeq));
  }

  /**
   * Applies the server's ackedSeq from a welcome. If the server knows seqs beyond ours
   * (our state dir was reset), our unacknowledged messages are renumbered after it, or the
   * server would take them for duplicates.
   */
  async welcome(serverAckedSeq: number): Promise<void> {
    if (serverAckedSeq < this.hdr.ackedSeq) {
      // The server once acknowledged more than it has now (its database was restored?):
      // those messages are gone from here too, nothing to replay.
      this.opts.log.warn('outbox: server acknowledges less than before', {
        serverAckedSeq,
        ourAckedSeq: this.hdr.ackedSeq,
      });
    }
    const wasFresh = this.fresh;
    this.fresh = false;
    const clash = this.entries.some((e) => e.msg.seq <= serverAckedSeq);
    if (serverAckedSeq > this.hdr.lastSeq || (wasFresh && clash)) {
      this.opts.log.warn('outbox: server is ahead of our seq (state dir reset?): renumbering', {
        serverAckedSeq,
        ourLastSeq: this.hdr.lastSeq,
      });
      let seq = serverAckedSeq;
      for (const e of this.entries) e.msg = { ...e.msg, seq: ++seq };
      this.hdr = { ...this.hdr, lastSeq: seq, ackedSeq: serverAckedSeq };
      await this.flush();
      await this.rewrite();
      return;
    }
    this.ack(serverAckedSeq);
  }

  /** Durable, unacknowledged messages in seq order. */
  pending(): AgentDataMessage[] {
    return this.entries.filter((e) => e.durable).map((e) => e.msg);
  }

  get condition(): OutboxCondition {
    return this.writeError ? { writeError: { ...this.writeError } } : {};
  }

  /** Subscribes to changes of the write health (failing, recovered). */
  onCondition(cb: (c: OutboxCondition) => void): () => void {
    this.conditionListeners.add(cb);
    return () => this.conditionListeners.delete(cb);
  }

  /** Subscribes to batches of messages that just became durable. */
  onDurable(cb: (msgs: AgentDataMessage[]) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Writes and fsyncs everything queued so far. Never rejects: failures are retried. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // While writes fail, only the backoff timer (or close) tries again.
    if (this.writeError) return this.retryTimer ? this.io : this.recover();
    const lines = this.pendingLines.splice(0);
    // Messages appended after this point go in the next batch: only these become durable.
    const upTo = this.hdr.lastSeq;
    if (lines.length > 0)
      this.io = this.io
        .then(() => this.writeBatch(lines, upTo))
        .catch((err: unknown) => this.failed(err));
    return this.io;
  }

  async close(): Promise<void> {
    await (this.writeError ? this.recover() : this.flush());
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.io;
    if (this.writeError)
      this.opts.log.error('outbox closed while writes fail: queued messages were not stored', {
        notDurable: this.entries.filter((e) => !e.durable).length,
      });
    await this.file.close();
  }

  /** After a failed write: the whole file from memory, then everything queued is durable. */
  private recover(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.io = this.io
      .then(async () => {
        if (!this.writeError) return;
        // The rewrite holds every entry and the header (acks, drops): the queued lines too.
        this.pendingLines.length = 0;
        const upTo = this.hdr.lastSeq;
        await this.rewriteNow();
        const was = this.writeError;
        this.writeError = undefined;
        this.retry.reset();
        this.opts.log.warn('outbox writes work again', {
          failingForMs: Date.now() - was.since,
        });
        this.emitCondition();
        this.markDurable(upTo);
      })
      .catch((err: unknown) => this.failed(err));
    return this.io;
  }

  private failed(err: unknown): void {
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 256);
    const first = this.writeError === undefined;
    this.writeError ??= { message, since: Date.now() };
    if (first) {
      this.opts.log.error('OUTBOX WRITE FAILED: retrying with backoff', { err: message });
      this.emitCondition();
    }
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, this.retry.next());
  }

  private emitCondition(): void {
    const c = this.condition;
    for (const l of this.conditionListeners) l(c);
  }

  private push(msg: AgentDataMessage, durable: boolean): void {
    const bytes = Buffer.byteLength(messageLine(msg));
    this.entries.push({ msg, bytes, durable });
    this.liveBytes += bytes;
  }

  private write(line: string): void {
    this.pendingLines.push(line);
    this.timer ??= setTimeout(() => void this.flush(), this.opts.flushDelayMs);
  }

  private async writeBatch(lines: string[], upTo: number): Promise<void> {
    await this.file.append(lines.join(''));
    this.markDurable(upTo);
    const fileBytes = this.file.bytes;
    if (fileBytes > this.opts.compactBytes && fileBytes > 2 * this.liveBytes)
      await this.rewriteNow();
  }

  private markDurable(upTo: number): void {
    const fresh: AgentDataMessage[] = [];
    for (const e of this.entries) {
      if (!e.durable && e.msg.seq <= upTo) {
        e.durable = true;
        fresh.push(e.msg);
      }
    }
    if (fresh.length > 0) for (const l of this.listeners) l(fresh);
  }

  private rewrite(): Promise<void> {
    this.io = this.io.then(() => this.rewriteNow()).catch((err: unknown) => this.failed(err));
    return this.io;
  }

  /** Compaction: header + live entries replace the file (outbox-journal.ts). */
  private rewriteNow(): Promise<void> {
    return this.file.replace(
      headerLine(this.hdr) + this.entries.map((e) => messageLine(e.msg)).join(''),
    );
  }

  private enforceBound(incoming: number): void {
    const evicted = evictToFit(this.entries, this.liveBytes, incoming, this.opts);
    if (evicted.seqs.length === 0) return;
    this.liveBytes -= evicted.bytes;
    this.hdr.dropped += evicted.seqs.length;
    this.write(dropLine(evicted.seqs));
    this.opts.log.error('OUTBOX FULL: dropped messages to stay within bound', {
      dropped: evicted.seqs.length,
      forcedNonSnapshot: evicted.forced,
      totalDropped: this.hdr.dropped,
    });
  }
}
