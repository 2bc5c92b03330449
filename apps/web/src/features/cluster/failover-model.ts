import type { StatusCluster, StatusNode } from '@keepwatch/shared';

/*
 * "Will it fail over?" per VRRP instance, as checks a person can read: who holds the VIP
 * (kernel), whether a BACKUP is ready to take it (agent online, keepalived running and
 * BACKUP, nginx up, its upstreams up), whether the configured weights can move it (WT-1),
 * and the priorities. Pure: derived from the live status only.
 */

export type CheckId =
  | 'holder'
  | 'holderDead'
  | 'split'
  | 'noHolder'
  | 'peerReady'
  | 'noPeer'
  | 'peerNginx'
  | 'peerUpstreams'
  | 'weights'
  | 'priority';

export interface Check {
  id: CheckId;
  ok: boolean;
  /** Facts for the sentence: node names, counts, priorities. */
  args: Record<string, string | number>;
}

export interface InstanceReadiness {
  instance: string;
  vips: string[];
  /** Yes when every check passes. */
  ready: boolean;
  checks: Check[];
}

const alive = (n: StatusNode): boolean => n.online && n.keepalivedRunning !== false;

function peerChecks(peer: StatusNode, instance: string, masterPrio: number | undefined): Check[] {
  const checks: Check[] = [];
  const nginx = peer.services.nginx;
  checks.push({ id: 'peerNginx', ok: nginx?.healthy !== false, args: { node: peer.name } });
  const ups = peer.upstreams ?? [];
  if (ups.length > 0) {
    const up = ups.filter((u) => u.healthy).length;
    checks.push({
      id: 'peerUpstreams',
      ok: up > 0,
      args: { node: peer.name, up, total: ups.length },
    });
  }
  const v = peer.vrrp.find((x) => x.instance === instance);
  if (v && masterPrio !== undefined)
    checks.push({
      id: 'priority',
      ok: v.effectivePriority < masterPrio,
      args: { node: peer.name, peer: v.effectivePriority, master: masterPrio },
    });
  return checks;
}

export function failoverReadiness(cluster: StatusCluster): InstanceReadiness[] {
  const instances = [...new Set(cluster.vips.map((v) => v.instance))].sort();
  const lbs = cluster.nodes.filter((n) => n.role === 'lb');
  const weightProblem = cluster.findings.some((f) => f.rule === 'WEIGHT_TOO_SMALL');
  return instances.map((instance) => {
    const vips = cluster.vips.filter((v) => v.instance === instance);
    const holders = [...new Set(vips.flatMap((v) => v.holders))];
    const checks: Check[] = [];
    if (holders.length === 1)
      checks.push({ id: 'holder', ok: true, args: { node: holders[0] ?? '' } });
    else if (holders.length > 1)
      checks.push({ id: 'split', ok: false, args: { nodes: holders.join(', ') } });
    else checks.push({ id: 'noHolder', ok: false, args: {} });
    const master = lbs.find((n) => holders.includes(n.name));
    // The kernel holder must also be a live keepalived MASTER, or nothing will hand the VIP
    // over in an orderly way (a crashed keepalived leaves the address behind: ST-1).
    if (
      master &&
      !(alive(master) && master.vrrp.some((v) => v.instance === instance && v.state === 'MASTER'))
    )
      checks.push({ id: 'holderDead', ok: false, args: { node: master.name } });
    const masterPrio = master?.vrrp.find((v) => v.instance === instance)?.effectivePriority;
    const peer = lbs.find(
      (n) =>
        !holders.includes(n.name) &&
        alive(n) &&
        n.vrrp.some((v) => v.instance === instance && v.state === 'BACKUP'),
    );
    if (peer) {
      checks.push({ id: 'peerReady', ok: true, args: { node: peer.name } });
      checks.push(...peerChecks(peer, instance, masterPrio));
    } else checks.push({ id: 'noPeer', ok: false, args: {} });
    checks.push({ id: 'weights', ok: !weightProblem, args: {} });
    return { instance, vips: vips.map((v) => v.address), ready: checks.every((c) => c.ok), checks };
  });
}
