import type { Database, Statement } from 'better-sqlite3';
import type { AgentDataMessage, StatsSample } from '@keepwatch/shared';
import type { BatchWriter } from '../../plugins/batch-writer';
import { deriveChanges, type NodeMirror } from './change-deriver';
import { CHUNK_MS, MINUTE_MS, Res, floorTo } from './rollup';
import type { Dialect } from '../../storage/repositories';
import { historyWrites, type HistoryWrites } from './history-writes';
import { encodeOpenRaw, type RawPoint } from './series-codec';

interface NodeRef {
  clusterId: string;
  node: string;
}

interface Buffered {
  ref: NodeRef;
  metric: string;
  minute: number;
  points: RawPoint[];
}

/**
 * Writes history as agents report: changes into history_transitions (queued on the batch
 * writer right beside the event insert, so both commit in the same transaction) and numeric
 * samples into raw chunks. Samples are buffered per series for the current minute: they are
 * not durable by design, and one append per minute keeps the write rate tiny.
 */
export class HistoryRecorder {
  private readonly nodes = new Map<string, NodeRef>();
  private readonly mirrors = new Map<string, NodeMirror>();
  /** Series known to have a row (loaded once; new ones are created in the batch of their first append). */
  private readonly series: Set<string>;
  private readonly buffers = new Map<string, Buffered>();
  private readonly lastRequests = new Map<string, { ts: number; requests: number }>();
  private readonly nodeOf: Statement;
  private readonly mirrorOf: Statement;
  private readonly sql: HistoryWrites;

  constructor(
    private readonly db: Database,
    private readonly writer: BatchWriter,
    dialect: Dialect,
  ) {
    this.sql = historyWrites(dialect);
    this.nodeOf = db.prepare(
      'SELECT cluster_id AS clusterId, node_name AS node FROM agents WHERE agent_id = ?',
    );
    this.mirrorOf = db.prepare('SELECT state FROM history_node_state WHERE agent_id = ?');
    const rows = db
      .prepare('SELECT cluster_id AS c, node AS n, metric AS m FROM history_series')
      .all() as {
      c: string;
      n: string;
      m: string;
    }[];
    this.series = new Set(rows.map((r) => `${r.c}\u0000${r.n}\u0000${r.m}`));
  }

  /** The agent (re)introduced itself: its cluster or node name may have changed. */
  online(agentId: string, clusterId: string, node: string): void {
    this.nodes.set(agentId, { clusterId, node });
  }

  private nodeRef(agentId: string): NodeRef | undefined {
    let ref = this.nodes.get(agentId);
    if (!ref) {
      ref = this.nodeOf.get(agentId) as NodeRef | undefined;
      if (ref) this.nodes.set(agentId, ref);
    }
    return ref;
  }

  private mirror(agentId: string): NodeMirror | undefined {
    const cached = this.mirrors.get(agentId);
    if (cached) return cached;
    const row = this.mirrorOf.get(agentId) as { state: string } | undefined;
    return row ? (JSON.parse(row.state) as NodeMirror) : undefined;
  }

  /** A new (deduplicated) data message: queue its changes; they commit with the event. */
  data(agentId: string, msg: AgentDataMessage, receivedAt: number): void {
    const ref = this.nodeRef(agentId);
    if (!ref) return;
    const { mirror, changes } = deriveChanges(this.mirror(agentId), msg);
    this.mirrors.set(agentId, mirror);
    const fail = (): void => undefined; // the event insert in the same batch reports the failure
    changes.forEach((c, part) => {
      this.writer
        .write(this.sql.insertTransition, [
          ref.clusterId,
          ref.node,
          agentId,
          msg.seq,
          part,
          msg.ts,
          receivedAt,
          c.type,
          c.summary,
          JSON.stringify(c.data),
        ])
        .catch(fail);
    });
    // The whole node state, last one wins: one row write per agent per batch.
    this.writer
      .writeLatest(this.sql.saveMirror, agentId, [agentId, JSON.stringify(mirror)])
      .catch(fail);
    this.latencies(agentId, msg);
  }

  private latencies(agentId: string, msg: AgentDataMessage): void {
    if (msg.type === 'service.health' && msg.health.latencyMs !== undefined) {
      this.sample(agentId, `latency.${msg.service}`, msg.health.checkedAt, msg.health.latencyMs);
    }
    if (msg.type === 'snapshot') {
      for (const [service, h] of Object.entries(msg.services)) {
        if (h?.latencyMs !== undefined)
          this.sample(agentId, `latency.${service}`, h.checkedAt, h.latencyMs);
      }
    }
  }

  /** A periodic stats message: nginx active connections and request rate (from the counter). */
  stats(agentId: string, s: StatsSample): void {
    if (!s.nginx) return;
    this.sample(agentId, 'nginx.active', s.ts, s.nginx.active);
    const prev = this.lastRequests.get(agentId);
    this.lastRequests.set(agentId, { ts: s.ts, requests: s.nginx.requests });
    if (!prev) return;
    const dt = s.ts - prev.ts;
    const dr = s.nginx.requests - prev.requests;
    // A counter reset (nginx restart) or a long gap gives no meaningful rate.
    if (dt > 0 && dt <= 5 * MINUTE_MS && dr >= 0)
      this.sample(agentId, 'nginx.rps', s.ts, (dr * 1000) / dt);
  }

  /** Buffers one numeric point; flushes the series' previous minute when a new one starts. */
  sample(agentId: string, metric: string, ts: number, value: number): void {
    const ref = this.nodeRef(agentId);
    if (!ref || !Number.isFinite(value)) return;
    const seriesId = `${ref.clusterId}\u0000${ref.node}\u0000${metric}`;
    const minute = floorTo(ts, MINUTE_MS);
    const buf = this.buffers.get(seriesId);
    if (buf && buf.minute !== minute) this.append(buf);
    if (!buf || buf.minute !== minute)
      this.buffers.set(seriesId, { ref, metric, minute, points: [{ ts, value }] });
    else buf.points.push({ ts, value });
  }

  /** Appends every buffered minute older than `before` (all of them when omitted). */
  flushSamples(before = Number.POSITIVE_INFINITY): void {
    for (const [id, buf] of this.buffers) {
      if (buf.minute + MINUTE_MS > before) continue;
      this.append(buf);
      this.buffers.delete(id);
    }
  }

  private append(buf: Buffered): void {
    const start = floorTo(buf.minute, CHUNK_MS[Res.raw]);
    const { clusterId, node } = buf.ref;
    const key = `${clusterId}\u0000${node}\u0000${buf.metric}`;
    if (!this.series.has(key)) {
      this.writer
        .write(this.sql.ensureSeries, [clusterId, node, buf.metric])
        .catch(() => this.series.delete(key));
      this.series.add(key);
    }
    this.writer
      .write(this.sql.appendRaw, [
        clusterId,
        node,
        buf.metric,
        start,
        encodeOpenRaw(start, buf.points),
      ])
      .catch(() => undefined);
  }
}
