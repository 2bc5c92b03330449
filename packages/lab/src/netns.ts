import { run, runOk } from './exec';
import type { Topology } from './topology';

/*
 * Network plumbing: one bridge namespace, one namespace per host, veths created inside
 * namespaces (`ip -n <sw> link add p-x type veth peer name eth0 netns <host>`), plus one
 * veth into the root namespace so the Keepwatch server is reachable at <subnet>.1.
 */

const IP = 'ip';

export async function listNamespaces(): Promise<string[]> {
  const r = await run([IP, '-j', 'netns', 'list'], { timeoutMs: 5000 });
  if (r.code !== 0 || !r.stdout.trim()) return [];
  const parsed = JSON.parse(r.stdout) as { name: string }[];
  return parsed.map((n) => n.name);
}

/** Every namespace that belongs to a lab with this prefix, including leftovers. */
export async function labNamespaces(prefix: string): Promise<string[]> {
  return (await listNamespaces()).filter((n) => n.startsWith(`${prefix}-`));
}

export async function nsPids(ns: string): Promise<number[]> {
  const r = await run([IP, 'netns', 'pids', ns], { timeoutMs: 5000 });
  if (r.code !== 0) return [];
  return r.stdout
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** `ip -n <ns> ...args`, which must succeed. */
function ipN(ns: string, ...args: string[]): Promise<unknown> {
  return runOk([IP, '-n', ns, ...args]);
}

async function inNs(ns: string, argv: string[]): Promise<void> {
  await runOk([IP, 'netns', 'exec', ns, ...argv], { timeoutMs: 10_000 });
}

async function disableIpv6(ns: string): Promise<void> {
  // Less netlink noise for the agent, and no IPv6 surprises in the lab.
  await inNs(ns, [
    'sysctl',
    '-q',
    '-w',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1',
    'net.ipv6.conf.lo.disable_ipv6=1',
  ]);
}

export async function createNetwork(topo: Topology): Promise<void> {
  const sw = topo.bridgeNs;
  const namespaces = [sw, ...topo.hosts.map((h) => h.ns)];
  // The first `ip netns add` sets up the /run/netns mount; the rest can go in parallel.
  await runOk([IP, 'netns', 'add', sw]);
  await Promise.all(topo.hosts.map((h) => runOk([IP, 'netns', 'add', h.ns])));
  await Promise.all(namespaces.map((ns) => disableIpv6(ns)));
  await Promise.all(namespaces.map((ns) => runOk([IP, '-n', ns, 'link', 'set', 'lo', 'up'])));

  // No STP (ports forward at once) and no multicast snooping (VRRP adverts are multicast).
  const bridgeOpts = ['type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0'];
  await ipN(sw, 'link', 'add', topo.bridge, ...bridgeOpts);
  await runOk([IP, '-n', sw, 'link', 'set', topo.bridge, 'up']);

  await Promise.all(
    topo.hosts.map(async (h) => {
      const peer = ['peer', 'name', 'eth0', 'netns', h.ns];
      await ipN(sw, 'link', 'add', h.bridgePort, 'type', 'veth', ...peer);
      await runOk([IP, '-n', sw, 'link', 'set', h.bridgePort, 'master', topo.bridge, 'up']);
      await runOk([IP, '-n', h.ns, 'addr', 'add', `${h.ip}/${topo.prefixLen}`, 'dev', 'eth0']);
      await runOk([IP, '-n', h.ns, 'link', 'set', 'eth0', 'up']);
    }),
  );

  // The one interface in the root namespace: the server side of the lab.
  const hostPeer = ['peer', 'name', 'p-host', 'netns', sw];
  await runOk([IP, 'link', 'add', topo.hostIf, 'type', 'veth', ...hostPeer]);
  await run(['sysctl', '-q', '-w', `net.ipv6.conf.${topo.hostIf}.disable_ipv6=1`], {
    timeoutMs: 5000,
  });
  await runOk([IP, '-n', sw, 'link', 'set', 'p-host', 'master', topo.bridge, 'up']);
  await runOk([IP, 'addr', 'add', `${topo.hostIp}/${topo.prefixLen}`, 'dev', topo.hostIf]);
  await runOk([IP, 'link', 'set', topo.hostIf, 'up']);
}

export async function hostIfExists(name: string): Promise<boolean> {
  const r = await run([IP, 'link', 'show', 'dev', name], { timeoutMs: 5000 });
  return r.code === 0;
}

/**
 * Deleting the namespaces deletes their veths; the root end is removed first (and
 * synchronously) so a quick re-`up` finds its name free.
 */
export async function destroyNetwork(prefix: string, hostIf: string): Promise<void> {
  if (await hostIfExists(hostIf)) await run([IP, 'link', 'del', hostIf], { timeoutMs: 5000 });
  const namespaces = await labNamespaces(prefix);
  await Promise.all(namespaces.map((ns) => run([IP, 'netns', 'delete', ns], { timeoutMs: 5000 })));
}

export interface AddrInfo {
  family: string;
  local: string;
  prefixlen: number;
}

/** IPv4 addresses on an interface inside a namespace, as the kernel reports them. */
export async function nsAddresses(ns: string, dev = 'eth0'): Promise<string[]> {
  const r = await run([IP, '-n', ns, '-j', '-4', 'addr', 'show', 'dev', dev], { timeoutMs: 5000 });
  if (r.code !== 0 || !r.stdout.trim()) return [];
  const links = JSON.parse(r.stdout) as { addr_info?: AddrInfo[] }[];
  return links.flatMap((l) => (l.addr_info ?? []).map((a) => a.local));
}
