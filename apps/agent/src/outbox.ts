import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
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
import { fitDataMessage } from './outgoing';

/*
 * Durable outbox: every data message gets the next seq (never reused, survives restarts)
 * and is appended to <stateDir>/<agentId>.outbox.jsonl. Appends are batched and fsync'd
 * on a short timer; a message is handed to the connection only once it is durable, so
 * the server can never hold a seq the agent could reuse after a crash. The file is
 * rewritten (tmp + rename) when acknowledged lines dominate it.
 *
 * Bound policy when full (maxEntries / maxBytes): drop the oldest snapshot first (a newer
 * snapshot supersedes it); only when no snapshot is left drop the oldest message of any
 * kind. Every drop is logged as an error and counted.
 */

type Unsequenced<M> = M extends AgentDataMessage ? Omit<M, 'seq' | 'ts'> : never;
export type DataMessageInput = Unsequenced<AgentDataMessage>;

export interface OutboxOptions {
  dir: string;
  agentId: string;
  log: Logger;
  maxEntries?: number;
  maxBytes?: number;
  flushDelayMs?: number;
  /** Compact once the file is this big and mostly acknowledged. */
  compactBytes?: number;
}

interface Entry {
  msg: AgentDataMessage;
  bytes: number;
  durable: boolean;
}

export class Outbox {
  private entries: Entry[] = [];
  private liveBytes = 0;
  private fileBytes = 0;
  private pendingLines: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private io: Promise<void> = Promise.resolve();
  private fh: FileHandle | undefined;
  private listeners = new Set<(durable: AgentDataMessage[]) => void>();
  private closed = false;
  private rejectedCount = 0;
  /** True until the first welcome when the outbox started without a file (state dir reset). */
  private fresh: boolean;

  private constructor(
    private readonly opts: Required<OutboxOptions>,
    private readonly path: string,
    private hdr: OutboxHeader,
    fresh: boolean,
  ) {
    this.fresh = fresh;
  }

  static async open(options: OutboxOptions): Promise<Outbox> {
    const opts: Required<OutboxOptions> = {
      maxEntries: 50_000,
      maxBytes: 20 * 1024 * 1024,
      flushDelayMs: 5,
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
      path,
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

  /** Subscribes to batches of messages that just became durable. */
  onDurable(cb: (msgs: AgentDataMessage[]) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Writes and fsyncs everything queued so far. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pendingLines.splice(0);
    // Messages appended after this point go in the next batch: only these become durable.
    const upTo = this.hdr.lastSeq;
    if (lines.length > 0) this.io = this.io.then(() => this.writeBatch(lines, upTo));
    return this.io;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.io;
    await this.fh?.close();
    this.fh = undefined;
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
    if (!this.fh) return;
    const data = lines.join('');
    await this.fh.appendFile(data);
    await this.fh.datasync();
    this.fileBytes += Buffer.byteLength(data);
    const fresh: AgentDataMessage[] = [];
    for (const e of this.entries) {
      if (!e.durable && e.msg.seq <= upTo) {
        e.durable = true;
        fresh.push(e.msg);
      }
    }
    if (fresh.length > 0) for (const l of this.listeners) l(fresh);
    if (this.fileBytes > this.opts.compactBytes && this.fileBytes > 2 * this.liveBytes)
      await this.rewriteNow();
  }

  private rewrite(): Promise<void> {
    this.io = this.io.then(() => this.rewriteNow());
    return this.io;
  }

  /** Compaction: header + live entries into a temp file, fsync, atomic rename. */
  private async rewriteNow(): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const body = headerLine(this.hdr) + this.entries.map((e) => messageLine(e.msg)).join('');
    const out = await open(tmp, 'w', 0o600);
    try {
      await out.writeFile(body);
      await out.sync();
    } finally {
      await out.close();
    }
    await this.fh?.close();
    await rename(tmp, this.path);
    this.fh = await open(this.path, 'a', 0o600);
    this.fileBytes = Buffer.byteLength(body);
  }

  private enforceBound(incoming: number): void {
    const full = (): boolean =>
      this.entries.length + 1 > this.opts.maxEntries ||
      this.liveBytes + incoming > this.opts.maxBytes;
    const dropped: number[] = [];
    let forced = 0;
    while (full() && this.entries.length > 0) {
      let i = this.entries.findIndex((e) => e.msg.type === 'snapshot');
      if (i < 0) {
        i = 0;
        forced++;
      }
      const [e] = this.entries.splice(i, 1);
      if (!e) break;
      this.liveBytes -= e.bytes;
      dropped.push(e.msg.seq);
    }
    if (dropped.length === 0) return;
    this.hdr.dropped += dropped.length;
    this.write(dropLine(dropped));
    this.opts.log.error('OUTBOX FULL: dropped messages to stay within bound', {
      dropped: dropped.length,
      forcedNonSnapshot: forced,
      totalDropped: this.hdr.dropped,
    });
  }
}
