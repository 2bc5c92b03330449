import WebSocket from 'ws';
import { liveToBrowserCodec, type StatusCluster, type StatusResponse } from '@keepwatch/shared';

type Predicate = (status: StatusResponse) => boolean;

interface Waiter {
  predicate: Predicate;
  resolve: (status: StatusResponse) => void;
}

/**
 * Follows the server's browser live feed exactly as the dashboard does (snapshot, then
 * patches), so a test waits for a state to appear instead of polling or sleeping, and
 * measures when it appeared.
 */
export class LiveWatcher {
  private status: StatusResponse | undefined;
  private rev = -1;
  private readonly waiters = new Set<Waiter>();
  private readonly socket: WebSocket;
  readonly ready: Promise<void>;
  /** When each patch arrived (Date.now()) and the server's `at` stamp on it. */
  readonly patches: { receivedAt: number; at: number; rev: number }[] = [];

  constructor(baseUrl: string, token: string) {
    const url = `${baseUrl.replace(/^http/, 'ws')}/api/v1/live`;
    this.socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.on('message', (raw: Buffer) => {
        if (this.onFrame(raw)) resolve();
      });
      this.socket.once('close', (code, reason) =>
        reject(new Error(`live socket closed ${code} ${reason.toString()}`)),
      );
    });
  }

  /** Returns true once a snapshot has been applied. */
  private onFrame(raw: Buffer): boolean {
    const decoded = liveToBrowserCodec.decode(raw);
    if (!decoded.ok) throw new Error(`bad live frame: ${decoded.error}`);
    const msg = decoded.value;
    if (msg.type !== 'snapshot' && msg.type !== 'patch') return false;
    if (msg.type === 'snapshot') {
      this.status = msg.status;
      this.rev = msg.rev;
    } else {
      if (!this.status) return false;
      if (msg.rev !== this.rev + 1) throw new Error(`live feed rev gap: ${this.rev} -> ${msg.rev}`);
      this.patches.push({ receivedAt: Date.now(), at: msg.at, rev: msg.rev });
      this.rev = msg.rev;
      this.status = applyPatch(this.status, msg.upsert, msg.remove);
    }
    this.settle();
    return true;
  }

  private settle(): void {
    const status = this.status;
    if (!status) return;
    for (const waiter of this.waiters) {
      if (waiter.predicate(status)) {
        this.waiters.delete(waiter);
        waiter.resolve(status);
      }
    }
  }

  current(): StatusResponse | undefined {
    return this.status;
  }

  /**
   * Resolves with the first status (current or future) that satisfies the predicate;
   * rejects after `timeoutMs` with what was last seen, so a failure explains itself.
   */
  waitFor(what: string, predicate: Predicate, timeoutMs: number): Promise<StatusResponse> {
    const status = this.status;
    if (status && predicate(status)) return Promise.resolve(status);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for: ${what}\nlast status: ${summarize(this.status)}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.socket.close();
  }
}

export function applyPatch(
  status: StatusResponse,
  upsert: StatusCluster[],
  remove: string[],
): StatusResponse {
  const byId = new Map(status.clusters.map((c) => [c.id, c]));
  for (const id of remove) byId.delete(id);
  for (const c of upsert) byId.set(c.id, c);
  return { ...status, clusters: [...byId.values()] };
}

/** One line per node and VIP: enough to see why a wait failed. */
export function summarize(status: StatusResponse | undefined): string {
  if (!status) return '(no snapshot yet)';
  return status.clusters
    .map((c) => {
      const vips = c.vips.map((v) => `${v.address}@[${v.holders.join(',')}]`).join(' ');
      const nodes = c.nodes
        .map((n) => {
          const vrrp = n.vrrp
            .map((v) => `${v.instance}=${v.state}/${v.effectivePriority}`)
            .join(',');
          const svc = Object.entries(n.services)
            .map(([k, v]) => `${k}:${v?.healthy ? 'up' : 'DOWN'}`)
            .join(',');
          return `${n.name}(${n.online ? 'on' : 'OFF'} ${vrrp} ${svc})`;
        })
        .join(' ');
      return `${c.id} ${c.verdict} vips ${vips} nodes ${nodes} findings ${c.findings.map((f) => f.rule).join(',')}`;
    })
    .join('\n');
}
