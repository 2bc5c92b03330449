import type { WebSocket } from 'ws';
import {
  PROTOCOL_VERSION,
  liveToBrowserCodec,
  type LivePatch,
  type StatusCluster,
} from '@keepwatch/shared';
import type { ClusterStore } from '../status/cluster-store';

/** A browser that cannot drain this much is too slow to be live; it reconnects for a snapshot. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

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

  constructor(
    private readonly store: ClusterStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sends hello + snapshot, then keeps the client in the patch fan-out until it closes. */
  add(socket: WebSocket): void {
    this.flush();
    const status = this.store.status();
    for (const c of status.clusters) this.lastSent.set(c.id, JSON.stringify(c));
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    socket.send(liveToBrowserCodec.encode({ type: 'hello', protocol: PROTOCOL_VERSION }));
    socket.send(liveToBrowserCodec.encode({ type: 'snapshot', rev: this.rev, status }));
  }

  changed(clusterIds: readonly string[]): void {
    for (const id of clusterIds) this.dirty.add(id);
    this.immediate ??= setImmediate(() => this.flush());
  }

  get clientCount(): number {
    return this.clients.size;
  }

  close(): void {
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

  private broadcast(patch: LivePatch): void {
    const frame = liveToBrowserCodec.encode(patch);
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
