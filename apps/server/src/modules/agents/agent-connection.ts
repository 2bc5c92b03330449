import type { WebSocket, RawData } from 'ws';
import {
  CloseCode,
  PROTOCOL_VERSION,
  agentToServerCodec,
  serverToAgentCodec,
  type AgentHello,
  type ServerToAgent,
} from '@keepwatch/shared';
import { AgentDataPath } from './agent-data-path';
import { AgentHeartbeat } from './agent-heartbeat';
import { closeReason } from './close-reason';
import { HELLO_TIMEOUT_MS, type AgentConnectionDeps, type ConnectionPort } from './connection-deps';
import { admitHello, helloProtocol, nodeFree } from './hello-admission';

export {
  CLOSE_PONG_TIMEOUT,
  HELLO_TIMEOUT_MS,
  PING_INTERVAL_MS,
  PONG_TIMEOUT_MS,
  type AgentConnectionDeps,
} from './connection-deps';

/**
 * One agent socket. States: awaiting-hello → ready → closed. Frames are handled strictly in
 * arrival order through one promise chain (the hello needs a flush before its welcome). The
 * hello is handled here; after it, sequenced frames go to the data path (agent-data-path.ts)
 * and pongs to the heartbeat (agent-heartbeat.ts).
 */
export class AgentConnection {
  private state: 'awaiting-hello' | 'ready' | 'closed' = 'awaiting-hello';
  private agentId: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Frames queued on `chain` and not yet started. */
  private queued = 0;
  private helloTimer: NodeJS.Timeout | undefined;
  private readonly data: AgentDataPath;
  private readonly heartbeat: AgentHeartbeat;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: AgentConnectionDeps,
  ) {
    const port: ConnectionPort = {
      agentId: () => this.agentId ?? '',
      send: (msg) => this.send(msg),
      close: (code, reason) => this.close(code, reason),
      terminate: () => this.socket.terminate(),
    };
    this.data = new AgentDataPath(deps, port);
    this.heartbeat = new AgentHeartbeat(deps, port);
  }

  /** Attaches every listener synchronously: nothing may run before the first frame can land. */
  start(): void {
    const failed = (err: unknown): void => {
      this.deps.log.error({ err, agentId: this.agentId }, 'agent frame handling failed');
      this.close(1011, 'internal error');
    };
    this.socket.on('message', (raw) => {
      // Only the hello awaits: once it is done and nothing waits behind it, a frame is handled
      // at once, in arrival order all the same (issue 11: three promises per frame otherwise).
      if (this.queued === 0 && this.state !== 'awaiting-hello') {
        try {
          this.handle(raw)?.catch(failed);
        } catch (err) {
          failed(err);
        }
        return;
      }
      this.queued += 1;
      this.chain = this.chain
        .then(() => {
          this.queued -= 1;
          return this.handle(raw);
        })
        .catch(failed);
    });
    this.socket.on('close', () => this.onClosed());
    this.socket.on('error', (err) =>
      this.deps.log.warn({ err, agentId: this.agentId }, 'agent socket error'),
    );
    const helloMs = this.deps.timing?.helloMs ?? HELLO_TIMEOUT_MS;
    this.helloTimer = setTimeout(() => {
      if (this.state === 'awaiting-hello')
        this.close(CloseCode.badFrame, `no hello within ${helloMs / 1000} s`);
    }, helloMs);
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stopTimers();
    this.deps.log.info({ agentId: this.agentId, code, reason }, 'closing agent socket');
    this.socket.close(code, closeReason(reason));
    // OR-3: offline the moment the server closes it (revoke, budget, replaced, pong timeout),
    // not when the peer finishes the closing handshake (up to 30 s for a frozen one).
    this.release();
  }

  /** Synchronous but for the hello (whose promise the chain waits for). */
  private handle(raw: RawData): Promise<void> | void {
    if (this.state === 'closed') return;
    if (this.state === 'ready' && !this.data.withinBudget(raw)) return;
    const decoded = agentToServerCodec.decode(raw);
    if (!decoded.ok) {
      if (this.state === 'ready') return this.data.onInvalid(raw, decoded.error);
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
        return this.heartbeat.onPong(msg);
      case 'snapshot':
      case 'vrrp.transition':
      case 'vip.change':
      case 'service.health':
      case 'vrrp.group':
      case 'upstream.health':
      case 'config.observed':
      case 'action.result':
      case 'probe.samples':
        return this.data.onData(msg);
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
    this.data.resume(storedSeq);
    this.state = 'ready';
    this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      serverTime: at,
      ackedSeq: storedSeq,
    });
    // IH-1: after the welcome (a stage may send on this socket), before any data of it.
    hooks.online({ agentId: hello.agentId, hello, at });
    this.deps.log.info(
      { agentId: hello.agentId, node: hello.node.name, ackedSeq: storedSeq },
      'agent online',
    );
    this.heartbeat.start(at);
  }

  /** Read through a call: TypeScript would keep its narrowing across an await. */
  private isClosed(): boolean {
    return this.state === 'closed';
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

  private stopTimers(): void {
    clearTimeout(this.helloTimer);
    this.heartbeat.stop();
  }

  private onClosed(): void {
    this.stopTimers();
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
