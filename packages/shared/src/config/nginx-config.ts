import { nginxChildren, parseNginxTree, type NginxNode } from './nginx-tree';

/*
 * Facts of an nginx configuration for the agent (upstream servers to probe), the rules and
 * the importer. Reads the tree of nginx-tree.ts; `include`s are followed by includes.ts
 * before this runs, or not at all.
 */

export interface NginxUpstreamServer {
  /** host:port as written (port 80 added when absent). */
  address: string;
  weight?: number;
  maxFails?: number;
  failTimeout?: string;
  backup: boolean;
  down: boolean;
  line: number;
  file?: string;
}

export interface NginxUpstream {
  name: string;
  servers: NginxUpstreamServer[];
  line: number;
  file?: string;
}

/** host:port with the default port; undefined for unix: sockets (nothing to probe). */
export function normaliseUpstreamAddress(addr: string): string | undefined {
  if (addr.startsWith('unix:')) return undefined;
  if (/^\[[0-9a-fA-F:]+\](:\d+)?$/.test(addr)) return /\]:\d+$/.test(addr) ? addr : `${addr}:80`;
  return /:\d+$/.test(addr) ? addr : `${addr}:80`;
}

function parseServerParams(node: NginxNode, address: string): NginxUpstreamServer {
  const out: NginxUpstreamServer = {
    address,
    backup: false,
    down: false,
    line: node.line,
    ...(node.file !== undefined && { file: node.file }),
  };
  for (const p of node.args.slice(1)) {
    const [k, v] = p.split('=', 2);
    if (k === 'weight' && v) out.weight = Number(v);
    else if (k === 'max_fails' && v) out.maxFails = Number(v);
    else if (k === 'fail_timeout' && v) out.failTimeout = v;
    else if (k === 'backup') out.backup = true;
    else if (k === 'down') out.down = true;
  }
  return out;
}

/** Every `upstream` block anywhere in the tree (http level, as nginx allows), in order. */
export function readUpstreams(nodes: readonly NginxNode[]): NginxUpstream[] {
  const out: NginxUpstream[] = [];
  const visit = (list: readonly NginxNode[]): void => {
    for (const n of list) {
      if (n.name === 'upstream' && n.children) {
        const servers: NginxUpstreamServer[] = [];
        for (const s of nginxChildren(n, 'server')) {
          const address = s.args[0] !== undefined ? normaliseUpstreamAddress(s.args[0]) : undefined;
          if (address && !servers.some((x) => x.address === address))
            servers.push(parseServerParams(s, address));
        }
        out.push({
          name: n.args[0] ?? '',
          servers,
          line: n.line,
          ...(n.file !== undefined && { file: n.file }),
        });
      } else if (n.children) visit(n.children);
    }
  };
  visit(nodes);
  return out;
}

/** Every upstream block of an nginx.conf text with its server addresses, in file order. */
export function parseUpstreams(conf: string): { name: string; servers: string[] }[] {
  return readUpstreams(parseNginxTree(conf).nodes).map((u) => ({
    name: u.name,
    servers: u.servers.map((s) => s.address),
  }));
}
