import { makeFinding, sortFindings, type ConfigFinding } from './findings';
import {
  resolveKeepalivedIncludes,
  resolveNginxIncludes,
  type ConfigFile,
  type MissingInclude,
} from './includes';
import {
  keepalivedCommands,
  readKeepalivedConfig,
  type KeepalivedCommand,
  type KeepalivedConfig,
} from './keepalived-config';
import {
  asymmetricUnicast,
  healthChecks,
  nopreemptMaster,
  priorityTies,
  vridCollisions,
  type NeighbourInstance,
} from './keepalived-rules';
import {
  higherPrioAdvert,
  noFastPath,
  scriptSecurity,
  scriptUserOrder,
  trackFileWeight,
  vrrpVersion,
} from './keepalived-traps';
import { readNginxConfig, type NginxConfig } from './nginx-config';
import { defaultConnectTimeout, listenOnVip } from './nginx-rules';
import { configMismatch, weightTooSmall, type NodeKeepalived } from './pair-rules';

/*
 * Analysis of one cluster's files before anything is pushed (ANALYSIS.md): the same entry
 * for a draft from the editor and for the live files the agents observe. Includes are
 * followed first, so a rule sees what keepalived and nginx will read and points at the
 * file and line to change.
 */

export interface ComponentFiles {
  main: ConfigFile;
  /** Files the main file's includes may match (the agent sends what they matched). */
  includes?: ConfigFile[];
}

export interface HostConfigFiles {
  node: string;
  /** The host's own address (unicast peers are checked against it). */
  address?: string;
  /** net.ipv4.ip_nonlocal_bind, when the agent reported it. */
  ipNonlocalBind?: boolean;
  keepalived?: ComponentFiles;
  nginx?: ComponentFiles;
}

export interface PreparedHost {
  node: string;
  keepalived?: {
    config: KeepalivedConfig;
    commands: KeepalivedCommand[];
    files: string[];
    missing: MissingInclude[];
  };
  nginx?: { config: NginxConfig; files: string[]; missing: MissingInclude[] };
}

export function prepareHost(h: HostConfigFiles): PreparedHost {
  const out: PreparedHost = { node: h.node };
  if (h.keepalived) {
    const r = resolveKeepalivedIncludes(h.keepalived.main, h.keepalived.includes ?? []);
    out.keepalived = {
      config: readKeepalivedConfig(r.tree),
      commands: keepalivedCommands(r.tree),
      files: r.files,
      missing: r.missing,
    };
  }
  if (h.nginx) {
    const r = resolveNginxIncludes(h.nginx.main, h.nginx.includes ?? []);
    out.nginx = { config: readNginxConfig(r.nodes), files: r.files, missing: r.missing };
  }
  return out;
}

/** IN-1: an include that matches no file (keepalived -t still exits 0 on a missing file). */
function missingIncludes(hosts: readonly PreparedHost[]): ConfigFinding[] {
  return hosts.flatMap((h) =>
    (['keepalived', 'nginx'] as const).flatMap((component) =>
      (h[component]?.missing ?? []).map((m) =>
        makeFinding({
          id: 'IN-1',
          rule: 'MISSING_INCLUDE',
          severity: 'warning',
          nodes: [h.node],
          at: [{ node: h.node, component, file: m.file, line: m.line }],
          en: `${h.node}: include ${m.pattern} in ${m.file} matches no file the agent reported: what it should add is absent`,
          zh: `${h.node}：${m.file} 中的 include ${m.pattern} 没有匹配到代理上报的任何文件：其中的配置不存在`,
          fixEn: `Create the file(s) on ${h.node} or remove the include.`,
          fixZh: `在 ${h.node} 上创建对应文件，或删除这条 include。`,
        }),
      ),
    ),
  );
}

/**
 * Every VRRP instance in one cluster's keepalived files (includes followed), once per
 * instance name and VRID: what the analysis of another cluster compares with (VR-1).
 */
export function neighbourInstances(
  cluster: string,
  hosts: readonly HostConfigFiles[],
): NeighbourInstance[] {
  const seen = new Set<string>();
  return hosts.flatMap((h) => {
    if (!h.keepalived) return [];
    const p = prepareHost({ node: h.node, keepalived: h.keepalived });
    return (p.keepalived?.config.instances ?? []).flatMap((i) => {
      const key = `${i.name}\u0000${String(i.vrid)}`;
      if (i.vrid === undefined || seen.has(key)) return [];
      seen.add(key);
      return [
        {
          cluster,
          node: h.node,
          instance: i.name,
          vrid: i.vrid,
          vips: i.virtualAddresses.map((v) => ({
            address: v.address,
            ...(v.prefix !== undefined && { prefix: v.prefix }),
          })),
        },
      ];
    });
  });
}

export interface AnalysisOptions {
  /** Other clusters' VRRP instances, for VRID collisions on a shared network (VR-1). */
  neighbours?: readonly NeighbourInstance[];
}

/** Every finding for one cluster's files, sorted (critical first). Pure; never throws. */
export function analyseCluster(
  hosts: readonly HostConfigFiles[],
  opts: AnalysisOptions = {},
): ConfigFinding[] {
  const prepared = hosts.map(prepareHost);
  const ka: NodeKeepalived[] = prepared.flatMap((p) =>
    p.keepalived ? [{ node: p.node, config: p.keepalived.config }] : [],
  );
  const commands = new Map(prepared.map((p) => [p.node, p.keepalived?.commands.length ?? 0]));
  const addresses = new Map(
    hosts.flatMap((h) => (h.address ? [[h.node, h.address] as const] : [])),
  );
  const vips = new Set(ka.flatMap((k) => k.config.instances.flatMap((i) => i.vips)));
  const nginx = prepared.flatMap((p) => {
    const h = hosts.find((x) => x.node === p.node);
    return p.nginx
      ? [
          {
            node: p.node,
            config: p.nginx.config,
            ...(h?.ipNonlocalBind !== undefined && { ipNonlocalBind: h.ipNonlocalBind }),
          },
        ]
      : [];
  });
  return sortFindings([
    ...configMismatch(ka),
    ...weightTooSmall(ka),
    ...trackFileWeight(ka),
    ...nopreemptMaster(ka),
    ...asymmetricUnicast(ka, addresses),
    ...healthChecks(ka),
    ...vridCollisions(ka, opts.neighbours),
    ...priorityTies(ka),
    ...higherPrioAdvert(ka),
    ...scriptUserOrder(ka),
    ...scriptSecurity(ka, commands),
    ...vrrpVersion(ka),
    ...noFastPath(ka),
    ...defaultConnectTimeout(nginx),
    ...listenOnVip(nginx, vips),
    ...missingIncludes(prepared),
  ]);
}
