import type { KeepalivedConfig, KeepalivedInstance } from './keepalived-config-parser';
import type { RuleContext, RuleHit } from './cluster-rules';

/*
 * Rules over the lbs' keepalived.conf files (SPEC.md WT-1, CM-1..CM-4). They read config
 * facts, so they hold whether or not the agents are online: a wrong weight is wrong before
 * the failure that would reveal it.
 */

interface Placed {
  node: string;
  config: KeepalivedConfig;
  instance: KeepalivedInstance;
}

/** instance name → every lb config that defines it (sorted by node name, as ctx.nodes). */
function instancesAcrossLbs(ctx: RuleContext): Map<string, Placed[]> {
  const byName = new Map<string, Placed[]>();
  for (const node of ctx.lbs) {
    const config = node.keepalivedConfig;
    if (!config) continue;
    for (const instance of config.instances) {
      const list = byName.get(instance.name) ?? [];
      list.push({ node: node.name, config, instance });
      byName.set(instance.name, list);
    }
  }
  return byName;
}

/** A tracked script's weight: the track_script override, else the vrrp_script's own. */
function trackWeights(p: Placed): { name: string; weight: number }[] {
  return p.instance.trackScripts.map((t) => ({
    name: t.name,
    weight: t.weight ?? p.config.scripts.find((s) => s.name === t.name)?.weight ?? 0,
  }));
}

const positiveSum = (ws: { weight: number }[]): number =>
  ws.reduce((sum, w) => sum + (w.weight > 0 ? w.weight : 0), 0);

/** The intended MASTER: `state MASTER`, else the highest configured priority. */
function intendedMaster(placed: Placed[]): Placed | undefined {
  const byPriority = [...placed].sort((a, b) => b.instance.priority - a.instance.priority);
  return placed.find((p) => p.instance.state?.toUpperCase() === 'MASTER') ?? byPriority[0];
}

/**
 * WT-1: when one tracked script of the intended MASTER fails (the others passing), its
 * effective priority must drop below the best a healthy BACKUP reaches; otherwise the
 * failure never moves the VIP. Weight 0 means FAULT on failure, which always fails over.
 */
export function weightTooSmall(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const [name, placed] of instancesAcrossLbs(ctx)) {
    const master = intendedMaster(placed);
    if (!master || placed.length < 2) continue;
    const weights = trackWeights(master);
    for (const backup of placed.filter((p) => p !== master)) {
      const best = backup.instance.priority + positiveSum(trackWeights(backup));
      for (const failed of weights.filter((w) => w.weight !== 0)) {
        const others = weights.filter((w) => w !== failed);
        const lowered = master.instance.priority + Math.min(failed.weight, 0) + positiveSum(others);
        if (lowered < best) continue;
        const outcome =
          lowered === best
            ? `${backup.node} takes over only if its address is higher`
            : `${backup.node} can never take over`;
        hits.push({
          implies: 'at_risk',
          finding: {
            rule: 'WEIGHT_TOO_SMALL',
            severity: 'warning',
            message: `${name}: a failed ${failed.name} lowers ${master.node} to ${lowered} but ${backup.node} has ${best}: ${outcome}`,
            nodes: [master.node, backup.node],
          },
        });
      }
    }
  }
  return hits;
}

interface Field {
  id: string;
  label: string;
  read: (i: KeepalivedInstance) => string;
  /** false: the values are secrets and stay out of the message. */
  show: boolean;
  severity: 'critical' | 'warning';
}

/** CM-1 vrid, CM-2 auth type/pass, CM-3 advert_int, CM-4 VIP list. */
const FIELDS: Field[] = [
  {
    id: 'CM-1',
    label: 'virtual_router_id',
    read: (i) => String(i.vrid ?? '-'),
    show: true,
    severity: 'critical',
  },
  {
    id: 'CM-2',
    label: 'auth_type',
    read: (i) => i.authType ?? 'none',
    show: true,
    severity: 'critical',
  },
  {
    id: 'CM-2',
    label: 'auth_pass',
    read: (i) => i.authPass ?? '',
    show: false,
    severity: 'critical',
  },
  {
    id: 'CM-3',
    label: 'advert_int',
    read: (i) => String(i.advertInt),
    show: true,
    severity: 'critical',
  },
  {
    id: 'CM-4',
    label: 'virtual_ipaddress',
    read: (i) => [...i.vips].sort().join(' '),
    show: true,
    severity: 'warning',
  },
];

/** CM-*: the lbs' definitions of one instance disagree: they will not act as one pair. */
export function configMismatch(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const [name, placed] of instancesAcrossLbs(ctx)) {
    if (placed.length < 2) continue;
    for (const field of FIELDS) {
      const values = placed.map((p) => field.read(p.instance));
      if (new Set(values).size < 2) continue;
      const detail = field.show
        ? placed.map((p, i) => `${p.node} ${values[i] || '(none)'}`).join(', ')
        : `differs between ${placed.map((p) => p.node).join(' and ')}`;
      hits.push({
        implies: 'at_risk',
        finding: {
          rule: 'CONFIG_MISMATCH',
          severity: field.severity,
          message: `${name}: ${field.label} ${field.show ? 'differs: ' : ''}${detail}`,
          nodes: placed.map((p) => p.node),
        },
      });
    }
  }
  return hits;
}
