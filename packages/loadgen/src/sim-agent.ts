import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  agentAuthorization,
  createCodec,
  ServerToAgent,
  type AgentDataMessage,
  type AgentHello,
  type AgentSnapshot,
} from '@keepwatch/shared';

/** A ws frame as text (ws hands a Buffer, or Buffer[] for fragmented frames). */
function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

/*
 * One simulated agent speaking protocol v1 (packages/shared agent-messages.ts) as the real
 * agent does: hello first, replay of everything not yet acknowledged after the welcome's
 * ackedSeq, live messages with seq/ts, pongs with four timestamps, stats every 5 s, and a
 * reconnect with jittered backoff when the socket drops. Kept apart from apps/agent on
 * purpose: a load generator must not share the code it measures.
 */

const serverCodec = createCodec(ServerToAgent);

export interface SimAgentOptions {
  url: string;
  /** Other replicas' agent socket URLs: each new attempt goes to the next one in turn, as the agent's. */
  replicas?: readonly string[];
  token: string;
  clusterId: string;
  name: string;
  /** Holds the VIP at start (the pair's MASTER). */
  master: boolean;
  vip: string;
  address: string;
  statsEveryMs: number;
  onWelcome: (agent: SimAgent) => void;
}

export class SimAgent {
  seq = 0;
  acked = 0;
  sent = 0;
  connects = 0;
  badFrames = 0;
  refused = 0;
  master: boolean;
  private ws: WebSocket | undefined;
  private readonly unacked: AgentDataMessage[] = [];
  private statsTimer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private online = false;
  private replayed = 0;
  private attempt = -1;
  /** Seqs whose ack is timed (timeAck), oldest first, with when they were sent (Date.now()). */
  private readonly timed: { seq: number; at: number }[] = [];
  /** Sent → acked (stored at the home) of each timed seq, ms. */
  readonly ackDelays: number[] = [];

  constructor(private readonly o: SimAgentOptions) {
    this.master = o.master;
  }

  get clusterId(): string {
    return this.o.clusterId;
  }

  get agentId(): string {
    return `bench-${this.o.clusterId}-${this.o.name}`;
  }

  get isOnline(): boolean {
    return this.online;
  }

  /** The URL of the current (or last) attempt: which replica this agent is on. */
  get url(): string {
    const urls = [this.o.url, ...(this.o.replicas ?? [])];
    return urls[Math.max(0, this.attempt) % urls.length] ?? this.o.url;
  }

  start(): void {
    this.attempt += 1;
    // The credential goes on the upgrade too (the server refuses an agent socket without it).
    const ws = new WebSocket(this.url, {
      perMessageDeflate: false,
      headers: { authorization: agentAuthorization(this.agentId, this.o.token) },
    });
    this.ws = ws;
    // Listeners first: nothing the server sends may be dropped.
    ws.on('message', (data) => this.onFrame(rawText(data)));
    ws.on('open', () => ws.send(JSON.stringify(this.hello())));
    ws.on('error', () => undefined);
    ws.on('close', () => this.onClose());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.statsTimer);
    this.ws?.terminate();
  }

  /** The pair's failover, as keepalived and the kernel report it on this host. */
  failover(toMaster: boolean, now: number): void {
    this.master = toMaster;
    this.send({
      type: 'vrrp.transition',
      seq: ++this.seq,
      ts: now,
      instance: 'VI_1',
      state: toMaster ? 'MASTER' : 'BACKUP',
      effectivePriority: toMaster ? 100 : 90,
      source: 'fifo',
    });
    this.send({
      type: 'vip.change',
      seq: ++this.seq,
      ts: now,
      action: toMaster ? 'add' : 'remove',
      address: { address: this.o.vip, prefix: 24, interface: 'eth0' },
    });
  }

  private hello(): AgentHello {
    return {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      agentId: this.agentId,
      token: this.o.token,
      node: {
        name: this.o.name,
        role: 'lb',
        cluster: { id: this.o.clusterId, name: this.o.clusterId },
      },
      facts: { hostname: this.o.name, agentVersion: 'loadgen' },
      capabilities: { observe: ['keepalived', 'vip', 'nginx'], control: [] },
    };
  }

  private snapshot(now: number): AgentSnapshot {
    return {
      type: 'snapshot',
      seq: ++this.seq,
      ts: now,
      vrrp: [
        {
          instance: 'VI_1',
          state: this.master ? 'MASTER' : 'BACKUP',
          priority: this.master ? 100 : 90,
          effectivePriority: this.master ? 100 : 90,
          vrid: 51,
          vips: [this.o.vip],
        },
      ],
      addresses: [
        { address: this.o.address, prefix: 24, interface: 'eth0' },
        ...(this.master ? [{ address: this.o.vip, prefix: 24, interface: 'eth0' }] : []),
      ],
      services: {
        nginx: { healthy: true, checkedAt: now },
        keepalived: { healthy: true, checkedAt: now },
      },
      keepalivedRunning: true,
    };
  }

  private send(m: AgentDataMessage): void {
    this.unacked.push(m);
    this.sent += 1;
    if (this.online) this.ws?.send(JSON.stringify(m));
  }

  private onFrame(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.badFrames += 1;
      return;
    }
    const r = serverCodec.check(parsed);
    if (!r.ok) {
      this.badFrames += 1;
      return;
    }
    const m = r.value;
    switch (m.type) {
      case 'welcome':
        this.onWelcome(m.ackedSeq);
        break;
      case 'ack':
        this.ackUpTo(m.seq);
        break;
      case 'ping': {
        const t1 = Date.now();
        this.ws?.send(JSON.stringify({ type: 'pong', id: m.id, t0: m.t0, t1, t2: Date.now() }));
        break;
      }
      case 'refused':
        // A well-behaved simulated agent is never refused: count it like a bad frame.
        this.refused += 1;
        break;
      case 'action.request':
      case 'logs.subscribe':
      case 'logs.unsubscribe':
        // Monitor-only agents: no actions, no log streams (the server asks none of them here).
        break;
    }
  }

  private onWelcome(ackedSeq: number): void {
    this.connects += 1;
    this.online = true;
    this.ackUpTo(ackedSeq);
    if (this.seq < ackedSeq) this.seq = ackedSeq;
    for (const m of this.unacked) this.ws?.send(JSON.stringify(m));
    this.replayed += this.unacked.length;
    this.send(this.snapshot(Date.now()));
    clearInterval(this.statsTimer);
    // Stats are not sequenced (not in the outbox): lost with the socket, as in the agent.
    this.statsTimer = setInterval(() => {
      const nginx = {
        active: 3,
        accepts: 10,
        handled: 10,
        requests: 20,
        reading: 0,
        writing: 1,
        waiting: 2,
      };
      this.ws?.send(JSON.stringify({ type: 'stats', ts: Date.now(), nginx }));
    }, this.o.statsEveryMs);
    this.o.onWelcome(this);
  }

  /** Times the ack of `seq`, sent at `sentAt` (Date.now()): ackDelays gets sent → acked. */
  timeAck(seq: number, sentAt: number): void {
    this.timed.push({ seq, at: sentAt });
  }

  private ackUpTo(seq: number): void {
    if (seq > this.acked) this.acked = seq;
    const now = Date.now();
    while ((this.timed[0]?.seq ?? Infinity) <= seq) {
      const t = this.timed.shift();
      if (t) this.ackDelays.push(now - t.at);
    }
    while (this.unacked.length > 0 && (this.unacked[0]?.seq ?? Infinity) <= seq)
      this.unacked.shift();
  }

  private onClose(): void {
    this.online = false;
    clearInterval(this.statsTimer);
    if (this.stopped) return;
    // Jittered reconnect like the agent's, so a restart does not bring one synchronized storm.
    this.retry = setTimeout(() => this.start(), 500 + Math.random() * 2000);
  }

  get unackedCount(): number {
    return this.unacked.length;
  }

  /** Messages sent again after a welcome (not acked before the socket went). */
  get replayedCount(): number {
    return this.replayed;
  }
}
