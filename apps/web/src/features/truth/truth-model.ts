import type { StatusCluster, StatusNode } from '@keepwatch/shared';

/*
 * The truth table, pure: per node one row that sets keepalived's claim beside what the kernel
 * holds and what the probes say, with every contradiction flagged:
 *
 *   TR-1 master-without-vip   keepalived says MASTER for an instance, the kernel lacks its VIP
 *   TR-2 vip-in-two-kernels   this node's kernel holds a VIP another kernel holds too
 *   TR-3 backup-nginx-down    a BACKUP whose nginx is down (it would take over and serve nothing)
 *   TR-4 vip-without-master   the kernel holds a VIP whose instance is not a running MASTER here
 *   TR-5 stale                the agent is offline: the row is its last report, not the present
 */

export type Contradiction =
  | 'master-without-vip'
  | 'vip-in-two-kernels'
  | 'backup-nginx-down'
  | 'vip-without-master'
  | 'stale';

export interface ClaimCell {
  instance: string;
  state: string;
  /** keepalived not running: the state it last reported, if any. */
  lastKnown?: string;
}

export interface TruthRow {
  node: string;
  role: string;
  online: boolean;
  lastSeen?: number;
  claims: ClaimCell[];
  kernelVips: string[];
  nginx: boolean | null;
  /** LB: upstreams up / total as its nginx sees them; backend: its own Tomcat. */
  backends: { up: number; total: number } | null;
  flags: { code: Contradiction; vip?: string; instance?: string; others?: string }[];
}

function flagsOf(c: StatusCluster, n: StatusNode): TruthRow['flags'] {
  const out: TruthRow['flags'] = [];
  if (!n.online) out.push({ code: 'stale' });
  const running = n.keepalivedRunning !== false;
  for (const v of n.vrrp) {
    const vips = c.vips.filter((x) => x.instance === v.instance).map((x) => x.address);
    if (v.state === 'MASTER' && running && vips.some((a) => !n.vipsHeld.includes(a)))
      out.push({ code: 'master-without-vip', instance: v.instance });
    if (v.state === 'BACKUP' && n.services.nginx?.healthy === false)
      out.push({ code: 'backup-nginx-down', instance: v.instance });
  }
  for (const address of n.vipsHeld) {
    const vip = c.vips.find((x) => x.address === address);
    const others = (vip?.holders ?? []).filter((h) => h !== n.name);
    if (others.length > 0)
      out.push({ code: 'vip-in-two-kernels', vip: address, others: others.join(', ') });
    const claim = n.vrrp.find((v) => v.instance === vip?.instance);
    if (vip && (!running || claim?.state !== 'MASTER'))
      out.push({ code: 'vip-without-master', vip: address, instance: vip.instance });
  }
  return out;
}

export function truthRows(c: StatusCluster): TruthRow[] {
  return c.nodes.map((n) => {
    const ups = n.upstreams ?? [];
    const backends =
      n.role === 'lb'
        ? ups.length === 0
          ? null
          : { up: ups.filter((u) => u.healthy).length, total: ups.length }
        : n.services.tomcat
          ? { up: n.services.tomcat.healthy ? 1 : 0, total: 1 }
          : null;
    return {
      node: n.name,
      role: n.role,
      online: n.online,
      ...(n.lastSeen !== undefined && { lastSeen: n.lastSeen }),
      claims: n.vrrp.map((v) => ({
        instance: v.instance,
        state: v.state,
        ...(v.lastKnown && { lastKnown: v.lastKnown.state }),
      })),
      kernelVips: n.vipsHeld,
      nginx: n.services.nginx ? n.services.nginx.healthy : null,
      backends,
      flags: flagsOf(c, n),
    };
  });
}
