import type { StatusCluster } from '@keepwatch/shared';

/*
 * SPEC.md SS-1: the cluster is back to how the drill found it: the VIP in the original
 * MASTER's kernel only (fail-back included), every VIP with one holder, every load balancer
 * online with nginx up and keepalived running in its role, every backend up.
 */
export function steadyState(
  cluster: StatusCluster | undefined,
  plan: { vip: string; instance: string; master: string },
): { ok: boolean; detail: string } {
  if (!cluster) return { ok: false, detail: 'the cluster is not known' };
  const problems: string[] = [];
  const vip = cluster.vips.find((v) => v.address === plan.vip);
  const holders = vip?.holders ?? [];
  if (holders.length !== 1 || holders[0] !== plan.master)
    problems.push(`VIP ${plan.vip} held by [${holders.join(', ')}], not ${plan.master} alone`);
  for (const v of cluster.vips)
    if (v.address !== plan.vip && v.holders.length !== 1)
      problems.push(`VIP ${v.address} held by [${v.holders.join(', ')}]`);
  for (const n of cluster.nodes) {
    if (!n.online) {
      problems.push(`${n.name} offline`);
      continue;
    }
    if (n.role === 'lb') {
      if (n.services.nginx?.healthy !== true) problems.push(`${n.name}: nginx down`);
      if (n.keepalivedRunning === false) problems.push(`${n.name}: keepalived not running`);
      const want = n.name === plan.master ? 'MASTER' : 'BACKUP';
      const state = n.vrrp.find((x) => x.instance === plan.instance)?.state;
      if (state !== want) problems.push(`${n.name}: VRRP ${state ?? 'unknown'}, expected ${want}`);
    } else if (n.services.tomcat?.healthy !== true) problems.push(`${n.name}: backend down`);
  }
  return problems.length === 0
    ? { ok: true, detail: `VIP ${plan.vip} back on ${plan.master} only, every service up` }
    : { ok: false, detail: problems.join('; ') };
}
