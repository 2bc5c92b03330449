import type { NoteSink } from './import-notes';
import { IPV4_PATTERN, NEXT_UPSTREAM } from './model';
import type {
  LoadBalancerModel,
  LocationModel,
  NginxModel,
  ProxyModel,
  ServerModel,
  UpstreamModel,
  UpstreamServerModel,
} from './model';
import type { NginxNode } from './nginx-tree';
import { renderNginxNode } from './render-raw';

/*
 * One host's nginx configuration (includes resolved) → the nginx part of the model and the
 * host's own paths. Statements the model has no field for stay as `extra` lines, written
 * back as they were; what cannot be kept (inside `events`, unknown server parameters of an
 * upstream) is reported. A block the model cannot describe as a whole (a regex location, a
 * `listen` with ssl) is kept whole as an extra line of its parent.
 */

export interface ImportedNginx {
  nginx: NginxModel;
  paths: NonNullable<LoadBalancerModel['nginx']>;
}

const ipv4 = new RegExp(IPV4_PATTERN);
const WORD = /^[^\s"'{};#!\\]{1,256}$/;
const DURATION = /^[0-9]{1,6}(ms|s|m|h|d)?$/;
const TEMP = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'] as const;

const one = (n: NginxNode): string | undefined => (n.args.length === 1 ? n.args[0] : undefined);

/** The directive as written, for an `extra` list, with a note saying so. */
function keep(n: NginxNode, notes: NoteSink, where: string): string {
  notes.kept(
    n,
    `${where}${n.name} ${n.args.join(' ')}`.trim() + ' kept as written',
    `${where}${n.name} ${n.args.join(' ')}`.trim() + ' 按原样保留',
  );
  return renderNginxNode(n);
}

/** Applies a proxy_* directive to `p`; false when the model cannot hold it as written. */
function proxyDirective(n: NginxNode, p: ProxyModel): boolean {
  const v = one(n);
  const duration = v !== undefined && DURATION.test(v) ? v : undefined;
  switch (n.name) {
    case 'proxy_connect_timeout':
      return duration !== undefined && (p.connectTimeout = duration) !== undefined;
    case 'proxy_read_timeout':
      return duration !== undefined && (p.readTimeout = duration) !== undefined;
    case 'proxy_send_timeout':
      return duration !== undefined && (p.sendTimeout = duration) !== undefined;
    case 'proxy_next_upstream': {
      const known = n.args.every((a) => (NEXT_UPSTREAM as readonly string[]).includes(a));
      if (!known || n.args.length === 0) return false;
      p.nextUpstream = n.args as ProxyModel['nextUpstream'];
      return true;
    }
    case 'proxy_next_upstream_tries':
      if (v === undefined || !/^\d+$/.test(v)) return false;
      p.nextUpstreamTries = Number(v);
      return true;
    case 'proxy_set_header': {
      const [name, value] = n.args;
      if (n.args.length !== 2 || !name || !value || !WORD.test(name) || !WORD.test(value))
        return false;
      p.setHeaders = [...(p.setHeaders ?? []), { name, value }];
      return true;
    }
    default:
      return false;
  }
}

function upstreamServer(n: NginxNode, notes: NoteSink): UpstreamServerModel | undefined {
  const m = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d+))?$/.exec(n.args[0] ?? '');
  if (!m?.[1]) return undefined;
  const s: UpstreamServerModel = { host: m[1], port: m[2] ? Number(m[2]) : 80 };
  for (const p of n.args.slice(1)) {
    const [k, v] = p.split('=', 2);
    if (k === 'weight' && v && /^\d+$/.test(v)) s.weight = Number(v);
    else if (k === 'max_fails' && v && /^\d+$/.test(v)) s.maxFails = Number(v);
    else if (k === 'fail_timeout' && v && DURATION.test(v)) s.failTimeout = v;
    else if (p === 'backup') s.backup = true;
    else if (p === 'down') s.down = true;
    else
      notes.lost(
        n,
        `upstream server ${n.args[0] ?? ''}: parameter ${p} is not in the model`,
        `upstream 服务器 ${n.args[0] ?? ''}：参数 ${p} 未纳入模型`,
      );
  }
  return s;
}

/** An upstream the model can hold, or undefined (it is then kept whole as an extra line). */
function upstream(n: NginxNode, notes: NoteSink): UpstreamModel | undefined {
  const name = n.args[0] ?? '';
  if (!WORD.test(name)) return undefined;
  const u: UpstreamModel = { name, servers: [] };
  for (const c of n.children ?? []) {
    if (c.name === 'server') {
      const s = upstreamServer(c, notes);
      if (!s) return undefined;
      u.servers.push(s);
    } else if (['least_conn', 'ip_hash', 'random'].includes(c.name) && c.args.length === 0)
      u.method = c.name as UpstreamModel['method'];
    else if (c.name === 'keepalive' && /^\d+$/.test(one(c) ?? '')) u.keepalive = Number(c.args[0]);
    else return undefined;
  }
  return u.servers.length > 0 ? u : undefined;
}

function location(
  n: NginxNode,
  upstreams: ReadonlySet<string>,
  notes: NoteSink,
): LocationModel | undefined {
  const exact = n.args[0] === '=' && n.args.length === 2;
  const path = exact ? n.args[1] : n.args.length === 1 ? n.args[0] : undefined;
  if (!path || !WORD.test(path) || /^[~^@]/.test(path)) return undefined;
  const l: LocationModel = { path, ...(exact && { exact: true }) };
  const proxy: ProxyModel = {};
  const extra: string[] = [];
  for (const c of n.children ?? []) {
    const target =
      c.name === 'proxy_pass' ? /^http:\/\/([^/:]+)$/.exec(one(c) ?? '')?.[1] : undefined;
    if (target && upstreams.has(target)) l.upstream = target;
    else if (c.name === 'location') return undefined;
    else if (!proxyDirective(c, proxy)) extra.push(keep(c, notes, `location ${path}: `));
  }
  if (Object.keys(proxy).length > 0) l.proxy = proxy;
  if (extra.length > 0) l.extra = extra;
  return l;
}

const isHealth = (n: NginxNode, node: string): boolean =>
  n.args[0] === '=' &&
  n.children?.length === 1 &&
  n.children[0]?.name === 'return' &&
  n.children[0].args.join(' ') === `200 ok ${node}\\n`;

function statusOf(n: NginxNode): ServerModel['status'] {
  const kids = n.children ?? [];
  const [first, ...rest] = kids;
  const last = rest.pop();
  const path = n.args[1];
  if (n.args[0] !== '=' || !path || first?.name !== 'stub_status' || first.args.length > 0)
    return undefined;
  if (last?.name !== 'deny' || last.args[0] !== 'all') return undefined;
  if (!rest.every((r) => r.name === 'allow' && r.args.length === 1 && WORD.test(r.args[0] ?? '')))
    return undefined;
  return rest.length > 0 ? { path, allow: rest.map((r) => r.args[0] ?? '') } : undefined;
}

function server(
  n: NginxNode,
  node: string,
  upstreams: ReadonlySet<string>,
  notes: NoteSink,
): ServerModel {
  const s: ServerModel = { listen: [], serverNames: [], locations: [] };
  const extra: string[] = [];
  for (const c of n.children ?? []) {
    const listen = c.name === 'listen' ? /^(?:([\d.]+):)?(\d+)$/.exec(c.args[0] ?? '') : null;
    const plainListen = listen && c.args.slice(1).every((a) => a === 'default_server');
    if (listen && plainListen && (!listen[1] || ipv4.test(listen[1])))
      s.listen.push({
        ...(listen[1] && { address: listen[1] }),
        port: Number(listen[2]),
        ...(c.args.includes('default_server') && { defaultServer: true }),
      });
    else if (c.name === 'server_name' && c.args.every((a) => WORD.test(a)))
      s.serverNames.push(...c.args);
    else if (c.name === 'add_header' && c.args.join(' ') === `X-Keepwatch-LB ${node} always`)
      s.lbHeader = true;
    else if (c.name === 'location' && isHealth(c, node) && c.args[1]) s.healthPath = c.args[1];
    else if (c.name === 'location' && statusOf(c)) s.status = statusOf(c);
    else {
      const l = c.name === 'location' ? location(c, upstreams, notes) : undefined;
      if (l) s.locations.push(l);
      else extra.push(keep(c, notes, 'server: '));
    }
  }
  if (extra.length > 0) s.extra = extra;
  return s;
}

function httpBlock(n: NginxNode, node: string, out: ImportedNginx, notes: NoteSink): void {
  const kids = n.children ?? [];
  const temp = new Map<string, string>();
  for (const c of kids)
    for (const t of TEMP) if (c.name === `${t}_temp_path` && one(c)) temp.set(t, one(c) ?? '');
  const dirs = new Set(
    [...temp].map(([t, p]) => (p.endsWith(`/${t}`) ? p.slice(0, -t.length - 1) : '')),
  );
  const tempDir = temp.size === TEMP.length && dirs.size === 1 ? [...dirs][0] : undefined;
  if (tempDir) out.paths.tempDir = tempDir;
  const ups = kids.filter((c) => c.name === 'upstream').map((c) => upstream(c, notes));
  const names = new Set(ups.flatMap((u) => (u ? [u.name] : [])));
  const httpExtra: string[] = [];
  let u = 0;
  for (const c of kids) {
    if (tempDir && TEMP.some((t) => c.name === `${t}_temp_path`)) continue;
    if (c.name === 'upstream') {
      const model = ups[u++];
      if (model) out.nginx.upstreams.push(model);
      else httpExtra.push(keep(c, notes, ''));
    } else if (c.name === 'server') out.nginx.servers.push(server(c, node, names, notes));
    else if (c.name === 'access_log' && one(c)?.startsWith('/')) out.paths.accessLog = one(c) ?? '';
    else if (c.name === 'keepalive_timeout' && DURATION.test(one(c) ?? ''))
      out.nginx.keepaliveTimeout = one(c) ?? '';
    else if (!proxyDirective(c, out.nginx.proxy)) httpExtra.push(keep(c, notes, 'http: '));
  }
  if (httpExtra.length > 0) out.nginx.httpExtra = httpExtra;
}

/** One host's nginx tree (includes resolved) → the model's nginx part and the host's paths. */
export function importNginx(
  nodes: readonly NginxNode[],
  node: string,
  notes: NoteSink,
): ImportedNginx {
  const out: ImportedNginx = {
    nginx: { workerProcesses: 1, workerConnections: 512, proxy: {}, upstreams: [], servers: [] },
    paths: {},
  };
  const mainExtra: string[] = [];
  let connections = false;
  for (const n of nodes) {
    const v = one(n);
    if (n.name === 'user' && v && WORD.test(v)) out.nginx.user = v;
    else if (n.name === 'worker_processes' && v && (v === 'auto' || /^\d+$/.test(v)))
      out.nginx.workerProcesses = v === 'auto' ? 'auto' : Number(v);
    else if (n.name === 'pid' && v?.startsWith('/')) out.paths.pidFile = v;
    else if (n.name === 'error_log' && n.args[1] === 'notice' && n.args[0]?.startsWith('/'))
      out.paths.errorLog = n.args[0];
    else if (n.name === 'events') {
      for (const c of n.children ?? []) {
        if (c.name === 'worker_connections' && /^\d+$/.test(one(c) ?? '')) {
          out.nginx.workerConnections = Number(c.args[0]);
          connections = true;
        } else
          notes.lost(c, `events: ${c.name} is not in the model`, `events：${c.name} 未纳入模型`);
      }
    } else if (n.name === 'http') httpBlock(n, node, out, notes);
    else mainExtra.push(keep(n, notes, ''));
  }
  if (!connections)
    notes.lost(
      {},
      'events: no worker_connections; the model writes 512',
      'events：没有 worker_connections，模型写入 512',
    );
  if (mainExtra.length > 0) out.nginx.mainExtra = mainExtra;
  return out;
}
