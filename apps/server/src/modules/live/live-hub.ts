import type { WebSocket } from 'ws';
import {
  PROTOCOL_VERSION,
  liveToBrowserCodec,
  type LiveToBrowser,
  type StatusCluster,
} from '@keepwatch/shared';
import type { ClusterStore } from '../status/cluster-store';

/** A browser that cannot drain this much is too slow to be live; it reconnects for a snapshot. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/**
 * A heartbeat this often lets a browser notice a half-open socket (a laptop waking up, a NAT
 * that forgot the flow): it reconnects when it hears nothing for ~2.5 intervals.
 */
export const LIVE_HEARTBEAT_MS = 10_000;

export interface LiveHubOptions {
  now?: () => number;
  heartbeatMs?: number;
  /** Extra messages a new client gets right after its snapshot (the alert lists…). */
  onJoin?: () => LiveToBrowser[];
}

/**
 * Fans cluster changes out to browsers as patches. Changes are coalesced per event-loop turn
 * (setImmediate: a VIP move must reach the browser in milliseconds, not a polling period),
 * and a cluster is only sent when its derived JSON actually changed. One rev for all clients.
 */
export class LiveHub {
  private readonly clients = new Set<WebSocket>();
  private readonly lastSent = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private immediate: NodeJS.Immediate | undefined;
  private rev = 0;
  private readonly now: () => number;
  private readonly heartbeatMs: number;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly store: ClusterStore,
    private readonly opts: LiveHubOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.heartbeatMs = opts.heartbeatMs ?? LIVE_HEARTBEAT_MS;
    this.heartbeat = setInterval(
      () => this.broadcast({ type: 'heartbeat', at: this.now() }),
      this.heartbeatMs,
    );
    this.heartbeat.unref();
  }

  /** Sends hello + snapshot, then keeps the client in the patch fan-out until it closes. */
  add(socket: WebSocket): void {
    this.flush();
    const status = this.store.status();
    for (const c of status.clusters) this.lastSent.set(c.id, JSON.stringify(c));
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    const hello = { type: 'hello', protocol: PROTOCOL_VERSION, heartbeatMs: this.heartbeatMs };
    socket.send(liveToBrowserCodec.encode(hello as LiveToBrowser));
    socket.send(liveToBrowserCodec.encode({ type: 'snapshot', rev: this.rev, status }));
    for (const msg of this.opts.onJoin?.() ?? []) socket.send(liveToBrowserCodec.encode(msg));
  }

  /** Sends one message to every client (alerts, heartbeats…); patches go through changed(). */
  sendAll(msg: LiveToBrowser): void {
    this.broadcast(msg);
  }

  changed(clusterIds: readonly string[]): void {
    for (const id of clusterIds) this.dirty.add(id);
    this.immediate ??= setImmediate(() => this.flush());
  }

  get clientCount(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.heartbeat);
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.clients.clear();
  }

  private flush(): void {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    const ids = [...this.dirty].sort();
    this.dirty.clear();
    if (this.clients.size === 0) {
      // Nobody to patch: the next client starts from a fresh snapshot anyway.
      this.lastSent.clear();
      return;
    }
    const upsert: StatusCluster[] = [];
    const remove: string[] = [];
    for (const id of ids) {
      const cluster = this.store.cluster(id);
      if (!cluster) {
        if (this.lastSent.delete(id)) remove.push(id);
        continue;
      }
      const json = JSON.stringify(cluster);
      if (this.lastSent.get(id) === json) continue;
      this.lastSent.set(id, json);
      upsert.push(cluster);
    }
    if (upsert.length === 0 && remove.length === 0) return;
    this.broadcast({ type: 'patch', rev: ++this.rev, at: this.now(), upsert, remove });
  }

  private broadcast(msg: LiveToBrowser): void {
    if (this.clients.size === 0) return;
    const frame = liveToBrowserCodec.encode(msg);
    for (const socket of this.clients) {
      if (socket.readyState !== socket.OPEN) continue;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.close(1013, 'client too slow for the live feed; reconnect');
        continue;
      }
      socket.send(frame);
    }
  }
}
