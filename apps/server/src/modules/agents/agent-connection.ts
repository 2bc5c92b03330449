import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket, RawData } from 'ws';
import {
  CloseCode,
  PROTOCOL_VERSION,
  agentToServerCodec,
  serverToAgentCodec,
  type AgentDataMessage,
  type AgentHello,
  type AgentPong,
  type ServerToAgent,
} from '@keepwatch/shared';
import type { EventBus } from '../../plugins/event-bus';
import type { AgentIngest } from './agent-ingest';
import type { IngestBudget } from './ingest-budget';
import type { IngestHooks } from './ingest-hooks';
import { clampAgentTime, frameBytes, peekFrame, seqProblem } from './inbound-limits';
import { ClockSync } from './clock-sync';
import { closeReason } from './close-reason';
import { admitHello, helloProtocol, nodeFree, type HelloAdmission } from './hello-admission';

export const HELLO_TIMEOUT_MS = 10_000;
export const PING_INTERVAL_MS = 5_000;
export const PONG_TIMEOUT_MS = 15_000;
/** Not in the shared CloseCode set: only the server decides a peer went silent. */
export const CLOSE_PONG_TIMEOUT = 4408;

/** Admission (hello-admission.ts: credential, node binding, names) plus what a socket needs. */
export interface AgentConnectionDeps extends HelloAdmission {
  ingest: AgentIngest;
  /** Per-agent frame and byte budget (ingest-budget.ts), charged for every frame after the hello. */
  budget: IngestBudget;
  /** Agent times later than receive time + this are clamped (the original is kept). */
  clockSkewMs: number;
  /** For agent.logs only; every ingest event goes through `hooks` (which fan out on the bus). */
  bus: EventBus;
  /** The declared ingest order (ingest-hooks.ts, SPEC.md IH-*). */
  hooks: IngestHooks;
  now: () => number;
  log: FastifyBaseLogger;
  /** Overrides for tests; defaults are the protocol's 10 s / 5 s / 15 s. */
  timing?: { helloMs?: number; pingMs?: number; pongMs?: number };
}

/**
 * One agent socket. States: awaiting-hello → ready → closed. Frames are handled strictly in
 * arrival order through one promise chain (the hello needs a flush before its welcome).
 */
export class AgentConnection {
  private state: 'awaiting-hello' | 'ready' | 'closed' = 'awaiting-hello';
  private agentId: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastAccepted = 0;
  private committed = 0;
  private ackScheduled = false;
  private lastPongAt = 0;
  private pingId = 0;
  private readonly clock = new ClockSync();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: AgentConnectionDeps,
  ) {}

  /** Attaches every listener synchronously: nothing may run before the first frame can land. */
  start(): void {
    this.socket.on('message', (raw) => {
      this.chain = this.chain
        .then(() => this.handle(raw))
        .catch((err: unknown) => {
          this.deps.log.error({ err, agentId: this.agentId }, 'agent frame handling failed');
          this.close(1011, 'internal error');
        });
    });
    this.socket.on('close', () => this.onClosed());
    this.socket.on('error', (err) =>
      this.deps.log.warn({ err, agentId: this.agentId }, 'agent socket error'),
    );
    const helloMs = this.deps.timing?.helloMs ?? HELLO_TIMEOUT_MS;
    this.timers.push(
      setTimeout(() => {
        if (this.state === 'awaiting-hello')
          this.close(CloseCode.badFrame, `no hello within ${helloMs / 1000} s`);
      }, helloMs),
    );
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const t of this.timers) clearTimeout(t);
    this.deps.log.info({ agentId: this.agentId, code, reason }, 'closing agent socket');
    this.socket.close(code, closeReason(reason));
    // OR-3: offline the moment the server closes it (revoke, budget, replaced, pong timeout),
    // not when the peer finishes the closing handshake (up to 30 s for a frozen one).
    this.release();
  }

  private async handle(raw: RawData): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'ready' && !this.withinBudget(raw)) return;
    const decoded = agentToServerCodec.decode(raw);
    if (!decoded.ok) {
      if (this.state === 'ready') return this.onInvalid(raw, decoded.error);
      const protocol = helloProtocol(raw);
      if (protocol !== undefined && protocol !== PROTOCOL_VERSION)
        return this.rejectProtocol(protocol);
      return this.close(CloseCode.badFrame, decoded.error);
    }
    const msg = decoded.value;
    if (this.state === 'awaiting-hello') {
      if (msg.type !== 'hello')
        return this.close(CloseCode.badFrame, `expected hello as the first frame, got ${msg.type}`);
      return this.onHello(msg);
    }
    switch (msg.type) {
      case 'hello':
        return this.close(CloseCode.badFrame, 'hello sent twice on one connection');
      case 'pong':
        return this.onPong(msg);
      case 'snapshot':
      case 'vrrp.transition':
      case 'vip.change':
      case 'service.health':
      case 'vrrp.group':
      case 'upstream.health':
      case 'config.observed':
      case 'action.result':
      case 'probe.samples':
        return this.onData(msg);
      case 'stats':
        // Not durable (no seq, no ack): history keeps them as rolled-up series.
        this.deps.hooks.stats({
          agentId: this.agentId ?? '',
          sample: msg,
          at: this.deps.now(),
        });
        return;
      case 'log.lines':
        // Answers a logs.subscribe (modules/log-relay passes them on to the browsers).
        this.deps.bus.emit('agent.logs', {
          agentId: this.agentId ?? '',
          message: msg,
          at: this.deps.now(),
        });
        return;
    }
  }

  private rejectProtocol(protocol: number): void {
    this.close(
      CloseCode.protocolVersion,
      `protocol version ${protocol} not supported, server speaks ${PROTOCOL_VERSION}`,
    );
  }

  private async onHello(hello: AgentHello): Promise<void> {
    if (hello.protocol !== PROTOCOL_VERSION) return this.rejectProtocol(hello.protocol);
    const verdict = await admitHello(hello, this.deps);
    if (this.isClosed()) return;
    // ID-5's binding, then ID-4 again: the node may have been claimed during the awaits.
    const refused = !verdict.ok
      ? verdict
      : ((await verdict.bind?.()) ?? nodeFree(hello, this.deps.registry));
    if (this.isClosed()) return;
    if (refused) {
      this.deps.log.warn(
        { agentId: hello.agentId, node: hello.node, reason: refused.reason },
        'agent hello refused',
      );
      return this.close(refused.code, refused.reason);
    }
    const { ingest, registry, hooks, now } = this.deps;
    this.agentId = hello.agentId;
    registry.claim(hello.agentId, hello.node, this, now());
    // The replaced connection's last messages may still be queued: make them durable first
    // (only then: a commit per hello would be a fsync per hello in a reconnect storm).
    if (ingest.hasPending(hello.agentId)) {
      await ingest.flush();
      if (this.state === 'closed') return;
    }
    const at = now();
    ingest.hello(hello, at).catch((err: unknown) => {
      this.deps.log.error({ err, agentId: hello.agentId }, 'storing the agent row failed');
    });
    const storedSeq = await ingest.storedSeq(hello.agentId);
    if (this.isClosed()) return;
    this.lastAccepted = this.committed = storedSeq;
    this.state = 'ready';
    this.lastPongAt = at;
    this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      serverTime: at,
      ackedSeq: this.committed,
    });
    // IH-1: after the welcome (a stage may send on this socket), before any data of it.
    hooks.online({ agentId: hello.agentId, hello, at });
    this.deps.log.info(
      { agentId: hello.agentId, node: hello.node.name, ackedSeq: this.committed },
      'agent online',
    );
    // First ping at once: the clock offset is worth knowing before the first interval.
    this.tick();
    this.timers.push(setInterval(() => this.tick(), this.deps.timing?.pingMs ?? PING_INTERVAL_MS));
  }

  /** Read through a call: TypeScript would keep its narrowing across an await. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  /**
   * IL-1 (inbound-limits.ts): over budget, the frame is refused and the socket closed (4429):
   * acks are cumulative, so nothing after a refused data message could be acked on this
   * socket; the agent's outbox replays it after reconnecting.
   */
  private withinBudget(raw: RawData): boolean {
    const verdict = this.deps.budget.charge(this.agentId ?? '', frameBytes(raw));
    if (verdict.ok) return true;
    const { seq } = peekFrame(raw);
    this.send({
      type: 'refused',
      code: 'budget',
      reason: `${verdict.reason}: not stored; reconnect after ${verdict.retryAfterMs} ms and replay`,
      ...(seq !== null && { seq }),
      retryAfterMs: verdict.retryAfterMs,
    });
    this.deps.log.warn({ agentId: this.agentId, reason: verdict.reason }, 'agent over budget');
    this.close(
      CloseCode.overBudget,
      `over the message budget; retry after ${verdict.retryAfterMs} ms`,
    );
    return false;
  }

  /**
   * IL-2: a frame that breaks its schema after the hello is kept as a rejected event with its
   * reason and the socket stays up. A usable seq (next in line, not a jump) is taken and acked
   * once stored, so the agent does not replay it forever; any other seq is left alone.
   */
  private onInvalid(raw: RawData, reason: string): void {
    const agentId = this.agentId ?? '';
    const peeked = peekFrame(raw);
    const usable =
      peeked.seq !== null &&
      peeked.seq > this.lastAccepted &&
      seqProblem(peeked.seq, this.lastAccepted) === null
        ? peeked.seq
        : null;
    if (usable !== null) this.lastAccepted = usable;
    this.deps.log.warn({ agentId, reason, seq: peeked.seq }, 'agent frame rejected');
    this.send({
      type: 'refused',
      code: 'invalid',
      reason: `${reason} (kept as a rejected event${usable !== null ? ', acked' : ''})`,
      ...(peeked.seq !== null && { seq: peeked.seq }),
    });
    const stored = this.deps.ingest.reject(
      agentId,
      { seq: usable, type: peeked.type, reason, text: peeked.text },
      this.deps.now(),
    );
    this.afterCommit(stored, usable);
  }

  private onData(msg: AgentDataMessage): void {
    const agentId = this.agentId ?? '';
    if (msg.seq <= this.lastAccepted) {
      // A replay of something we have: re-ack (once it is durable) without storing it again.
      if (msg.seq <= this.committed) this.scheduleAck();
      return;
    }
    const jump = seqProblem(msg.seq, this.lastAccepted);
    if (jump !== null) {
      // IL-3: not stored, not acked; the socket stays up and the next real seq is taken.
      this.deps.log.warn({ agentId, seq: msg.seq, reason: jump }, 'agent seq refused');
      this.send({ type: 'refused', code: 'seq-jump', reason: jump, seq: msg.seq });
      return;
    }
    this.lastAccepted = msg.seq;
    const at = this.deps.now();
    // IL-4: an agent time past the receive time + the skew limit is clamped; the original kept.
    const { message, agentTs } = clampAgentTime(msg, at, this.deps.clockSkewMs);
    // IH-2: every stage sees it before it is queued, so their writes share its batch and its ack.
    this.deps.hooks.data({ agentId, message, at });
    this.afterCommit(this.deps.ingest.store(agentId, message, at, agentTs), msg.seq);
  }

  /** Acks `seq` (if any) once `stored` commits; a failed commit closes the socket unacked. */
  private afterCommit(stored: Promise<void>, seq: number | null): void {
    stored.then(
      () => {
        if (seq === null) return;
        this.committed = Math.max(this.committed, seq);
        this.scheduleAck();
      },
      (err: unknown) => {
        this.deps.log.error({ err, agentId: this.agentId }, 'storing agent event failed');
        this.close(1011, 'storage error');
      },
    );
  }

  private onPong(pong: AgentPong): void {
    const t3 = this.deps.now();
    this.lastPongAt = t3;
    const best = this.clock.add(pong.t0, pong.t1, pong.t2, t3);
    this.deps.hooks.clock({ agentId: this.agentId ?? '', ...best });
  }

  private tick(): void {
    const now = this.deps.now();
    const pongMs = this.deps.timing?.pongMs ?? PONG_TIMEOUT_MS;
    if (now - this.lastPongAt > pongMs) {
      this.close(CLOSE_PONG_TIMEOUT, `no pong for ${pongMs / 1000} s`);
      // A frozen or cut-off peer never completes the closing handshake; ws would wait ~30 s
      // before 'close' fires. Drop the TCP connection now so the agent shows offline at once.
      this.socket.terminate();
      return;
    }
    this.send({ type: 'ping', id: ++this.pingId, t0: now });
  }

  /** Acks are cumulative: one per burst of commits is enough. */
  private scheduleAck(): void {
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    queueMicrotask(() => {
      this.ackScheduled = false;
      this.send({ type: 'ack', seq: this.committed });
    });
  }

  /** For requests from other modules (actions): only on a welcomed, open socket. */
  deliver(msg: ServerToAgent): boolean {
    if (this.state !== 'ready' || this.socket.readyState !== this.socket.OPEN) return false;
    this.send(msg);
    return true;
  }

  private send(msg: ServerToAgent): void {
    if (this.state === 'closed' || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(serverToAgentCodec.encode(msg));
  }

  private onClosed(): void {
    for (const t of this.timers) clearTimeout(t);
    this.state = 'closed';
    this.release();
  }

  /** Leaves the registry once; only the agent's current connection makes it offline (OR-3). */
  private release(): void {
    const agentId = this.agentId;
    if (!agentId || !this.deps.registry.release(agentId, this)) return;
    const at = this.deps.now();
    try {
      this.deps.hooks.offline({ agentId, at });
    } catch (err) {
      // Runs in the socket's close listener: a throw here would take the process down.
      this.deps.log.error({ err, agentId }, 'an offline hook failed');
    }
    this.deps.ingest.touch(agentId, at).catch(() => {});
    this.deps.log.info({ agentId }, 'agent offline');
  }
}
