import pg from 'pg';
import { Heartbeat, realClock, within, type Clock } from './heartbeat';

/*
 * Live changes shared between server replicas (issue 12 item 3): what one replica learns
 * (a transition an agent reported to it, a drill's progress) reaches the browsers on every
 * replica. PostgreSQL's LISTEN/NOTIFY carries it; one server on SQLite uses the in-process
 * feed. NOTIFY is not durable: a listener that lost its connection misses what was sent in
 * between, so after every reconnect the feed calls `onResync` and the consumer reloads its
 * view from the database (the store holds everything; the feed only says "look again").
 * A connection on a path that black-holes packets neither errors nor ends, so the feed also
 * asks `SELECT 1` on it every few seconds (heartbeat.ts) and treats no answer as a break.
 * Payloads stay small (ids, a patch): PostgreSQL refuses a NOTIFY payload over 8000 bytes,
 * and publish() refuses one over 7,900 before sending anything.
 */

export const MAX_PAYLOAD_BYTES = 7_900;
/** NOTIFYs sent in one statement by publishAll (at most 32 × 7,900 bytes). */
export const PUBLISH_PER_STATEMENT = 32;
const CHANNEL = /^kw_[a-z0-9_]{1,40}$/;

export interface ChangeFeed {
  /** Sends `message` to the subscribers of `channel` on every replica, this one's included. */
  publish(channel: string, message: unknown): Promise<void>;
  /**
   * Sends `messages` in order, as one statement where the engine allows (PostgreSQL: up to
   * PUBLISH_PER_STATEMENT NOTIFYs in one transaction, delivered in the order sent; identical
   * messages of one statement arrive once). Every message is checked before any is sent.
   */
  publishAll(channel: string, messages: readonly unknown[]): Promise<void>;
  /** Resolves once every subscribe() so far hears what is published from then on. */
  ready(): Promise<void>;
  subscribe(channel: string, fn: (message: unknown) => void): () => void;
  close(): Promise<void>;
}

function encode(channel: string, message: unknown): string {
  if (!CHANNEL.test(channel))
    throw new Error(`change feed channel ${JSON.stringify(channel)} must match ${CHANNEL}`);
  const text = JSON.stringify(message);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_PAYLOAD_BYTES)
    throw new Error(
      `change feed message on ${channel} is ${bytes} bytes, over the ${MAX_PAYLOAD_BYTES} a NOTIFY can carry: send an id and let the replicas read the rest from the database`,
    );
  return text;
}

class Subscribers {
  private readonly byChannel = new Map<string, Set<(message: unknown) => void>>();
  add(channel: string, fn: (message: unknown) => void): { first: boolean; off: () => boolean } {
    const set = this.byChannel.get(channel) ?? new Set();
    const first = set.size === 0;
    set.add(fn);
    this.byChannel.set(channel, set);
    return {
      first,
      off: () => {
        set.delete(fn);
        if (set.size > 0) return false;
        this.byChannel.delete(channel);
        return true;
      },
    };
  }
  channels(): string[] {
    return [...this.byChannel.keys()];
  }
  deliver(channel: string, message: unknown): void {
    for (const fn of this.byChannel.get(channel) ?? []) fn(message);
  }
}

/** One server, no replicas: the feed is a dispatch inside this process. */
export class LocalChangeFeed implements ChangeFeed {
  private readonly subs = new Subscribers();
  async publish(channel: string, message: unknown): Promise<void> {
    const text = encode(channel, message);
    await Promise.resolve();
    this.subs.deliver(channel, JSON.parse(text));
  }
  async publishAll(channel: string, messages: readonly unknown[]): Promise<void> {
    const texts = messages.map((m) => encode(channel, m));
    await Promise.resolve();
    for (const t of texts) this.subs.deliver(channel, JSON.parse(t));
  }
  ready(): Promise<void> {
    return Promise.resolve();
  }
  subscribe(channel: string, fn: (message: unknown) => void): () => void {
    encode(channel, null);
    const { off } = this.subs.add(channel, fn);
    return () => void off();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface PgChangeFeedOptions {
  /** Publishes go through the pool (any connection); listening holds one connection of its own. */
  pool: pg.Pool;
  /** The listening connection's settings (the pool's own). */
  client: pg.ClientConfig;
  /** Called after the listening connection came back: reload what may have been missed. */
  onResync?: () => void;
  onError?: (err: Error) => void;
  /** Reconnect delays (ms); default 250 doubling to 5,000. */
  backoff?: { base: number; max: number };
  /**
   * The listening connection's liveness check: `SELECT 1` every `everyMs` (default 5,000),
   * a break when unanswered within `timeoutMs` (default 5,000). `timeoutMs` also bounds a
   * (re)connect with its LISTENs and the goodbye in close().
   */
  heartbeat?: { everyMs: number; timeoutMs: number };
  /** Timers of the heartbeat, the deadlines and the backoff; default Node's. */
  clock?: Clock;
}

export class PgChangeFeed implements ChangeFeed {
  private readonly subs = new Subscribers();
  private listener: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private retry: unknown;
  private delay: number;
  private listens: Promise<void> = Promise.resolve();
  private beat: Heartbeat | undefined;
  private readonly clock: Clock;
  private readonly everyMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly o: PgChangeFeedOptions) {
    this.delay = o.backoff?.base ?? 250;
    this.clock = o.clock ?? realClock;
    this.everyMs = o.heartbeat?.everyMs ?? 5_000;
    this.timeoutMs = o.heartbeat?.timeoutMs ?? 5_000;
  }

  /** Opens the listening connection (subscribing before start() is fine). */
  start(): Promise<void> {
    this.connecting ??= this.connect(false);
    return this.connecting;
  }

  /** Resolves once every LISTEN/UNLISTEN asked for so far has been sent and answered. */
  listening(): Promise<void> {
    return this.listens;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    await this.o.pool.query('SELECT pg_notify($1, $2)', [channel, encode(channel, message)]);
  }

  async publishAll(channel: string, messages: readonly unknown[]): Promise<void> {
    const texts = messages.map((m) => encode(channel, m));
    for (let i = 0; i < texts.length; i += PUBLISH_PER_STATEMENT) {
      const part = texts.slice(i, i + PUBLISH_PER_STATEMENT);
      // One statement, one transaction: its NOTIFYs are delivered in the order of the list.
      const calls = part.map((_, k) => `pg_notify($1, $${k + 2})`).join(', ');
      await this.o.pool.query(`SELECT ${calls}`, [channel, ...part]);
    }
  }

  ready(): Promise<void> {
    return this.listening();
  }

  subscribe(channel: string, fn: (message: unknown) => void): () => void {
    encode(channel, null);
    const { first, off } = this.subs.add(channel, fn);
    if (first) void this.listen(`LISTEN ${channel}`);
    return () => {
      if (off()) void this.listen(`UNLISTEN ${channel}`);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry !== undefined) this.clock.clearTimeout(this.retry);
    this.retry = undefined;
    this.beat?.stop();
    const l = this.listener;
    this.listener = undefined;
    // A goodbye on a stalled path is never answered: bounded, then the socket is destroyed.
    if (l) await within(this.clock, this.timeoutMs, 'close', l.end()).catch(() => drop(l));
  }

  private listen(sql: string): Promise<void> {
    this.listens = this.listens.then(async () => {
      try {
        await this.listener?.query(sql);
      } catch (err) {
        // The connection is going: the reconnect LISTENs to every channel again.
        this.o.onError?.(err as Error);
      }
    });
    return this.listens;
  }

  private async connect(again: boolean): Promise<void> {
    const client = new pg.Client(this.o.client);
    client.on('notification', (n) => {
      if (n.payload === undefined) return;
      let message: unknown;
      try {
        message = JSON.parse(n.payload);
      } catch {
        return; // not ours (a NOTIFY by hand): ignored
      }
      this.subs.deliver(n.channel, message);
    });
    client.on('error', (err) => {
      this.o.onError?.(err);
      this.lost(client);
    });
    client.on('end', () => this.lost(client));
    try {
      // Bounded: on a stalled path a connection attempt is left hanging, never refused.
      await within(this.clock, this.timeoutMs, 'change feed connect', client.connect());
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      // Listener first: a subscribe() from now on LISTENs on it (a second LISTEN is harmless).
      this.listener = client;
      const listenAll = async () => {
        for (const channel of this.subs.channels()) await client.query(`LISTEN ${channel}`);
      };
      await within(this.clock, this.timeoutMs, 'change feed LISTEN', listenAll());
    } catch (err) {
      this.o.onError?.(err as Error);
      if (this.listener === client) this.listener = undefined;
      drop(client);
      this.schedule();
      return;
    }
    this.delay = this.o.backoff?.base ?? 250;
    this.beat = new Heartbeat({
      clock: this.clock,
      everyMs: this.everyMs,
      timeoutMs: this.timeoutMs,
      beat: () => client.query('SELECT 1'),
      onDead: (err) => {
        this.o.onError?.(new Error(`change feed connection: ${err.message}`, { cause: err }));
        this.lost(client);
      },
    });
    this.beat.start();
    if (again) this.o.onResync?.();
  }

  /** The listening connection broke (error, end, or an unanswered heartbeat): reconnect. */
  private lost(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    this.beat?.stop();
    this.beat = undefined;
    drop(client);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.retry !== undefined) return;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.o.backoff?.max ?? 5_000);
    this.retry = this.clock.setTimeout(() => {
      this.retry = undefined;
      void this.connect(true);
    }, wait);
  }
}

/**
 * Closes a connection without a goodbye: on a stalled path end() would wait for an answer
 * forever. Its queries still waiting (a LISTEN, the heartbeat) fail at once.
 */
function drop(client: pg.Client): void {
  // Its "terminated unexpectedly" would be ours: the reason was reported already.
  client.removeAllListeners('error');
  client.on('error', () => undefined);
  client.connection.stream.destroy();
}
