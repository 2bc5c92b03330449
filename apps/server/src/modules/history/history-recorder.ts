import type { AgentDataMessage, StatsSample } from '@keepwatch/shared';
import type { BatchWriter } from '../../plugins/batch-writer';
import { deriveChanges, type NodeMirror } from './change-deriver';
import { CHUNK_MS, MINUTE_MS, Res, floorTo } from './rollup';
import type { HistoryRepository } from '../../storage/history-repository';
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

/** What the recorder reads (repos.history, either engine). */
export type RecorderReads = Pick<HistoryRepository, 'recorderState' | 'nodeState'>;

/**
 * Writes history as agents report: changes into history_transitions (queued on the batch
 * writer right beside the event insert, so both commit in the same transaction) and numeric
 * samples into raw chunks. Samples are buffered per series for the current minute: they are
 * not durable by design, and one append per minute keeps the write rate tiny.
 *
 * Deriving a change must stay synchronous (the agent socket's `history` stage runs before the
 * event is queued, IH-2), so what it compares with is in memory: `load()` reads the agents'
 * nodes, the node mirrors and the known series once before the server takes agents, and a
 * hello reads that agent's stored mirror again (another replica may have recorded it since).
 */
export class HistoryRecorder {
  private readonly nodes = new Map<string, NodeRef>();
  private readonly mirrors = new Map<string, NodeMirror>();
  /** Series known to have a row (loaded once; new ones are created in the batch of their first append). */
  private readonly series = new Set<string>();
  private readonly buffers = new Map<string, Buffered>();
  private readonly lastRequests = new Map<string, { ts: number; requests: number }>();
  /** A hello's mirror read in flight, per agent; a data message first makes it moot. */
  private readonly rereads = new Map<string, object>();
  private readonly sql: HistoryWrites;

  constructor(
    private readonly writer: BatchWriter,
    dialect: Dialect,
    private readonly reads: RecorderReads,
  ) {
    this.sql = historyWrites(dialect);
  }

  /** Reads the start state (before agents are taken); what is already in memory wins. */
  async load(): Promise<void> {
    const state = await this.reads.recorderState();
    for (const n of state.nodes)
      if (!this.nodes.has(n.agentId))
        this.nodes.set(n.agentId, { clusterId: n.clusterId, node: n.node });
    for (const m of state.mirrors)
      if (!this.mirrors.has(m.agentId))
        this.mirrors.set(m.agentId, JSON.parse(m.state) as NodeMirror);
    for (const s of state.series) this.series.add(`${s.clusterId}\u0000${s.node}\u0000${s.metric}`);
  }

  /**
   * The agent (re)introduced itself: its cluster or node name may have changed, and its
   * stored mirror is read again: with replicas its last messages may have been recorded by
   * another one. On one server the read gives what memory holds (the socket stores a
   * replaced connection's queue before the hello goes on). The read is dropped if a data
   * message of the agent came first (its mirror in memory is then newer than the row).
   * Returns the read, for tests.
   */
  online(agentId: string, clusterId: string, node: string): Promise<void> {
    this.nodes.set(agentId, { clusterId, node });
    const token = {};
    this.rereads.set(agentId, token);
    return this.reads.nodeState(agentId).then(
      (state) => {
        if (this.rereads.get(agentId) !== token) return;
        this.rereads.delete(agentId);
        if (state !== undefined) this.mirrors.set(agentId, JSON.parse(state) as NodeMirror);
      },
      () => {
        // The mirror in memory stays; storage health hears of a failing store from the writes.
        if (this.rereads.get(agentId) === token) this.rereads.delete(agentId);
      },
    );
  }

  /** A new (deduplicated) data message: queue its changes; they commit with the event. */
  data(agentId: string, msg: AgentDataMessage, receivedAt: number): void {
    const ref = this.nodes.get(agentId);
    if (!ref) return;
    this.rereads.delete(agentId);
    const { mirror, changes } = deriveChanges(this.mirrors.get(agentId), msg);
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
    const ref = this.nodes.get(agentId);
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
