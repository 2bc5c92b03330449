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

export interface NginxListen {
  /** As written: `80`, `10.77.0.50:80`, `[::]:80`, `unix:/x`. */
  raw: string;
  address?: string;
  port?: number;
  defaultServer: boolean;
  line: number;
  file?: string;
}

export interface NginxLocation {
  /** `= /healthz`, `/`, `~ \.php$` … as written. */
  match: string;
  proxyPass?: string;
  /** The proxy_connect_timeout in effect here (the nearest level that sets it). */
  connectTimeout?: string;
  line: number;
  file?: string;
}

export interface NginxServer {
  listens: NginxListen[];
  serverNames: string[];
  locations: NginxLocation[];
  line: number;
  file?: string;
}

export interface NginxConfig {
  user?: string;
  upstreams: NginxUpstream[];
  servers: NginxServer[];
  /** `load_module` paths: shared objects nginx loads as root (even for `nginx -t`). */
  loadModules: { path: string; line: number; file?: string }[];
  /** Arguments of `include` directives still in the tree (not resolved). */
  includes: string[];
}

const where = (n: NginxNode): { line: number; file?: string } => ({
  line: n.line,
  ...(n.file !== undefined && { file: n.file }),
});

export function parseListen(n: NginxNode): NginxListen {
  const raw = n.args[0] ?? '';
  const out: NginxListen = { raw, defaultServer: n.args.includes('default_server'), ...where(n) };
  if (/^\d+$/.test(raw)) out.port = Number(raw);
  else if (!raw.startsWith('unix:')) {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw);
    if (m?.[1]) {
      out.address = m[1];
      out.port = m[2] ? Number(m[2]) : 80;
    }
  }
  return out;
}

const timeoutOf = (n: { children?: NginxNode[] }): string | undefined =>
  nginxChildren(n, 'proxy_connect_timeout').at(-1)?.args[0];

function readLocations(
  parent: { children?: NginxNode[] },
  inherited: string | undefined,
): NginxLocation[] {
  const out: NginxLocation[] = [];
  for (const l of nginxChildren(parent, 'location')) {
    const connectTimeout = timeoutOf(l) ?? inherited;
    const proxyPass = nginxChildren(l, 'proxy_pass').at(-1)?.args[0];
    out.push({
      match: l.args.join(' '),
      ...(proxyPass !== undefined && { proxyPass }),
      ...(connectTimeout !== undefined && { connectTimeout }),
      ...where(l),
    });
    out.push(...readLocations(l, connectTimeout));
  }
  return out;
}

/** The facts of an nginx tree (main context, `http` blocks, their servers and locations). */
export function readNginxConfig(nodes: readonly NginxNode[]): NginxConfig {
  const root = { children: [...nodes] };
  const http = nginxChildren(root, 'http');
  const includes: string[] = [];
  const visit = (list: readonly NginxNode[]): void => {
    for (const n of list) {
      if (n.name === 'include') includes.push(...n.args);
      if (n.children) visit(n.children);
    }
  };
  visit(nodes);
  const servers: NginxServer[] = http.flatMap((h) =>
    nginxChildren(h, 'server').map((s) => ({
      listens: nginxChildren(s, 'listen').map(parseListen),
      serverNames: nginxChildren(s, 'server_name').flatMap((x) => x.args),
      locations: readLocations(s, timeoutOf(s) ?? timeoutOf(h)),
      ...where(s),
    })),
  );
  const user = nginxChildren(root, 'user').at(-1)?.args[0];
  return {
    ...(user !== undefined && { user }),
    upstreams: readUpstreams(nodes),
    servers,
    loadModules: nginxChildren(root, 'load_module').map((n) => ({
      path: n.args[0] ?? '',
      ...where(n),
    })),
    includes,
  };
}

/** nginx.conf text → its facts; includes are listed, not followed. */
export function parseNginxConfig(text: string): NginxConfig {
  return readNginxConfig(parseNginxTree(text).nodes);
}
