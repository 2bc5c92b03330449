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
  /** The node's buffered minute per metric (shared by the agents that report the node). */
  buffers: Map<string, Buffered>;
  /** How long after each minute's end the node's series append it (appendPhase). */
  phaseMs: number;
}

/**
 * SR-1: a series appends its buffered minute once a sample comes `phaseMs` after that minute's
 * end, the phase spread over the minute by node (a hash of cluster and node), instead of on
 * its first sample of the next minute: every series appended within the same 5 s of stats
 * after each minute boundary before (issue 11: 20,000 appends at 10,000 agents, the server
 * 43 % busy for those seconds against 30 % between). A buffer so holds under two minutes of
 * points (those of an hour's first minute may share it: split by chunk when appended), and the
 * newest points reach the stored series up to a minute later than before.
 */
export function appendPhase(clusterId: string, node: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${clusterId}\u0000${node}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return ((h >>> 0) % (MINUTE_MS / 1000)) * 1000;
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
  /** Each agent's mirror as its history_node_state row holds it (JSON): written only on a change. */
  private readonly stored = new Map<string, string>();
  /** Series known to have a row (loaded once; new ones are created in the batch of their first append). */
  private readonly series = new Set<string>();
  /**
   * Buffered minutes per node (`cluster\0node`), then per metric: a sample finds its buffer
   * through its agent's NodeRef without building a key (issue 11: a string key per sample,
   * 4,000 a second at 10,000 agents, was most of the stats stage).
   */
  private readonly buffers = new Map<string, Map<string, Buffered>>();
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
      if (!this.nodes.has(n.agentId)) this.nodes.set(n.agentId, this.ref(n.clusterId, n.node));
    for (const m of state.mirrors)
      if (!this.mirrors.has(m.agentId)) {
        this.mirrors.set(m.agentId, JSON.parse(m.state) as NodeMirror);
        this.stored.set(m.agentId, m.state);
      }
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
    const ref = this.nodes.get(agentId);
    if (ref?.clusterId !== clusterId || ref.node !== node)
      this.nodes.set(agentId, this.ref(clusterId, node));
    const token = {};
    this.rereads.set(agentId, token);
    return this.reads.nodeState(agentId).then(
      (state) => {
        if (this.rereads.get(agentId) !== token) return;
        this.rereads.delete(agentId);
        if (state === undefined) return;
        this.mirrors.set(agentId, JSON.parse(state) as NodeMirror);
        this.stored.set(agentId, state);
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
    // The whole node state, last one wins: one row write per agent per batch, and none when
    // the message left it as stored (a reconnect snapshot after a replay, a repeated report).
    const state = JSON.stringify(mirror);
    if (this.stored.get(agentId) !== state) {
      this.stored.set(agentId, state);
      this.writer.writeLatest(this.sql.saveMirror, agentId, [agentId, state]).catch(() => {
        // Not stored after all: the next message writes it again.
        if (this.stored.get(agentId) === state) this.stored.delete(agentId);
      });
    }
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
    if (!prev) {
      this.lastRequests.set(agentId, { ts: s.ts, requests: s.nginx.requests });
      return;
    }
    const dt = s.ts - prev.ts;
    const dr = s.nginx.requests - prev.requests;
    prev.ts = s.ts;
    prev.requests = s.nginx.requests;
    // A counter reset (nginx restart) or a long gap gives no meaningful rate.
    if (dt > 0 && dt <= 5 * MINUTE_MS && dr >= 0)
      this.sample(agentId, 'nginx.rps', s.ts, (dr * 1000) / dt);
  }

  /** The node's ref, its buffers shared with any other agent reporting the same node. */
  private ref(clusterId: string, node: string): NodeRef {
    const key = `${clusterId}\u0000${node}`;
    let buffers = this.buffers.get(key);
    if (!buffers) {
      buffers = new Map();
      this.buffers.set(key, buffers);
    }
    return { clusterId, node, buffers, phaseMs: appendPhase(clusterId, node) };
  }

  /**
   * Buffers one numeric point; appends the buffer first when the point is its node's phase
   * past the buffered minute's end (SR-1) or older than the buffer.
   */
  sample(agentId: string, metric: string, ts: number, value: number): void {
    const ref = this.nodes.get(agentId);
    if (!ref || !Number.isFinite(value)) return;
    const buf = ref.buffers.get(metric);
    if (buf && ts >= buf.minute && ts < buf.minute + MINUTE_MS + ref.phaseMs) {
      buf.points.push({ ts, value });
      return;
    }
    if (buf) this.append(buf);
    ref.buffers.set(metric, {
      ref,
      metric,
      minute: floorTo(ts, MINUTE_MS),
      points: [{ ts, value }],
    });
  }

  /** Appends every buffer whose minute is older than `before` (all of them when omitted). */
  flushSamples(before = Number.POSITIVE_INFINITY): void {
    this.appendOlder(before);
  }

  /**
   * flushSamples, resolved once what it appended is committed (at once if nothing): the
   * hourly seal reads the open chunks next. A failed commit is the storage health's to report.
   */
  flushSamplesStored(before: number): Promise<void> {
    return this.appendOlder(before)
      ? this.writer.flush().catch(() => undefined)
      : Promise.resolve();
  }

  private appendOlder(before: number): boolean {
    let appended = false;
    for (const buffers of this.buffers.values())
      for (const [metric, buf] of buffers) {
        if (buf.minute + MINUTE_MS > before) continue;
        this.append(buf);
        buffers.delete(metric);
        appended = true;
      }
    return appended;
  }

  private append(buf: Buffered): void {
    const start = floorTo(buf.minute, CHUNK_MS[Res.raw]);
    const next = start + CHUNK_MS[Res.raw];
    if (buf.points.some((p) => p.ts >= next)) {
      // The buffer reaches into the next raw chunk (SR-1): each part goes to its own.
      const { ref, metric } = buf;
      this.append({ ref, metric, minute: start, points: buf.points.filter((p) => p.ts < next) });
      this.append({ ref, metric, minute: next, points: buf.points.filter((p) => p.ts >= next) });
      return;
    }
    const { clusterId, node } = buf.ref;
    const key = `${clusterId}\u0000${node}\u0000${buf.metric}`;
    if (!this.series.has(key)) {
      this.writer
        // Before every chunk row of the batch: appendRaw looks the series up.
        .write(this.sql.ensureSeries, [clusterId, node, buf.metric], 0)
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
