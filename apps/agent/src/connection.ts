import WebSocket from 'ws';
import {
  CloseCode,
  PROTOCOL_VERSION,
  agentToServerCodec,
  serverToAgentCodec,
  type AgentDataMessage,
  type AgentHello,
  type AgentToServer,
  type LogLines,
  type ServerToAgent,
  type StatsSample,
} from '@keepwatch/shared';
import type { Logger } from './log';
import { checkOutgoing } from './outgoing';
import type { DataMessageInput, Outbox } from './outbox';
import { Backoff, sleep } from './timing';

/*
 * The agent's one socket to the panel (/api/v1/agent/ws).
 *
 *   open            -> send hello
 *   welcome{acked}  -> outbox drops <= acked; the rest of the outbox is replayed in seq
 *                      order, then a fresh snapshot (the newest seq), then live messages.
 *                      Strict seq order matters: the server deduplicates by "seq <= the
 *                      highest stored", so anything sent after a higher seq would be lost.
 *   ack{seq}        -> outbox drops <= seq
 *   ping{id,t0}     -> pong{id,t0,t1,t2}
 *   action.request, logs.subscribe, logs.unsubscribe -> onRequest (the agent's handlers)
 *   close           -> onDisconnected, then reconnect after exponential backoff with full jitter;
 *                      4401/4403/4426 (credential, node binding, protocol) retry slowly.
 *                      With server replicas, each new attempt goes to the next URL in turn: a
 *                      replica that died is left at once for another (they share one store,
 *                      and the outbox replays what the dead one never acknowledged).
 * Every inbound frame is decoded with the compiled validator before any handler runs;
 * a frame that does not decode is logged and ignored.
 */

export interface ConnectionOptions {
  /** ws:// or wss:// base URL of the panel. */
  url: string;
  /** Base URLs of the panel's other replicas (same store), tried in turn after `url`. */
  replicas?: readonly string[];
  outbox: Outbox;
  log: Logger;
  hello: () => AgentHello;
  snapshot: () => DataMessageInput;
  backoffMs?: { base: number; max: number };
  /** Delay range after the server refused our credentials or protocol version. */
  refusedRetryMs?: number;
  /**
   * A socket that received nothing (not even a pong to our ping) for two of these periods
   * is dead: a cut cable gives no FIN, and TCP alone would notice only after many minutes.
   */
  heartbeatMs?: number;
  /**
   * TLS trust for wss:// (CA bundle, or a fingerprint-pinning connect), from tls-connect.ts,
   * and the upgrade's headers (the agent credential, see agent.ts).
   */
  wsOptions?: Pick<WebSocket.ClientOptions, 'ca' | 'createConnection' | 'headers'>;
  /** Requests from the server (decoded and validated). */
  onRequest?: (msg: ServerRequest) => void;
  /** The socket closed: per-connection state (log subscriptions) ends. */
  onDisconnected?: () => void;
}

export type ServerRequest = Exclude<
  ServerToAgent,
  { type: 'welcome' | 'ack' | 'ping' | 'refused' }
>;

interface Session {
  ws: WebSocket;
  welcomed: boolean;
  /** Highest seq sent on this socket; live messages above it go out as they become durable. */
  sentUpTo: number;
}

/** Closes that retrying soon cannot fix: a credential, a node binding, a protocol version. */
const REFUSED = new Set<number>([
  CloseCode.unauthorized,
  CloseCode.identity,
  CloseCode.protocolVersion,
]);

export function agentSocketUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/v1/agent/ws`;
}

export class Connection {
  private session: Session | undefined;
  private loop: Promise<void> | undefined;
  private readonly backoff: Backoff;

  constructor(private readonly opts: ConnectionOptions) {
    const b = opts.backoffMs ?? { base: 250, max: 10_000 };
    this.backoff = new Backoff(b.base, b.max);
    opts.outbox.onDurable((msgs) => this.sendLive(msgs));
  }

  start(signal: AbortSignal): void {
    this.loop = this.run(signal);
  }

  async stopped(): Promise<void> {
    await this.loop;
  }

  /** True once the server welcomed us on the current socket. */
  get ready(): boolean {
    return this.session?.welcomed === true && this.session.ws.readyState === WebSocket.OPEN;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const urls = [this.opts.url, ...(this.opts.replicas ?? [])].map(agentSocketUrl);
    for (let attempt = 0; !signal.aborted; attempt++) {
      const url = urls[attempt % urls.length] ?? agentSocketUrl(this.opts.url);
      const { code, reason, welcomed } = await this.connectOnce(url, signal);
      if (signal.aborted) break;
      if (welcomed) this.backoff.reset();
      let delay = this.backoff.next();
      if (REFUSED.has(code)) {
        // The operator has to fix the token or upgrade something: keep trying, slowly.
        delay = Math.round((this.opts.refusedRetryMs ?? 30_000) * (0.5 + Math.random() / 2));
        this.opts.log.error('server refused this agent', { code, reason, retryInMs: delay, url });
      } else {
        const next = urls[(attempt + 1) % urls.length];
        this.opts.log.warn('disconnected from server', {
          code,
          reason,
          retryInMs: delay,
          url,
          ...(urls.length > 1 && { next }),
        });
      }
      await sleep(delay, signal);
    }
  }

  private connectOnce(
    url: string,
    signal: AbortSignal,
  ): Promise<{ code: number; reason: string; welcomed: boolean }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, { handshakeTimeout: 10_000, ...this.opts.wsOptions });
      const session: Session = { ws, welcomed: false, sentUpTo: 0 };
      this.session = session;
      // Attached synchronously, before anything async: no frame can be missed.
      ws.on('message', (data: WebSocket.RawData) => this.onFrame(session, data, Date.now()));
      ws.on('open', () => {
        this.opts.log.info('connected, sending hello', { url });
        this.send(session, this.opts.hello());
      });
      const stopHeartbeat = this.heartbeat(ws);
      let lastError = '';
      ws.on('error', (err) => (lastError = err.message));
      const onAbort = (): void => {
        ws.close(1000, 'agent stopping');
        // A server that does not answer the close handshake must not hold up shutdown.
        setTimeout(() => ws.terminate(), 1000).unref();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      ws.on('close', (code, reason) => {
        stopHeartbeat();
        signal.removeEventListener('abort', onAbort);
        if (this.session === session) this.session = undefined;
        this.opts.onDisconnected?.();
        resolve({ code, reason: reason.toString('utf8') || lastError, welcomed: session.welcomed });
      });
    });
  }

  private heartbeat(ws: WebSocket): () => void {
    let alive = true;
    const mark = (): void => {
      alive = true;
    };
    ws.on('message', mark);
    ws.on('pong', mark);
    const timer = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!alive) {
        this.opts.log.warn('server silent for too long: dropping the socket');
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, this.opts.heartbeatMs ?? 15_000);
    return () => clearInterval(timer);
  }

  private onFrame(session: Session, data: WebSocket.RawData, receivedAt: number): void {
    const decoded = serverToAgentCodec.decode(data);
    if (!decoded.ok) {
      this.opts.log.warn('ignored a bad frame from the server', { error: decoded.error });
      return;
    }
    this.handle(session, decoded.value, receivedAt).catch((err: unknown) =>
      this.opts.log.error('failed to handle server message', { err }),
    );
  }

  private async handle(session: Session, msg: ServerToAgent, receivedAt: number): Promise<void> {
    switch (msg.type) {
      case 'welcome':
        await this.onWelcome(session, msg.ackedSeq, msg.protocol);
        return;
      case 'ack':
        this.opts.outbox.ack(msg.seq);
        return;
      case 'ping':
        this.send(session, {
          type: 'pong',
          id: msg.id,
          t0: msg.t0,
          t1: receivedAt,
          t2: Date.now(),
        });
        return;
      case 'refused':
        // Not stored (budget, seq jump: the outbox replays it later) or kept as rejected (invalid).
        this.opts.log.warn('the server refused a message', {
          code: msg.code,
          reason: msg.reason,
          ...(msg.seq !== undefined && { seq: msg.seq }),
        });
        return;
      case 'action.request':
      case 'logs.subscribe':
      case 'logs.unsubscribe':
        // The server sends requests only after its welcome, but our welcome handling may
        // still be flushing the outbox: results are durable messages, so no need to wait.
        this.opts.onRequest?.(msg);
    }
  }

  private async onWelcome(session: Session, ackedSeq: number, protocol: number): Promise<void> {
    if (protocol !== PROTOCOL_VERSION) {
      this.opts.log.warn('server speaks another protocol version', {
        ours: PROTOCOL_VERSION,
        theirs: protocol,
      });
    }
    const { outbox } = this.opts;
    await outbox.welcome(ackedSeq);
    const snap = outbox.append(this.opts.snapshot());
    await outbox.flush();
    if (session.ws.readyState !== WebSocket.OPEN) return;
    const pending = outbox.pending();
    this.opts.log.info('welcomed', { ackedSeq, snapshotSeq: snap?.seq, replay: pending.length });
    for (const m of pending) this.send(session, m);
    session.sentUpTo = Math.max(snap?.seq ?? outbox.ackedSeq, ...pending.map((m) => m.seq));
    session.welcomed = true;
  }

  /** Non-durable messages (stats, log lines): sent if welcomed now, dropped otherwise. */
  sendTransient(msg: StatsSample | LogLines): boolean {
    const s = this.session;
    if (!s?.welcomed || s.ws.readyState !== WebSocket.OPEN) return false;
    // Log lines are the one bulky transient: never let them queue up behind a slow link.
    if (msg.type === 'log.lines' && s.ws.bufferedAmount > 4 * 1024 * 1024) return false;
    this.send(s, msg);
    return true;
  }

  private sendLive(msgs: AgentDataMessage[]): void {
    const s = this.session;
    if (!s?.welcomed || s.ws.readyState !== WebSocket.OPEN) return;
    for (const m of msgs) {
      if (m.seq <= s.sentUpTo) continue;
      this.send(s, m);
      s.sentUpTo = m.seq;
    }
  }

  private send(session: Session, msg: AgentToServer): void {
    if (session.ws.readyState !== WebSocket.OPEN) return;
    // Data messages were fitted and checked before they entered the outbox (outgoing.ts);
    // the rest (hello, pong, stats, logs) are checked here: a frame the server cannot decode
    // would close the socket.
    if (!('seq' in msg)) {
      const r = checkOutgoing(msg);
      if (!r.ok) {
        this.opts.log.error('not sent: the frame does not fit the protocol schema', {
          type: msg.type,
          reason: r.error,
        });
        return;
      }
    }
    session.ws.send(agentToServerCodec.encode(msg), (err) => {
      if (err) this.opts.log.debug('send failed (socket closing)', { err: err.message });
    });
  }
}
