import type {
  ConfigFile,
  PairReadiness,
  ReadinessCheck,
  StatusCluster,
  StatusNode,
} from '@keepwatch/shared';
import { compareNginx } from './nginx-compare';

/*
 * Failover readiness of each VRRP pair, pure (time injected): would the BACKUP take the VIP
 * and serve if the MASTER failed now? Checks (ids are the dashboard's dictionary keys):
 *
 *   backup-healthy     the BACKUP's agent is online, keepalived running in BACKUP, nginx healthy
 *   config-same        the BACKUP's nginx serves what the MASTER's does: the parsed structure
 *                      compared (nginx-compare.ts NC-1..NC-4, not the bytes: each LB names
 *                      itself in its file); the sha256 alone when a file's text is not known
 *                      (null: neither known)
 *   upstreams-healthy  every upstream the BACKUP's nginx probes is healthy (null: none reported)
 *   weights-move       no WT-1 finding for the pair (null: a keepalived.conf not observed)
 *   drill-recent       a drill passed within maxDrillAgeMs (false with no drill: never proven)
 *
 * The MASTER is the node whose kernel holds the VIP (else keepalived's MASTER); the BACKUP is
 * the other load balancer of the instance with the highest effective priority.
 */

export interface ReadinessInput {
  cluster: StatusCluster;
  /** nginx config sha256 per node, as last observed. */
  nginxHash: (node: string) => string | undefined;
  /** nginx config text per node (main file and what it includes), as last observed. */
  nginxFiles?: (node: string) => { main: ConfigFile; includes: ConfigFile[] } | undefined;
  /** Whether the node's keepalived.conf (with this instance) has been observed. */
  hasKeepalivedConfig: (node: string, instance: string) => boolean;
  lastDrill: { id: string; at: number } | null;
  now: number;
  maxDrillAgeMs?: number;
}

export const DEFAULT_MAX_DRILL_AGE_MS = 30 * 86_400_000;

const check = (
  id: string,
  ok: boolean | null,
  args: ReadinessCheck['args'] = {},
): ReadinessCheck => ({
  id,
  ok,
  args,
});

function backupHealthy(b: StatusNode, instance: string): ReadinessCheck {
  const v = b.vrrp.find((x) => x.instance === instance);
  const problem = !b.online
    ? 'offline'
    : b.keepalivedRunning === false
      ? 'keepalived-stopped'
      : v?.state !== 'BACKUP'
        ? `state:${v?.state ?? 'UNKNOWN'}`
        : b.services.nginx?.healthy === false
          ? 'nginx-down'
          : b.services.nginx === undefined
            ? 'nginx-unknown'
            : '';
  return check('backup-healthy', problem === '', { node: b.name, problem });
}

/** How many differences the check carries (the config page shows them all). */
export const MAX_DIFFERENCES = 6;

function configSame(input: ReadinessInput, master: string, backup: string): ReadinessCheck {
  const mh = input.nginxHash(master);
  const bh = input.nginxHash(backup);
  const args = {
    master,
    backup,
    masterHash: mh?.slice(0, 12) ?? '',
    backupHash: bh?.slice(0, 12) ?? '',
  };
  const mf = input.nginxFiles?.(master);
  const bf = input.nginxFiles?.(backup);
  if (mf && bf) {
    const diffs = compareNginx(mf, bf);
    return check('config-same', diffs.length === 0, {
      ...args,
      compared: 'structure',
      identical: mh !== undefined && mh === bh ? 1 : 0,
      differences: diffs.length,
      diffs: JSON.stringify(diffs.slice(0, MAX_DIFFERENCES)),
    });
  }
  if (mh === undefined || bh === undefined) return check('config-same', null, args);
  return check('config-same', mh === bh, { ...args, compared: 'hash' });
}

export function pairReadiness(input: ReadinessInput): PairReadiness[] {
  const { cluster, now } = input;
  const maxAge = input.maxDrillAgeMs ?? DEFAULT_MAX_DRILL_AGE_MS;
  const lbs = cluster.nodes.filter((n) => n.role === 'lb');
  const instances = [...new Set(lbs.flatMap((n) => n.vrrp.map((v) => v.instance)))].sort();
  return instances.map((instance) => {
    const vip = cluster.vips.find((v) => v.instance === instance);
    const members = lbs.filter((n) => n.vrrp.some((v) => v.instance === instance));
    const masterName =
      vip?.holders[0] ??
      members.find((n) => n.vrrp.some((v) => v.instance === instance && v.state === 'MASTER'))
        ?.name;
    const prio = (n: StatusNode): number =>
      n.vrrp.find((v) => v.instance === instance)?.effectivePriority ?? 0;
    const backup = members
      .filter((n) => n.name !== masterName)
      .sort((a, b) => prio(b) - prio(a))[0];
    const checks: ReadinessCheck[] = [];
    if (!backup || masterName === undefined) {
      checks.push(check('backup-healthy', false, { node: '', problem: 'no-backup' }));
    } else {
      checks.push(backupHealthy(backup, instance));
      checks.push(configSame(input, masterName, backup.name));
      const ups = backup.upstreams ?? [];
      const bad = ups.filter((u) => !u.healthy).map((u) => u.server);
      checks.push(
        check('upstreams-healthy', ups.length === 0 ? null : bad.length === 0, {
          node: backup.name,
          unhealthy: bad.join(', '),
          total: ups.length,
        }),
      );
      const known =
        input.hasKeepalivedConfig(masterName, instance) &&
        input.hasKeepalivedConfig(backup.name, instance);
      const wt = cluster.findings.some(
        (f) =>
          f.code === 'WT-1' &&
          (f.message.startsWith(`${instance}:`) ||
            (f.nodes?.includes(masterName) === true && f.nodes.includes(backup.name))),
      );
      checks.push(check('weights-move', wt ? false : known ? true : null, { instance }));
    }
    const d = input.lastDrill;
    checks.push(
      check('drill-recent', d !== null && now - d.at <= maxAge, {
        ...(d && { at: d.at, drill: d.id }),
        maxDays: Math.round(maxAge / 86_400_000),
      }),
    );
    return {
      instance,
      vip: vip?.address ?? null,
      master: masterName ?? null,
      backup: backup?.name ?? null,
      ready: checks.every((c) => c.ok === true),
      checks,
    };
  });
}
