import type {
  LiveLogsStatus,
  LiveLogsSubscribe,
  LiveToBrowser,
  LogLines,
  LogsSubscribe,
  LogsUnsubscribe,
} from '@keepwatch/shared';

/*
 * Relays agents' log streams to browsers, on demand. A browser subscription names a cluster,
 * some nodes and sources; the relay asks each node's agent (`logs.subscribe`, one agent-side
 * subscription per browser subscription and node) and passes `log.lines` back, tagged with
 * the node. Bounded per subscriber: MAX_SUBS subscriptions per browser, LINES_PER_WINDOW lines
 * per WINDOW_MS per subscription, nothing sent to a socket with more than MAX_BUFFERED bytes
 * queued; dropped lines are announced (`logs.status` dropped), never silently lost. An agent
 * that is offline is asked again when it comes back (its stream ends with its connection).
 * Bounded per agent too, whatever the number of browsers: MAX_AGENT_STREAMS sources followed
 * at once (each is a `journalctl -f` or a file follower on the host), further asks are
 * rejected with the reason.
 */

export const MAX_SUBS = 4;
/** Log sources one agent follows at once, over all browsers (journald streams included). */
export const MAX_AGENT_STREAMS = 8;
export const LINES_PER_WINDOW = 2000;
export const WINDOW_MS = 10_000;
export const MAX_BUFFERED = 1024 * 1024;

/** A browser socket as the relay sees it. */
export interface RelayClient {
  send(msg: LiveToBrowser): void;
  /** Bytes queued on the socket and not yet sent. */
  buffered(): number;
}

export interface LogRelayDeps {
  agentFor(cluster: string, node: string): { agentId: string; online: boolean } | undefined;
  sendToAgent(agentId: string, msg: LogsSubscribe | LogsUnsubscribe): boolean;
  now: () => number;
}

interface NodeStream {
  /** Agent-side subscription id: unique on this server. */
  agentSub: string;
  node: string;
  agentId: string | undefined;
  /** The agent was asked and has not been told to stop, nor gone offline since. */
  active: boolean;
}

interface Subscription {
  client: RelayClient;
  id: string;
  request: LiveLogsSubscribe;
  streams: NodeStream[];
  windowStart: number;
  windowLines: number;
  dropped: number;
}

export class LogRelay {
  private readonly byClient = new Map<RelayClient, Map<string, Subscription>>();
  private readonly byAgentSub = new Map<string, { sub: Subscription; stream: NodeStream }>();
  private counter = 0;

  constructor(private readonly deps: LogRelayDeps) {}

  subscribe(client: RelayClient, request: LiveLogsSubscribe): void {
    const subs = this.byClient.get(client) ?? new Map<string, Subscription>();
    this.byClient.set(client, subs);
    this.unsubscribe(client, request.subscription);
    if (subs.size >= MAX_SUBS) {
      for (const node of request.nodes)
        this.status(
          client,
          request.subscription,
          node,
          'rejected',
          `at most ${MAX_SUBS} log subscriptions per browser`,
        );
      return;
    }
    const sub: Subscription = {
      client,
      id: request.subscription,
      request,
      streams: [],
      windowStart: this.deps.now(),
      windowLines: 0,
      dropped: 0,
    };
    subs.set(request.subscription, sub);
    for (const node of new Set(request.nodes)) {
      const stream: NodeStream = {
        agentSub: `kwlog-${++this.counter}`,
        node,
        agentId: undefined,
        active: false,
      };
      sub.streams.push(stream);
      this.byAgentSub.set(stream.agentSub, { sub, stream });
      this.ask(sub, stream, request.tail ?? 50);
    }
  }

  unsubscribe(client: RelayClient, id: string): void {
    const subs = this.byClient.get(client);
    const sub = subs?.get(id);
    if (!subs || !sub) return;
    subs.delete(id);
    for (const stream of sub.streams) {
      this.byAgentSub.delete(stream.agentSub);
      if (stream.agentId !== undefined)
        this.deps.sendToAgent(stream.agentId, {
          type: 'logs.unsubscribe',
          subscription: stream.agentSub,
        });
    }
  }

  /** The browser socket closed: every one of its streams ends. */
  drop(client: RelayClient): void {
    for (const id of [...(this.byClient.get(client)?.keys() ?? [])]) this.unsubscribe(client, id);
    this.byClient.delete(client);
  }

  /** Lines from an agent; only streams this relay asked that agent for are passed on. */
  lines(agentId: string, msg: LogLines): void {
    const entry = this.byAgentSub.get(msg.subscription);
    if (!entry || entry.stream.agentId !== agentId) return;
    const { sub, stream } = entry;
    const now = this.deps.now();
    if (now - sub.windowStart >= WINDOW_MS) {
      if (sub.dropped > 0)
        this.status(
          sub.client,
          sub.id,
          stream.node,
          'dropped',
          `${sub.dropped} lines dropped (too many, or the browser is behind)`,
        );
      sub.windowStart = now;
      sub.windowLines = 0;
      sub.dropped = 0;
    }
    const room = Math.max(0, LINES_PER_WINDOW - sub.windowLines);
    const behind = sub.client.buffered() > MAX_BUFFERED;
    const kept = behind ? [] : msg.lines.slice(0, room);
    sub.dropped += msg.lines.length - kept.length;
    sub.windowLines += kept.length;
    if (kept.length === 0) return;
    sub.client.send({
      type: 'log.lines',
      subscription: sub.id,
      node: stream.node,
      source: msg.source,
      lines: kept,
    });
  }

  /** An agent (re)connected: streams waiting for its node are asked for now. */
  online(agentId: string, cluster: string, node: string): void {
    for (const { sub, stream } of this.byAgentSub.values()) {
      if (sub.request.cluster !== cluster || stream.node !== node) continue;
      // New lines only: the tail was sent before the cut (or the browser asked with it).
      this.ask(sub, stream, stream.agentId === undefined ? (sub.request.tail ?? 50) : 0, agentId);
    }
  }

  /** An agent's socket closed: its streams ended with it. */
  offline(agentId: string): void {
    for (const { sub, stream } of this.byAgentSub.values()) {
      if (stream.agentId !== agentId) continue;
      stream.active = false;
      this.status(
        sub.client,
        sub.id,
        stream.node,
        'offline',
        'agent offline: waiting for it to reconnect',
      );
    }
  }

  get subscriptions(): number {
    let n = 0;
    for (const subs of this.byClient.values()) n += subs.size;
    return n;
  }

  /** Sources an agent follows now for this relay. */
  private streamsOf(agentId: string): number {
    let n = 0;
    for (const { sub, stream } of this.byAgentSub.values())
      if (stream.active && stream.agentId === agentId) n += sub.request.sources.length;
    return n;
  }

  private ask(sub: Subscription, stream: NodeStream, tail: number, knownAgent?: string): void {
    const found =
      knownAgent === undefined
        ? this.deps.agentFor(sub.request.cluster, stream.node)
        : { agentId: knownAgent, online: true };
    if (!found) {
      this.status(
        sub.client,
        sub.id,
        stream.node,
        'rejected',
        `no node ${stream.node} in cluster ${sub.request.cluster}`,
      );
      return;
    }
    stream.agentId = found.agentId;
    const busy = this.streamsOf(found.agentId);
    if (found.online && busy + sub.request.sources.length > MAX_AGENT_STREAMS) {
      // Given up for good (not retried on reconnect): the browser may ask again later.
      this.byAgentSub.delete(stream.agentSub);
      stream.agentId = undefined;
      this.status(
        sub.client,
        sub.id,
        stream.node,
        'rejected',
        `node ${stream.node} already streams ${busy} logs (at most ${MAX_AGENT_STREAMS} per agent): close another log view`,
      );
      return;
    }
    const sent =
      found.online &&
      this.deps.sendToAgent(found.agentId, {
        type: 'logs.subscribe',
        subscription: stream.agentSub,
        sources: sub.request.sources,
        tail,
      });
    stream.active = sent;
    if (sent) this.status(sub.client, sub.id, stream.node, 'streaming');
    else
      this.status(
        sub.client,
        sub.id,
        stream.node,
        'offline',
        'agent offline: waiting for it to reconnect',
      );
  }

  private status(
    client: RelayClient,
    subscription: string,
    node: string,
    state: LiveLogsStatus['state'],
    message?: string,
  ): void {
    client.send({
      type: 'logs.status',
      subscription,
      node,
      state,
      ...(message !== undefined && { message }),
    });
  }
}
