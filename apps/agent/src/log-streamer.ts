import { open, stat } from 'node:fs/promises';
import type { AgentConfig, LogLines, LogSource, LogsSubscribe } from '@keepwatch/shared';
import { spawnLines } from './exec';
import type { Logger } from './log';
import { sleep } from './timing';

/*
 * Logs on request (`logs.subscribe` / `logs.unsubscribe`): the last `tail` lines, then new
 * ones as they come, batched into `log.lines` at most every 200 ms. Sources are files from
 * config.logs (labs), or with logs.journald the units' journals
 * (`journalctl -u UNIT -f -o json -n N`). Every subscription ends on unsubscribe or when
 * the server connection drops (the server subscribes again after a reconnect).
 */

const BATCH_MS = 200;
const MAX_LINES = 1000;
const MAX_TEXT = 8192;
const TAIL_BYTES = 256 * 1024;

export interface LogStreamerOptions {
  config: AgentConfig;
  log: Logger;
  send: (msg: LogLines) => void;
  pollMs?: number;
}

interface Line {
  ts: number;
  text: string;
}

/** Parses one `journalctl -o json` line (MESSAGE may be a byte array for non-UTF-8 text). */
export function parseJournalLine(raw: string): Line | undefined {
  try {
    const j = JSON.parse(raw) as { MESSAGE?: unknown; __REALTIME_TIMESTAMP?: unknown };
    const m = j.MESSAGE;
    const text =
      typeof m === 'string'
        ? m
        : Array.isArray(m)
          ? Buffer.from(m as number[]).toString('utf8')
          : undefined;
    if (text === undefined) return undefined;
    const us = Number(j.__REALTIME_TIMESTAMP);
    return {
      ts: Number.isFinite(us) && us > 0 ? Math.floor(us / 1000) : Date.now(),
      text: text.slice(0, MAX_TEXT),
    };
  } catch {
    return undefined;
  }
}

/** The last `n` complete lines of a chunk read from the end of a file. */
export function lastLines(chunk: string, n: number, fromStart: boolean): string[] {
  const lines = chunk.split('\n');
  if (lines.at(-1) === '') lines.pop();
  // A chunk that does not start at byte 0 begins mid-line: drop that partial line.
  if (!fromStart) lines.shift();
  return n === 0 ? [] : lines.slice(-n);
}

export class LogStreamer {
  private readonly subs = new Map<string, AbortController>();

  constructor(private readonly opts: LogStreamerOptions) {}

  subscribe(msg: LogsSubscribe): void {
    this.unsubscribe(msg.subscription);
    const ac = new AbortController();
    this.subs.set(msg.subscription, ac);
    this.opts.log.info('log subscription', {
      subscription: msg.subscription,
      sources: msg.sources.join(','),
    });
    for (const source of msg.sources) {
      const batch = new Batcher(
        (lines) =>
          this.opts.send({ type: 'log.lines', subscription: msg.subscription, source, lines }),
        ac.signal,
      );
      void this.follow(source, msg.tail ?? 50, batch, ac.signal).catch((err: unknown) =>
        this.opts.log.warn('log stream failed', { source, err }),
      );
    }
  }

  unsubscribe(subscription: string): void {
    this.subs.get(subscription)?.abort();
    this.subs.delete(subscription);
  }

  /** The connection dropped: nobody is listening any more. */
  stopAll(): void {
    for (const ac of this.subs.values()) ac.abort();
    this.subs.clear();
  }

  get active(): number {
    return this.subs.size;
  }

  private async follow(
    source: LogSource,
    tail: number,
    batch: Batcher,
    signal: AbortSignal,
  ): Promise<void> {
    const logs = this.opts.config.logs;
    const target = source === 'agent' ? undefined : logs?.[source];
    if (logs?.journald) {
      const sm = this.opts.config.serviceManager;
      const unit =
        target ??
        (sm?.kind === 'systemd' && source !== 'agent' ? sm.units[source] : undefined) ??
        source;
      return this.followJournal(unit, tail, batch, signal);
    }
    if (!target) {
      batch.push({ ts: Date.now(), text: `(keepwatch: no ${source} log configured on this host)` });
      return;
    }
    return this.followFile(target, tail, batch, signal);
  }

  private async followJournal(
    unit: string,
    tail: number,
    batch: Batcher,
    signal: AbortSignal,
  ): Promise<void> {
    const h = spawnLines(['journalctl', '-u', unit, '-f', '-o', 'json', '-n', String(tail)], {
      signal,
      onLine: (raw) => {
        const line = parseJournalLine(raw);
        if (line) batch.push(line);
      },
    });
    const r = await h.done;
    if (!signal.aborted)
      batch.push({
        ts: Date.now(),
        text: `(keepwatch: journalctl ended: ${r.stderr.trim() || r.error || `exit ${r.code}`})`,
      });
  }

  private async followFile(
    file: string,
    tail: number,
    batch: Batcher,
    signal: AbortSignal,
  ): Promise<void> {
    let offset = 0;
    try {
      const size = (await stat(file)).size;
      const from = Math.max(0, size - TAIL_BYTES);
      const chunk = await readRange(file, from, size);
      for (const text of lastLines(chunk, tail, from === 0)) batch.push({ ts: Date.now(), text });
      offset = size;
    } catch {
      batch.push({ ts: Date.now(), text: `(keepwatch: ${file} is not readable yet)` });
    }
    let partial = '';
    while (await sleep(this.opts.pollMs ?? BATCH_MS, signal)) {
      const size = await stat(file).then(
        (s) => s.size,
        () => 0,
      );
      if (size < offset) offset = 0; // truncated or rotated: start over
      if (size === offset) continue;
      const chunk = partial + (await readRange(file, offset, Math.min(size, offset + TAIL_BYTES)));
      offset = Math.min(size, offset + TAIL_BYTES);
      const lines = chunk.split('\n');
      partial = lines.pop() ?? '';
      const now = Date.now();
      for (const text of lines) batch.push({ ts: now, text: text.slice(0, MAX_TEXT) });
    }
  }
}

async function readRange(file: string, from: number, to: number): Promise<string> {
  if (to <= from) return '';
  const fd = await open(file, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    const { bytesRead } = await fd.read(buf, 0, buf.length, from);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fd.close();
  }
}

/** Collects lines and sends them at most every BATCH_MS, ≤ MAX_LINES per message. */
class Batcher {
  private lines: Line[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flushTo: (lines: Line[]) => void,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => clearTimeout(this.timer), { once: true });
  }

  push(line: Line): void {
    if (this.signal.aborted) return;
    this.lines.push({ ts: line.ts, text: line.text.slice(0, MAX_TEXT) });
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.signal.aborted) return;
    while (this.lines.length > 0) this.flushTo(this.lines.splice(0, MAX_LINES));
  }
}
