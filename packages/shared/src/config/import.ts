import { Value } from '@sinclair/typebox/value';
import type { HostConfigFiles } from './analysis';
import { importKeepalived, type ImportedKeepalived } from './import-keepalived';
import { importNginx, type ImportedNginx } from './import-nginx';
import { noteSink, type ImportNote, type NoteSink } from './import-notes';
import { resolveKeepalivedIncludes, resolveNginxIncludes } from './includes';
import { ClusterModel, type LoadBalancerModel, type VrrpInstanceModel } from './model';

/*
 * Import of an existing cluster from what the agents observe: each host's keepalived.conf
 * with its includes and its nginx configuration (`nginx -T`). The model takes the first
 * host's values for what the hosts must share (VRID, VIPs, advert_int, nginx upstreams …)
 * and each host's own for what is per host (priority, router_id, paths); every difference
 * and every statement the model cannot hold is a note (import-notes.ts), never a silent
 * drop. `model` is absent only when the files describe no VRRP instance at all, or when
 * what was read does not make a valid model (the notes then say why).
 */

export interface ImportResult {
  model?: ClusterModel;
  notes: ImportNote[];
}

interface HostImport {
  node: string;
  address?: string;
  ka?: ImportedKeepalived;
  ng?: ImportedNginx;
  kaNotes: NoteSink;
  ngNotes: NoteSink;
}

const json = (v: unknown): string => JSON.stringify(v);

/** The interface most of a host's instances use (keepalived's own default is none). */
function mainInterface(ka: ImportedKeepalived | undefined): string {
  const count = new Map<string, number>();
  for (const i of ka?.instances ?? [])
    if (i.model.interface) count.set(i.model.interface, (count.get(i.model.interface) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'eth0';
}

function loadBalancer(h: HostImport): LoadBalancerModel {
  const ka = h.ka;
  const address = h.address ?? ka?.instances.find((i) => i.srcIp)?.srcIp;
  if (!address)
    h.kaNotes.lost(
      {},
      `${h.node}: the host's address is unknown (0.0.0.0 in the model): unicast peers need it`,
      `${h.node}：主机地址未知（模型中为 0.0.0.0）：单播对端需要它`,
    );
  const fastFile = ka ? [...ka.trackFiles.values()][0]?.file : undefined;
  const keepalived = {
    ...(ka?.instanceName !== undefined && { instance: ka.instanceName }),
    ...(ka?.notifyFifo !== undefined && { notifyFifo: ka.notifyFifo }),
    ...(fastFile !== undefined && { fastPathFile: fastFile }),
  };
  return {
    name: h.node,
    address: address ?? '0.0.0.0',
    interface: mainInterface(ka),
    ...(ka?.routerId !== undefined && ka.routerId !== h.node && { routerId: ka.routerId }),
    ...(Object.keys(keepalived).length > 0 && { keepalived }),
    ...(h.ng && Object.keys(h.ng.paths).length > 0 && { nginx: h.ng.paths }),
  };
}

/** The cluster's instances: shared fields from the first host defining each, priorities from all. */
function instances(hosts: HostImport[], lbs: LoadBalancerModel[]): VrrpInstanceModel[] {
  const out: VrrpInstanceModel[] = [];
  for (const h of hosts) {
    const lb = lbs.find((l) => l.name === h.node);
    for (const i of h.ka?.instances ?? []) {
      const { interface: iface, ...shared } = i.model;
      const mine = iface !== undefined && iface !== lb?.interface ? { interface: iface } : {};
      const existing = out.find((x) => x.name === i.model.name);
      if (!existing) {
        out.push({ ...shared, ...mine, priorities: [{ host: h.node, priority: i.priority }] });
        continue;
      }
      existing.priorities.push({ host: h.node, priority: i.priority });
      const theirs: Partial<VrrpInstanceModel> = { ...existing };
      delete theirs.priorities;
      delete theirs.interface;
      if (json(theirs) !== json(shared))
        h.kaNotes.lost(
          i,
          `${i.model.name} on ${h.node} differs from the first host's (VRID, VIPs, advert_int, auth, preempt, unicast or extra lines): the model keeps the first host's`,
          `${h.node} 上的 ${i.model.name} 与第一台主机不同（VRID、VIP、advert_int、认证、抢占、单播或额外配置）：模型保留第一台主机的`,
        );
    }
  }
  return out;
}

/** Notes where a host's written `state` is not what the renderer derives from the priorities. */
function noteStates(hosts: HostImport[], vis: VrrpInstanceModel[]): void {
  for (const vi of vis) {
    const top = Math.max(...vi.priorities.map((p) => p.priority));
    const master = vi.priorities.find((p) => p.priority === top)?.host;
    for (const h of hosts) {
      const i = h.ka?.instances.find((x) => x.model.name === vi.name);
      if (!i?.state) continue;
      const derived =
        vi.preempt && vi.preemptDelay === undefined && master === h.node ? 'MASTER' : 'BACKUP';
      if (i.state !== derived)
        h.kaNotes.lost(
          i,
          `${vi.name} on ${h.node}: state ${i.state} becomes ${derived} (derived from the priorities)`,
          `${h.node} 上的 ${vi.name}：state ${i.state} 将改为 ${derived}（由优先级推出）`,
        );
    }
  }
}

function checkAndFastPath(hosts: HostImport[]): Pick<ClusterModel, 'healthCheck' | 'fastPath'> {
  const first = hosts.find((h) => h.ka && h.ka.instances.length > 0)?.ka;
  const tracked = first?.instances.flatMap((i) => i.trackScripts) ?? [];
  const hc = tracked.map((t) => first?.checks.get(t.name)).find((c) => c !== undefined);
  const override = tracked.find((t) => t.name === hc?.name && t.weight !== undefined)?.weight;
  const file = first?.instances.flatMap((i) => i.trackFiles)[0];
  const fileDef = file ? first?.trackFiles.get(file.name) : undefined;
  for (const h of hosts)
    for (const [name] of h.ka?.checks ?? [])
      if (name !== hc?.name)
        h.kaNotes.lost(
          {},
          `vrrp_script ${name}: the model has one health check (${hc?.name ?? 'none'})`,
          `vrrp_script ${name}：模型只有一个健康检查（${hc?.name ?? '无'}）`,
        );
  return {
    ...(hc && { healthCheck: { ...hc, ...(override !== undefined && { weight: override }) } }),
    ...(file &&
      fileDef && {
        fastPath: {
          name: file.name,
          file: fileDef.file ?? '/run/keepwatch/nginx-down',
          weight: file.weight ?? fileDef.weight,
        },
      }),
  };
}

function noteNginxDifferences(hosts: HostImport[]): void {
  const withNginx = hosts.filter((h) => h.ng);
  const first = withNginx[0];
  for (const h of withNginx.slice(1))
    if (json(h.ng?.nginx) !== json(first?.ng?.nginx))
      h.ngNotes.lost(
        {},
        `${h.node}'s nginx configuration differs from ${first?.node ?? ''}'s: the model keeps ${first?.node ?? ''}'s`,
        `${h.node} 的 nginx 配置与 ${first?.node ?? ''} 不同：模型保留 ${first?.node ?? ''} 的`,
      );
}

function readHost(h: HostConfigFiles, notes: ImportNote[]): HostImport {
  const out: HostImport = {
    node: h.node,
    ...(h.address !== undefined && { address: h.address }),
    kaNotes: noteSink(notes, h.node, 'keepalived'),
    ngNotes: noteSink(notes, h.node, 'nginx'),
  };
  if (h.keepalived) {
    const r = resolveKeepalivedIncludes(h.keepalived.main, h.keepalived.includes ?? []);
    out.ka = importKeepalived(r.tree, out.kaNotes);
  }
  if (h.nginx) {
    // Sites and conf.d files (server and upstream blocks) become part of the model; other
    // includes (mime.types, modules, snippets) stay includes, kept as written.
    const r = resolveNginxIncludes(
      h.nginx.main,
      h.nginx.includes ?? [],
      (added) =>
        added.length === 0 || added.some((n) => n.name !== 'server' && n.name !== 'upstream'),
    );
    for (const e of r.errors) out.ngNotes.lost(e, `syntax: ${e.message}`, `语法：${e.message}`);
    out.ng = importNginx(r.nodes, h.node, out.ngNotes);
  }
  return out;
}

/** The cluster model the observed files describe, and every note about what it could not hold. */
export function importCluster(files: readonly HostConfigFiles[]): ImportResult {
  const notes: ImportNote[] = [];
  const hosts = files.map((h) => readHost(h, notes));
  const withKa = hosts.filter((h) => h.ka && h.ka.instances.length > 0);
  if (withKa.length === 0) {
    for (const h of hosts)
      h.kaNotes.lost(
        {},
        `${h.node}: no vrrp_instance: nothing for a cluster model`,
        `${h.node}：没有 vrrp_instance：无法构成集群模型`,
      );
    return { notes };
  }
  const first = withKa[0]?.ka;
  const lbs = hosts.map(loadBalancer);
  const vis = instances(hosts, lbs);
  noteStates(hosts, vis);
  noteNginxDifferences(hosts);
  const nginx = hosts.find((h) => h.ng)?.ng?.nginx;
  const model: ClusterModel = {
    loadBalancers: lbs,
    vrrp: {
      version: first?.version ?? 2,
      higherPrioSendAdvert: withKa.every((h) => h.ka?.higherPrio),
      instances: vis,
      ...(first?.globalExtra.length && { globalExtra: first.globalExtra }),
      ...(first?.topExtra.length && { topExtra: first.topExtra }),
    },
    ...checkAndFastPath(hosts),
    ...(nginx && { nginx }),
  };
  const errors = [...Value.Errors(ClusterModel, model)].slice(0, 10);
  if (errors.length === 0) return { model, notes };
  const sink = withKa[0]?.kaNotes;
  for (const e of errors)
    sink?.lost(
      {},
      `the imported model is not valid at ${e.path}: ${e.message}`,
      `导入的模型在 ${e.path} 处无效：${e.message}`,
    );
  return { notes };
}
