import type { Alert, StatusCluster, StatusNode, Verdict } from '@keepwatch/shared';

/*
 * The overview's worst case, for its model test and `pnpm bench overview`: `clusters` pairs
 * of load balancers (two hosts each), none healthy, each with several findings, two VIPs
 * (one split between both kernels), a MASTER transition and open alerts.
 */
const VERDICTS: Verdict[] = ['down', 'at_risk', 'unknown', 'degraded'];

function lb(name: string, master: boolean, since: number): StatusNode {
  return {
    name,
    role: 'lb',
    online: true,
    lastSeen: since,
    vrrp: [
      {
        instance: 'VI_1',
        state: master ? 'MASTER' : 'BACKUP',
        priority: master ? 150 : 100,
        effectivePriority: master ? 150 : 100,
        since,
      },
    ],
    vipsHeld: master ? ['10.0.0.1'] : [],
    services: { nginx: { healthy: master }, keepalived: { healthy: true } },
    clockOffsetMs: 3,
    keepalivedRunning: true,
  };
}

export function worstCase(
  clusters: number,
  now = 1_800_000_000_000,
): {
  clusters: StatusCluster[];
  alerts: Alert[];
} {
  const out: StatusCluster[] = [];
  const alerts: Alert[] = [];
  for (let i = 0; i < clusters; i++) {
    const id = `shop-${String(i).padStart(5, '0')}`;
    const a = `${id}-lb1`;
    const b = `${id}-lb2`;
    out.push({
      id,
      name: `Shop ${i} edge (${i % 7 === 0 ? '华东' : 'eu-west'})`,
      verdict: VERDICTS[i % VERDICTS.length]!,
      findings: Array.from({ length: 4 }, (_, k) => ({
        rule: `rule-${k}`,
        severity: k === 0 ? 'critical' : 'warning',
        message: `finding ${k} on ${a}`,
        nodes: [a],
      })),
      vips: [
        { address: `10.${i >> 8}.${i & 255}.1`, instance: 'VI_1', holders: [a], masters: [a] },
        {
          address: `10.${i >> 8}.${i & 255}.2`,
          instance: 'VI_2',
          holders: [a, b],
          masters: [a, b],
        },
      ],
      nodes: [lb(a, true, now - i * 1000), lb(b, false, now - i * 2000)],
    });
    for (let k = 0; k < 2; k++)
      alerts.push({
        id: i * 2 + k,
        key: `${id}|rule-${k}`,
        rule: `rule-${k}`,
        severity: 'critical',
        cluster: id,
        message: 'down',
        firingAt: now - 60_000,
        resolvedAt: null,
      });
  }
  return { clusters: out, alerts };
}
