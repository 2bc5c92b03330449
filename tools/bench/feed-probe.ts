/*
 * Where a cross-replica patch's time goes, seen from outside the servers: a PostgreSQL client
 * LISTENing on the replicas' agent channel (kw_agents, modules/status/replica-follower.ts)
 * notes when each `data` notice arrives. A failover's notice delay (sent by the agent →
 * its home stored it and said so) against its whole cross-replica latency (→ the other
 * replica's browser patch) splits the home's part from the follower's.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { percentile } from '@keepwatch/loadgen';
import { root } from './ingest-server';

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  on(event: 'notification', fn: (n: { channel: string; payload?: string }) => void): void;
  end(): Promise<void>;
}

// `pg` is the server's dependency (apps/server), not the workspace root's.
const pg = createRequire(join(root, 'apps/server/package.json'))('pg') as {
  Client: new (o: { connectionString: string }) => PgClient;
};

export interface NoticeDelays {
  /** Failovers of the steady phase whose notice arrived. */
  n: number;
  /** Failovers whose notice never arrived while the probe listened. */
  missing: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Data notices heard per second over the probe's life. */
  dataNoticesPerS: number;
  /** All notices heard (data, hello, offline, seen). */
  notices: number;
  /** Per 5 s of the probe's life (by when the failover was sent): where a tail sits. */
  windows: { fromS: number; n: number; p50Ms: number; p99Ms: number; maxMs: number }[];
}

const WINDOW_MS = 5_000;

export class FeedProbe {
  private readonly client: PgClient;
  private readonly heard = new Map<string, { s: number; at: number }[]>();
  private readonly sent: { a: string; seq: number; at: number }[] = [];
  private notices = 0;
  private data = 0;
  private readonly t0 = Date.now();
  private t1 = 0;

  constructor(url: string) {
    this.client = new pg.Client({ connectionString: url });
    this.client.on('notification', (n) => {
      const at = Date.now();
      this.notices += 1;
      const m = JSON.parse(n.payload ?? 'null') as {
        k?: string;
        a?: unknown;
        s?: unknown;
        e?: unknown;
      };
      // A data notice alone, or the data entries of a batch (replica-notices.ts).
      const data: [unknown, unknown][] =
        m?.k === 'data'
          ? [[m.a, m.s]]
          : m?.k === 'batch' && Array.isArray(m.e)
            ? (m.e as unknown[][]).filter((e) => e[0] === 'data').map((e) => [e[1], e[2]])
            : [];
      for (const [a, s] of data) {
        if (typeof a !== 'string' || typeof s !== 'number') continue;
        this.data += 1;
        const list = this.heard.get(a) ?? [];
        list.push({ s, at });
        this.heard.set(a, list);
      }
    });
  }

  async start(): Promise<void> {
    await this.client.connect();
    await this.client.query('LISTEN kw_agents');
  }

  /** The agent sent a failover whose last message is `seq` at `at`. */
  failover(agentId: string, seq: number, at: number): void {
    this.sent.push({ a: agentId, seq, at });
  }

  async stop(): Promise<NoticeDelays> {
    this.t1 = Date.now();
    await this.client.end().catch(() => undefined);
    const delays: number[] = [];
    const byWindow = new Map<number, number[]>();
    let missing = 0;
    for (const f of this.sent) {
      const hit = this.heard.get(f.a)?.find((h) => h.s >= f.seq && h.at >= f.at);
      if (!hit) {
        missing += 1;
        continue;
      }
      delays.push(hit.at - f.at);
      const w = Math.floor((f.at - this.t0) / WINDOW_MS);
      byWindow.set(w, [...(byWindow.get(w) ?? []), hit.at - f.at]);
    }
    const windows = [...byWindow.entries()]
      .sort(([a], [b]) => a - b)
      .map(([w, d]) => ({
        fromS: (w * WINDOW_MS) / 1000,
        n: d.length,
        p50Ms: percentile(d, 50),
        p99Ms: percentile(d, 99),
        maxMs: percentile(d, 100),
      }));
    return {
      n: delays.length,
      missing,
      p50Ms: percentile(delays, 50),
      p99Ms: percentile(delays, 99),
      maxMs: percentile(delays, 100),
      dataNoticesPerS: this.data / Math.max(0.001, (this.t1 - this.t0) / 1000),
      notices: this.notices,
      windows,
    };
  }
}
