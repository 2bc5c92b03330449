import type { StatusCluster, Verdict, VrrpState } from '@keepwatch/shared';
import type { MetricFamily, Sample } from './exposition';

/*
 * Status → metric families. Names follow the common keepalived exporter where the meaning is
 * the same (keepalived_vrrp_state, keepalived_up) with cluster/node labels added, since one
 * Keepwatch serves many hosts; everything else is keepwatch_*.
 */

export interface MetricsInput {
  clusters: readonly StatusCluster[];
  /** The VRRP interface of (cluster, node, instance) from its keepalived.conf, if known. */
  interfaceOf: (cluster: string, node: string, instance: string) => string | undefined;
  alertsFiring: readonly { cluster: string; rule: string; severity: string }[];
  ingestMessages: number;
}

/** The exporter's encoding; STOP/DELETED/UNKNOWN have no exporter value and are left out. */
const VRRP_STATE: Partial<Record<VrrpState, number>> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3 };
const VERDICTS: Verdict[] = ['healthy', 'degraded', 'unknown', 'at_risk', 'down'];

const gauge = (name: string, help: string, samples: Sample[]): MetricFamily => ({
  name,
  help,
  type: 'gauge',
  samples,
});

function vrrpStates(input: MetricsInput): Sample[] {
  const out: Sample[] = [];
  for (const c of input.clusters) {
    for (const node of c.nodes.filter((n) => n.online)) {
      for (const v of node.vrrp) {
        const value = VRRP_STATE[v.state];
        if (value === undefined) continue;
        const vips = c.vips.filter((x) => x.instance === v.instance).map((x) => x.address);
        const base = {
          cluster: c.id,
          node: node.name,
          iname: v.instance,
          intf: input.interfaceOf(c.id, node.name, v.instance) ?? '',
          vrid: v.vrid === undefined ? '' : String(v.vrid),
        };
        for (const ip of vips.length > 0 ? vips : [''])
          out.push({ labels: { ...base, ip_address: ip }, value });
      }
    }
  }
  return out;
}

function perNode(input: MetricsInput): {
  agent: Sample[];
  keepalived: Sample[];
  services: Sample[];
  clock: Sample[];
} {
  const agent: Sample[] = [];
  const keepalived: Sample[] = [];
  const services: Sample[] = [];
  const clock: Sample[] = [];
  for (const c of input.clusters) {
    for (const n of c.nodes) {
      const labels = { cluster: c.id, node: n.name };
      agent.push({ labels, value: n.online ? 1 : 0 });
      if (!n.online) continue;
      if (n.role === 'lb') {
        const ka = n.services.keepalived;
        keepalived.push({ labels, value: ka?.healthy === false || n.vrrp.length === 0 ? 0 : 1 });
      }
      for (const [service, s] of Object.entries(n.services)) {
        if (s) services.push({ labels: { ...labels, service }, value: s.healthy ? 1 : 0 });
      }
      if (n.clockOffsetMs !== null) clock.push({ labels, value: n.clockOffsetMs / 1000 });
    }
  }
  return { agent, keepalived, services, clock };
}

function alertCounts(input: MetricsInput): Sample[] {
  const counts = new Map<string, Sample>();
  for (const a of input.alertsFiring) {
    const key = `${a.cluster}\u0000${a.rule}\u0000${a.severity}`;
    const s = counts.get(key) ?? {
      labels: { cluster: a.cluster, rule: a.rule, severity: a.severity },
      value: 0,
    };
    s.value += 1;
    counts.set(key, s);
  }
  return [...counts.values()];
}

export function collectMetrics(input: MetricsInput): MetricFamily[] {
  const nodes = perNode(input);
  const holders = input.clusters.flatMap((c) =>
    c.vips.map((v) => ({ labels: { cluster: c.id, vip: v.address }, value: v.holders.length })),
  );
  const verdicts = input.clusters.flatMap((c) =>
    VERDICTS.map((verdict) => ({
      labels: { cluster: c.id, verdict },
      value: c.verdict === verdict ? 1 : 0,
    })),
  );
  return [
    gauge(
      'keepalived_vrrp_state',
      'VRRP state per instance and VIP: 0 init, 1 backup, 2 master, 3 fault',
      vrrpStates(input),
    ),
    gauge('keepalived_up', 'keepalived is running on the node (online lbs only)', nodes.keepalived),
    gauge('keepwatch_agent_up', "the node's agent is connected", nodes.agent),
    gauge(
      'keepwatch_vip_holders',
      'how many kernels hold the VIP (1 is right; 0 unserved; 2+ split brain)',
      holders,
    ),
    gauge('keepwatch_cluster_verdict', "1 for the cluster's current verdict", verdicts),
    gauge('keepwatch_service_up', 'service health check result per node', nodes.services),
    gauge('keepwatch_clock_offset_seconds', 'agent clock minus server clock', nodes.clock),
    gauge('keepwatch_alerts_firing', 'alerts currently firing', alertCounts(input)),
    {
      name: 'keepwatch_ingest_messages_total',
      help: 'agent data messages accepted since the server started',
      type: 'counter',
      samples: [{ labels: {}, value: input.ingestMessages }],
    },
  ];
}
