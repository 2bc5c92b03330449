import {
  nginxChildren,
  parseListen,
  readUpstreams,
  resolveNginxIncludes,
  type ConfigFile,
  type NginxNode,
} from '@keepwatch/shared';

/*
 * Does the BACKUP's nginx serve what the MASTER's does? Byte for byte is the wrong question:
 * each load balancer legitimately names itself (an `add_header X-Keepwatch-LB lb1`, a health
 * answer "ok lb1") and keeps its own pid, log and temp paths, so two correct files never hash
 * alike. Compared instead, from the parsed tree (includes expanded), ignoring comments,
 * whitespace and directive order:
 *
 *   NC-1 upstreams by name: the balancing method, keepalive, and each server with its
 *        weight / max_fails / fail_timeout / backup / down.
 *   NC-2 http-level proxy settings (every proxy_* directive but the *_path ones, which are
 *        host-local files).
 *   NC-3 server blocks by their listen addresses and server names: present on both.
 *   NC-4 each server's locations by match: present on both, the same proxy settings
 *        (NC-2's set), proxy_pass included, and the same `return` status code (not its body).
 *
 * Everything else (add_header, return bodies, paths, logs, worker counts) is not compared.
 * Each difference comes out as {where, master, backup} in nginx's own words ('' = absent).
 */

export interface NginxDifference {
  where: string;
  master: string;
  backup: string;
}

type Facts = Map<string, string>;

const proxyKey = (n: NginxNode): boolean =>
  n.name.startsWith('proxy_') && !n.name.endsWith('_path');
const line = (n: NginxNode): string => [n.name, ...n.args].join(' ');

function proxySettings(block: { children?: NginxNode[] }): string {
  return (block.children ?? []).filter(proxyKey).map(line).sort().join('; ');
}

function locationsOf(block: { children?: NginxNode[] }, out: Facts, prefix: string): void {
  for (const l of nginxChildren(block, 'location')) {
    const where = `${prefix} / location ${l.args.join(' ')}`;
    const ret = nginxChildren(l, 'return').at(-1)?.args[0];
    out.set(
      where,
      [proxySettings(l), ret === undefined ? '' : `return ${ret}`].filter(Boolean).join('; ') ||
        '{}',
    );
    locationsOf(l, out, where);
  }
}

/** The compared facts of one nginx config, keyed by where they are. */
export function nginxFacts(nodes: readonly NginxNode[]): Facts {
  const out: Facts = new Map();
  for (const u of readUpstreams(nodes)) {
    const block = findUpstream(nodes, u.name);
    const extra = (block?.children ?? [])
      .filter((c) => c.name !== 'server')
      .map(line)
      .sort();
    out.set(`upstream ${u.name}`, extra.join('; ') || '{}');
    for (const s of u.servers) {
      const params = [
        s.weight !== undefined && `weight=${s.weight}`,
        s.maxFails !== undefined && `max_fails=${s.maxFails}`,
        s.failTimeout !== undefined && `fail_timeout=${s.failTimeout}`,
        s.backup && 'backup',
        s.down && 'down',
      ].filter(Boolean);
      out.set(`upstream ${u.name} / server ${s.address}`, params.join(' ') || 'server');
    }
  }
  const http = nginxChildren({ children: [...nodes] }, 'http');
  const httpProxy = http.map(proxySettings).filter(Boolean).join('; ');
  if (httpProxy) out.set('http', httpProxy);
  for (const h of http) {
    for (const s of nginxChildren(h, 'server')) {
      const listens = nginxChildren(s, 'listen')
        .map((l) => {
          const p = parseListen(l);
          return `${p.address ?? '*'}:${p.port ?? p.raw}${p.defaultServer ? ' default_server' : ''}`;
        })
        .sort();
      const names = nginxChildren(s, 'server_name')
        .flatMap((x) => x.args)
        .sort();
      const key = `server ${listens.join(' ')}${names.length ? ` ${names.join(' ')}` : ''}`;
      const own = proxySettings(s);
      out.set(key, own || '{}');
      locationsOf(s, out, key);
    }
  }
  return out;
}

function findUpstream(nodes: readonly NginxNode[], name: string): NginxNode | undefined {
  for (const n of nodes) {
    if (n.name === 'upstream' && n.args[0] === name) return n;
    const inner = n.children && findUpstream(n.children, name);
    if (inner) return inner;
  }
  return undefined;
}

/** The structural differences between two nginx configs (empty: they serve alike). */
export function compareNginx(
  master: { main: ConfigFile; includes: readonly ConfigFile[] },
  backup: { main: ConfigFile; includes: readonly ConfigFile[] },
): NginxDifference[] {
  const a = nginxFacts(resolveNginxIncludes(master.main, master.includes).nodes);
  const b = nginxFacts(resolveNginxIncludes(backup.main, backup.includes).nodes);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => ({ where: k, master: a.get(k) ?? '', backup: b.get(k) ?? '' }));
}
