import type { NoteSink } from './import-notes';
import { childNode, type ConfigNode } from './keepalived-tree';
import {
  IPV4_PATTERN,
  type HealthCheckModel,
  type VirtualAddressModel,
  type VrrpInstanceModel,
} from './model';
import { renderKeepalivedNode } from './render-raw';

/*
 * One host's keepalived.conf tree (includes resolved) → the pieces of the cluster model it
 * describes. What the model has no field for is kept as written (`extra`) or, when it
 * cannot be (conditional lines, IPv6 VIPs, a second check script), reported as lost.
 */

export interface ImportedInstance {
  /** Everything but the per-host priorities. */
  model: Omit<VrrpInstanceModel, 'priorities'>;
  priority: number;
  /** `state` as written; the renderer derives it from the priorities. */
  state?: string;
  trackScripts: { name: string; weight?: number }[];
  trackFiles: { name: string; weight?: number }[];
  /** unicast_src_ip: the host's own address, when written. */
  srcIp?: string;
  line: number;
  file?: string;
}

export interface ImportedKeepalived {
  routerId?: string;
  instanceName?: string;
  notifyFifo?: string;
  version: 2 | 3;
  higherPrio: boolean;
  globalExtra: string[];
  topExtra: string[];
  checks: Map<string, HealthCheckModel>;
  trackFiles: Map<string, { file?: string; weight: number }>;
  instances: ImportedInstance[];
}

const num = (n: ConfigNode | undefined): number | undefined => {
  const v = n?.args[0] !== undefined ? Number(n.args[0]) : NaN;
  return Number.isFinite(v) ? v : undefined;
};
const ipv4 = new RegExp(IPV4_PATTERN);

/** Keywords of global_defs the renderer writes itself (from the model or always). */
const GLOBAL_MODELLED = new Set([
  'router_id',
  'data_use_instance',
  'enable_script_security',
  'script_user',
  'vrrp_notify_fifo',
  'vrrp_notify_priority_changes',
  'vrrp_higher_prio_send_advert',
  'vrrp_version',
]);

const CURL_CHECK = /^(\/\S*curl) -sf -o \/dev\/null --max-time 0\.8 (http:\/\/\S+)$/;

function importCheck(n: ConfigNode): HealthCheckModel {
  const script = childNode(n, 'script')?.args.join(' ') ?? '';
  const curl = CURL_CHECK.exec(script);
  const interval = num(childNode(n, 'interval')) ?? 1;
  return {
    name: n.args[0] ?? 'chk',
    url: curl?.[2] ?? 'http://127.0.0.1/healthz',
    interval,
    // keepalived's defaults, written out by the renderer.
    timeout: num(childNode(n, 'timeout')) ?? interval,
    fall: num(childNode(n, 'fall')) ?? 1,
    rise: num(childNode(n, 'rise')) ?? 1,
    weight: num(childNode(n, 'weight')) ?? 0,
    script: curl?.[1] ? { kind: 'curl', curl: curl[1] } : { kind: 'command', command: script },
  };
}

function globalDefs(n: ConfigNode, out: ImportedKeepalived, notes: NoteSink): void {
  for (const c of n.children ?? []) {
    if (!GLOBAL_MODELLED.has(c.key)) {
      out.globalExtra.push(renderKeepalivedNode(c));
      notes.kept(c, `global_defs ${c.key} kept as written`, `global_defs ${c.key} 按原样保留`);
      continue;
    }
    const arg = c.args.join(' ');
    if (c.key === 'router_id') out.routerId = arg;
    else if (c.key === 'vrrp_notify_fifo') out.notifyFifo = arg;
    else if (c.key === 'vrrp_higher_prio_send_advert') out.higherPrio = true;
    else if (c.key === 'vrrp_version') out.version = arg === '3' ? 3 : 2;
    else if (c.key === 'script_user' && arg !== 'root')
      notes.lost(
        c,
        `script_user ${arg} becomes root (Keepwatch's configs run scripts as root)`,
        `script_user ${arg} 将改为 root（Keepwatch 生成的配置以 root 运行脚本）`,
      );
  }
}

function virtualAddress(e: ConfigNode, notes: NoteSink): VirtualAddressModel | undefined {
  const [address = '', prefixRaw] = e.key.split('/');
  if (!ipv4.test(address)) {
    notes.lost(
      e,
      `virtual address ${e.key} is not IPv4: not in the model`,
      `虚拟地址 ${e.key} 不是 IPv4：未纳入模型`,
    );
    return undefined;
  }
  const out: VirtualAddressModel = {
    address,
    prefix: prefixRaw !== undefined ? Number(prefixRaw) : 32,
  };
  for (let i = 0; i < e.args.length; i += 2) {
    const [k, v] = [e.args[i], e.args[i + 1]];
    if (k === 'dev' && v) out.dev = v;
    else if (k === 'label' && v) out.label = v;
    else if (k !== undefined) {
      notes.lost(
        e,
        `${e.key}: "${k}${v ? ` ${v}` : ''}" is not in the model`,
        `${e.key}：“${k}${v ? ` ${v}` : ''}”未纳入模型`,
      );
    }
  }
  return out;
}

const track = (e: ConfigNode): { name: string; weight?: number } => {
  const at = e.args.indexOf('weight');
  const w = at >= 0 ? Number(e.args[at + 1]) : NaN;
  return { name: e.key, ...(Number.isFinite(w) && { weight: w }) };
};

const INSTANCE_MODELLED = new Set([
  'state',
  'interface',
  'virtual_router_id',
  'priority',
  'advert_int',
  'nopreempt',
  'preempt_delay',
  'authentication',
  'unicast_src_ip',
  'unicast_peer',
  'virtual_ipaddress',
  'track_script',
  'track_file',
]);

function instance(n: ConfigNode, notes: NoteSink): ImportedInstance {
  const get = (k: string): ConfigNode | undefined => childNode(n, k);
  const auth = get('authentication');
  const type = auth && childNode(auth, 'auth_type')?.args[0]?.toUpperCase();
  const pass = auth && childNode(auth, 'auth_pass')?.args[0];
  const extra: string[] = [];
  for (const c of n.children ?? []) {
    if (INSTANCE_MODELLED.has(c.key)) continue;
    extra.push(renderKeepalivedNode(c));
    notes.kept(
      c,
      `${n.args[0] ?? ''}: ${c.key} kept as written`,
      `${n.args[0] ?? ''}：${c.key} 按原样保留`,
    );
  }
  const entries = (k: string): ConfigNode[] =>
    n.children?.filter((c) => c.key === k).flatMap((c) => c.children ?? []) ?? [];
  const iface = get('interface')?.args[0];
  // `dev` equal to the instance's interface is what the renderer writes anyway.
  const vips = entries('virtual_ipaddress').flatMap((e) => {
    const v = virtualAddress(e, notes);
    if (!v) return [];
    if (v.dev === iface) delete v.dev;
    return [v];
  });
  const preemptDelay = num(get('preempt_delay'));
  const model: ImportedInstance['model'] = {
    name: n.args[0] ?? '',
    vrid: num(get('virtual_router_id')) ?? 0,
    ...(iface !== undefined && { interface: iface }),
    advertInt: num(get('advert_int')) ?? 1,
    vips,
    preempt: get('nopreempt') === undefined,
    ...(preemptDelay !== undefined && { preemptDelay }),
    ...((type === 'PASS' || type === 'AH') && pass !== undefined && { auth: { type, pass } }),
    unicast: entries('unicast_peer').length > 0,
    ...(extra.length > 0 && { extra }),
  };
  const state = get('state')?.args[0]?.toUpperCase();
  const srcIp = get('unicast_src_ip')?.args[0];
  return {
    ...(srcIp !== undefined && { srcIp }),
    model,
    priority: num(get('priority')) ?? 100,
    ...(state !== undefined && { state }),
    trackScripts: entries('track_script').map(track),
    trackFiles: entries('track_file').map(track),
    line: n.line,
    ...(n.file !== undefined && { file: n.file }),
  };
}

/** The tree without `@name` lines (anywhere), each reported: they apply to one `-i` only. */
function withoutConditionals(nodes: readonly ConfigNode[], notes: NoteSink): ConfigNode[] {
  return nodes.flatMap((n) => {
    if (n.condition !== undefined) {
      const who = n.condition.startsWith('^') ? `all but ${n.condition.slice(1)}` : n.condition;
      notes.lost(
        n,
        `"@${n.condition} ${n.key}" applies only to keepalived -i ${who}: conditional lines are not in the model`,
        `“@${n.condition} ${n.key}”只对 keepalived -i ${who} 生效：条件配置未纳入模型`,
      );
      return [];
    }
    return [n.children ? { ...n, children: withoutConditionals(n.children, notes) } : n];
  });
}

/** One host's keepalived.conf (tree with includes resolved) → model pieces and notes. */
export function importKeepalived(all: readonly ConfigNode[], notes: NoteSink): ImportedKeepalived {
  const tree = withoutConditionals(all, notes);
  const out: ImportedKeepalived = {
    version: 2,
    higherPrio: false,
    globalExtra: [],
    topExtra: [],
    checks: new Map(),
    trackFiles: new Map(),
    instances: [],
  };
  for (const n of tree) {
    if (n.key === 'global_defs') globalDefs(n, out, notes);
    else if (n.key === 'instance') out.instanceName = n.args[0] ?? '';
    else if (n.key === 'vrrp_script') {
      if (childNode(n, 'script')) out.checks.set(n.args[0] ?? '', importCheck(n));
      else
        notes.lost(
          n,
          `vrrp_script ${n.args[0] ?? ''} has no script`,
          `vrrp_script ${n.args[0] ?? ''} 没有 script`,
        );
    } else if (n.key === 'track_file' || n.key === 'vrrp_track_file') {
      const file = childNode(n, 'file')?.args[0];
      out.trackFiles.set(n.args[0] ?? '', {
        ...(file !== undefined && { file }),
        weight: num(childNode(n, 'weight')) ?? 1,
      });
    } else if (n.key === 'vrrp_instance') out.instances.push(instance(n, notes));
    else if (n.key === 'include')
      notes.lost(
        n,
        `include ${n.args.join(' ')}: no file the agent reported matches it`,
        `include ${n.args.join(' ')}：代理上报的文件中没有匹配项`,
      );
    else {
      out.topExtra.push(renderKeepalivedNode(n));
      notes.kept(
        n,
        `${n.key}${n.args[0] ? ` ${n.args[0]}` : ''} kept as written (not modelled: the form cannot edit it)`,
        `${n.key}${n.args[0] ? ` ${n.args[0]}` : ''} 按原样保留（模型不描述它，表单无法编辑）`,
      );
    }
  }
  return out;
}
