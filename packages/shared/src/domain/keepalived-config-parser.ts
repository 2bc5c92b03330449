/*
 * A pure reader of keepalived.conf: enough structure for the configuration rules (weights,
 * pair mismatches), not a validator. keepalived's grammar is "keyword args... [{ block }]"
 * with `#`/`!` comments; unknown keywords are kept in the tree and ignored. `include` is
 * not followed (the agent sends one file): included instances are simply absent.
 */

export interface ConfigNode {
  key: string;
  args: string[];
  children?: ConfigNode[];
}

export interface KeepalivedTrackScript {
  name: string;
  /** The `weight` override on the track_script line; undefined → the vrrp_script's weight. */
  weight?: number;
}

export interface KeepalivedInstance {
  name: string;
  state?: string;
  vrid?: number;
  /** keepalived's default is 100. */
  priority: number;
  /** Seconds; keepalived's default is 1. */
  advertInt: number;
  interface?: string;
  authType?: string;
  authPassPresent: boolean;
  /** Kept only to compare the pair; never put in a message. */
  authPass?: string;
  /** Addresses without prefix, in config order. */
  vips: string[];
  trackScripts: KeepalivedTrackScript[];
  trackFiles: string[];
  nopreempt: boolean;
}

export interface KeepalivedScript {
  name: string;
  /** keepalived's default is 0: a failing script puts the instance in FAULT. */
  weight: number;
  interval?: number;
  fall?: number;
  rise?: number;
}

export interface KeepalivedConfig {
  instances: KeepalivedInstance[];
  scripts: KeepalivedScript[];
  /** global_defs keyword → its arguments joined by a space. */
  globalDefs: Record<string, string>;
  includes: string[];
}

/** A word, a brace, or '\n' marking a line end. */
type Token = string;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/[#!].*$/, '');
    for (const word of line.replace(/([{}])/g, ' $1 ').split(/\s+/)) if (word) tokens.push(word);
    tokens.push('\n');
  }
  return tokens;
}

/** Parses a token stream into a statement tree; an unmatched `}` closes nothing. */
export function parseConfigTree(text: string): ConfigNode[] {
  const tokens = tokenize(text);
  let i = 0;
  const block = (): ConfigNode[] => {
    const nodes: ConfigNode[] = [];
    let current: ConfigNode | undefined;
    while (i < tokens.length) {
      const t = tokens[i++] ?? '\n';
      if (t === '}') return nodes;
      if (t === '\n') {
        current = undefined;
        continue;
      }
      if (t === '{') {
        // A block opening on its own line belongs to the previous statement.
        const owner = current ?? nodes[nodes.length - 1];
        const children = block();
        if (owner) owner.children = [...(owner.children ?? []), ...children];
        current = undefined;
        continue;
      }
      if (current) current.args.push(t);
      else {
        current = { key: t, args: [] };
        nodes.push(current);
      }
    }
    return nodes;
  };
  return block();
}

const num = (raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
};

const child = (node: ConfigNode, key: string): ConfigNode | undefined =>
  node.children?.find((c) => c.key === key);

/** Entries of a list block (virtual_ipaddress, track_script, ...): one per line. */
const entries = (node: ConfigNode, key: string): ConfigNode[] => child(node, key)?.children ?? [];

function parseTrackScript(entry: ConfigNode): KeepalivedTrackScript {
  const at = entry.args.indexOf('weight');
  const weight = at >= 0 ? num(entry.args[at + 1]) : undefined;
  return { name: entry.key, ...(weight !== undefined && { weight }) };
}

function parseInstance(node: ConfigNode): KeepalivedInstance {
  const arg = (key: string): string | undefined => child(node, key)?.args[0];
  const auth = child(node, 'authentication');
  const authType = auth ? child(auth, 'auth_type')?.args[0] : undefined;
  const authPass = auth ? child(auth, 'auth_pass')?.args[0] : undefined;
  const vrid = num(arg('virtual_router_id'));
  const state = arg('state');
  const iface = arg('interface');
  return {
    name: node.args[0] ?? '',
    ...(state !== undefined && { state }),
    ...(vrid !== undefined && { vrid }),
    priority: num(arg('priority')) ?? 100,
    advertInt: num(arg('advert_int')) ?? 1,
    ...(iface !== undefined && { interface: iface }),
    ...(authType !== undefined && { authType: authType.toUpperCase() }),
    authPassPresent: authPass !== undefined,
    ...(authPass !== undefined && { authPass }),
    vips: entries(node, 'virtual_ipaddress').map((e) => e.key.split('/')[0] ?? e.key),
    trackScripts: entries(node, 'track_script').map(parseTrackScript),
    trackFiles: entries(node, 'track_file').map((e) => e.key),
    nopreempt: child(node, 'nopreempt') !== undefined,
  };
}

function parseScript(node: ConfigNode): KeepalivedScript {
  const arg = (key: string): number | undefined => num(child(node, key)?.args[0]);
  const interval = arg('interval');
  const fall = arg('fall');
  const rise = arg('rise');
  return {
    name: node.args[0] ?? '',
    weight: arg('weight') ?? 0,
    ...(interval !== undefined && { interval }),
    ...(fall !== undefined && { fall }),
    ...(rise !== undefined && { rise }),
  };
}

/** keepalived.conf text → instances, vrrp_scripts and global_defs. Never throws. */
export function parseKeepalivedConfig(text: string): KeepalivedConfig {
  const tree = parseConfigTree(text);
  const globalDefs: Record<string, string> = {};
  for (const g of tree.filter((n) => n.key === 'global_defs')) {
    for (const c of g.children ?? []) globalDefs[c.key] = c.args.join(' ');
  }
  return {
    instances: tree.filter((n) => n.key === 'vrrp_instance').map(parseInstance),
    scripts: tree.filter((n) => n.key === 'vrrp_script').map(parseScript),
    globalDefs,
    includes: tree.filter((n) => n.key === 'include').flatMap((n) => n.args),
  };
}
