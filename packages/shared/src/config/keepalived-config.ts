import { blockEntries, childNode, parseKeepalivedTree, type ConfigNode } from './keepalived-tree';

/*
 * The facts of a keepalived.conf the rules, the importer and the agent need: instances,
 * vrrp_scripts, track files, sync groups, global_defs and every command keepalived may run.
 * A reader of the tree (keepalived-tree.ts), not a validator: `keepalived -t` is. Defaults
 * are keepalived's own. Conditional lines (`@name`) are skipped: they apply only to one
 * `keepalived -i`, and the importer reports them.
 */

export interface KeepalivedTrack {
  name: string;
  /** The `weight` on the track line; undefined → the tracked object's own weight. */
  weight?: number;
}

export interface KeepalivedVirtualAddress {
  address: string;
  prefix?: number;
  dev?: string;
  label?: string;
}

export interface KeepalivedInstance {
  name: string;
  line: number;
  file?: string;
  state?: string;
  vrid?: number;
  /** keepalived's default is 100. */
  priority: number;
  /** Seconds; keepalived's default is 1. */
  advertInt: number;
  /** The instance's own `version`, overriding global vrrp_version. */
  version?: number;
  interface?: string;
  authType?: string;
  authPassPresent: boolean;
  /** Kept only to compare the pair; never put in a message. */
  authPass?: string;
  /** Addresses without prefix, in config order. */
  vips: string[];
  virtualAddresses: KeepalivedVirtualAddress[];
  trackScripts: KeepalivedTrack[];
  trackFiles: KeepalivedTrack[];
  nopreempt: boolean;
  preemptDelay?: number;
  unicastSrcIp?: string;
  unicastPeers: string[];
}

export interface KeepalivedScript {
  name: string;
  line: number;
  file?: string;
  /** The command as written (keepalived splits it into argv itself). */
  script?: string;
  /** keepalived's default is 0: a failing script puts the instance in FAULT. */
  weight: number;
  interval?: number;
  timeout?: number;
  fall?: number;
  rise?: number;
  user?: string;
}

export interface KeepalivedTrackFile {
  name: string;
  file?: string;
  /** keepalived's default is 1; 0 means a non-zero value puts the instance in FAULT. */
  weight: number;
}

export interface KeepalivedSyncGroup {
  name: string;
  instances: string[];
}

/** A command keepalived may run (script, notify*, fifo script, checker command). */
export interface KeepalivedCommand {
  keyword: string;
  command: string;
  /** Where: `vrrp_script chk_nginx`, `vrrp_instance VI_1`, `global_defs`, … */
  context: string;
  line: number;
  file?: string;
}

export interface KeepalivedConfig {
  instances: KeepalivedInstance[];
  scripts: KeepalivedScript[];
  trackFiles: KeepalivedTrackFile[];
  syncGroups: KeepalivedSyncGroup[];
  /** global_defs keyword → its arguments joined by a space. */
  globalDefs: Record<string, string>;
  /** global_defs keywords in file order (script_user must precede vrrp_notify_fifo). */
  globalKeys: string[];
  /** The top-level `instance NAME` (with data_use_instance: per-instance dump names). */
  instanceName?: string;
  /** Arguments of every top-level `include` not yet resolved. */
  includes: string[];
}

const num = (raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
};

/** The statements that apply to a keepalived started without `-i`. */
const unconditional = (nodes: readonly ConfigNode[] | undefined): ConfigNode[] =>
  (nodes ?? []).filter((n) => n.condition === undefined);

function withoutConditions(node: ConfigNode): ConfigNode {
  return {
    ...node,
    ...(node.children && { children: unconditional(node.children).map(withoutConditions) }),
  };
}

function parseTrack(entry: ConfigNode): KeepalivedTrack {
  const at = entry.args.indexOf('weight');
  const weight = at >= 0 ? num(entry.args[at + 1]) : undefined;
  return { name: entry.key, ...(weight !== undefined && { weight }) };
}

function parseVirtualAddress(entry: ConfigNode): KeepalivedVirtualAddress {
  const [address = entry.key, prefixRaw] = entry.key.split('/');
  const after = (k: string): string | undefined => {
    const at = entry.args.indexOf(k);
    return at >= 0 ? entry.args[at + 1] : undefined;
  };
  const prefix = num(prefixRaw);
  const dev = after('dev');
  const label = after('label');
  return {
    address,
    ...(prefix !== undefined && { prefix }),
    ...(dev !== undefined && { dev }),
    ...(label !== undefined && { label }),
  };
}

function parseInstance(node: ConfigNode): KeepalivedInstance {
  const arg = (key: string): string | undefined => childNode(node, key)?.args[0];
  const auth = childNode(node, 'authentication');
  const authType = auth ? childNode(auth, 'auth_type')?.args[0] : undefined;
  const authPass = auth ? childNode(auth, 'auth_pass')?.args[0] : undefined;
  const vrid = num(arg('virtual_router_id'));
  const state = arg('state');
  const iface = arg('interface');
  const version = num(arg('version'));
  const preemptDelay = num(arg('preempt_delay'));
  const unicastSrcIp = arg('unicast_src_ip');
  const virtualAddresses = blockEntries(node, 'virtual_ipaddress').map(parseVirtualAddress);
  return {
    name: node.args[0] ?? '',
    line: node.line,
    ...(node.file !== undefined && { file: node.file }),
    ...(state !== undefined && { state }),
    ...(vrid !== undefined && { vrid }),
    priority: num(arg('priority')) ?? 100,
    advertInt: num(arg('advert_int')) ?? 1,
    ...(version !== undefined && { version }),
    ...(iface !== undefined && { interface: iface }),
    ...(authType !== undefined && { authType: authType.toUpperCase() }),
    authPassPresent: authPass !== undefined,
    ...(authPass !== undefined && { authPass }),
    vips: virtualAddresses.map((v) => v.address),
    virtualAddresses,
    trackScripts: blockEntries(node, 'track_script').map(parseTrack),
    trackFiles: blockEntries(node, 'track_file').map(parseTrack),
    nopreempt: childNode(node, 'nopreempt') !== undefined,
    ...(preemptDelay !== undefined && { preemptDelay }),
    ...(unicastSrcIp !== undefined && { unicastSrcIp }),
    unicastPeers: blockEntries(node, 'unicast_peer').map((e) => e.key),
  };
}

function parseScript(node: ConfigNode): KeepalivedScript {
  const arg = (key: string): number | undefined => num(childNode(node, key)?.args[0]);
  const script = childNode(node, 'script')?.args.join(' ');
  const user = childNode(node, 'user')?.args.join(' ');
  const out: KeepalivedScript = {
    name: node.args[0] ?? '',
    line: node.line,
    ...(node.file !== undefined && { file: node.file }),
    ...(script !== undefined && { script }),
    weight: arg('weight') ?? 0,
  };
  for (const key of ['interval', 'timeout', 'fall', 'rise'] as const) {
    const v = arg(key);
    if (v !== undefined) out[key] = v;
  }
  if (user !== undefined) out.user = user;
  return out;
}

function parseTrackFile(node: ConfigNode): KeepalivedTrackFile {
  const file = childNode(node, 'file')?.args[0];
  return {
    name: node.args[0] ?? '',
    ...(file !== undefined && { file }),
    weight: num(childNode(node, 'weight')?.args[0]) ?? 1,
  };
}

function parseSyncGroup(node: ConfigNode): KeepalivedSyncGroup {
  return {
    name: node.args[0] ?? '',
    instances: blockEntries(node, 'group').flatMap((e) => [e.key, ...e.args]),
  };
}

/** Keywords whose argument is a command keepalived runs (as its script_user, often root). */
const COMMAND_KEYWORDS = new Set([
  'script',
  'notify',
  'notify_master',
  'notify_backup',
  'notify_fault',
  'notify_stop',
  'notify_deleted',
  'notify_master_rx_lower_pri',
  'notify_up',
  'notify_down',
  'quorum_up',
  'quorum_down',
  'misc_path',
  'notify_fifo_script',
  'vrrp_notify_fifo_script',
  'lvs_notify_fifo_script',
]);

/** Every command the config makes keepalived run, with where it is written. */
export function keepalivedCommands(tree: readonly ConfigNode[]): KeepalivedCommand[] {
  const out: KeepalivedCommand[] = [];
  const visit = (nodes: readonly ConfigNode[], context: string): void => {
    for (const n of nodes) {
      if (COMMAND_KEYWORDS.has(n.key) && n.args.length > 0)
        out.push({
          keyword: n.key,
          command: n.args.join(' '),
          context,
          line: n.line,
          ...(n.file !== undefined && { file: n.file }),
        });
      if (n.children) visit(n.children, [n.key, ...n.args].join(' '));
    }
  };
  visit(tree, 'top level');
  return out;
}

/** The facts of an already parsed (and possibly include-resolved) tree. */
export function readKeepalivedConfig(tree: readonly ConfigNode[]): KeepalivedConfig {
  const top = unconditional(tree).map(withoutConditions);
  const globalDefs: Record<string, string> = {};
  const globalKeys: string[] = [];
  for (const g of top.filter((n) => n.key === 'global_defs')) {
    for (const c of g.children ?? []) {
      globalDefs[c.key] = c.args.join(' ');
      globalKeys.push(c.key);
    }
  }
  const instanceName = top.find((n) => n.key === 'instance')?.args[0];
  const of = (key: string): ConfigNode[] => top.filter((n) => n.key === key);
  return {
    instances: of('vrrp_instance').map(parseInstance),
    scripts: of('vrrp_script').map(parseScript),
    trackFiles: [...of('vrrp_track_file'), ...of('track_file')].map(parseTrackFile),
    syncGroups: of('vrrp_sync_group').map(parseSyncGroup),
    globalDefs,
    globalKeys,
    ...(instanceName !== undefined && { instanceName }),
    includes: of('include').flatMap((n) => n.args),
  };
}

/** keepalived.conf text → its facts. Never throws; includes are listed, not followed. */
export function parseKeepalivedConfig(text: string): KeepalivedConfig {
  return readKeepalivedConfig(parseKeepalivedTree(text));
}

/** vrrp_instance names the config declares (what a healthy reload must show). */
export function configInstanceNames(config: KeepalivedConfig): string[] {
  return config.instances.map((i) => i.name).filter((n) => n !== '');
}

/** vrrp_script names the instances track, sorted, once each (a reload must keep them). */
export function configTrackedScriptNames(config: KeepalivedConfig): string[] {
  return [...new Set(config.instances.flatMap((i) => i.trackScripts.map((t) => t.name)))].sort();
}
