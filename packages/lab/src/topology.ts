/*
 * The lab's shape as a pure function of (prefix, subnet, scheme): host names, namespaces,
 * addresses and VRRP instances. Everything else (renderers, process control) derives
 * from this so a test lab (`kwt`, 10.79.0) can run beside the demo lab (`kw`, 10.77.0).
 */

export type Scheme = 'master-backup' | 'dual-master';
export type HostRole = 'lb' | 'backend';
export type LbHostName = 'lb1' | 'lb2';
export type HostName = LbHostName | 'web1' | 'web2';
export type ServiceKind = 'nginx' | 'keepalived' | 'tomcat';

export const HOST_NAMES: readonly HostName[] = ['lb1', 'lb2', 'web1', 'web2'];
export const SERVICE_KINDS: readonly ServiceKind[] = ['nginx', 'keepalived', 'tomcat'];

export interface LabHost {
  readonly name: HostName;
  readonly role: HostRole;
  /** Network namespace name, `<prefix>-<name>`. */
  readonly ns: string;
  readonly ip: string;
  /** Bridge-side end of the host's veth (inside the bridge namespace). */
  readonly bridgePort: string;
}

export interface VrrpInstance {
  readonly name: string;
  readonly vrid: number;
  readonly vip: string;
  /** Priority per load balancer; the higher one starts as MASTER. */
  readonly priorities: Readonly<Record<LbHostName, number>>;
}

export interface Topology {
  readonly prefix: string;
  readonly subnet: string;
  readonly scheme: Scheme;
  readonly hosts: readonly LabHost[];
  readonly vrrp: readonly VrrpInstance[];
  readonly vips: readonly string[];
  /** Address of the root namespace on the lab bridge (where the Keepwatch server listens). */
  readonly hostIp: string;
  /** Root-namespace end of the host veth; kernel interface names are at most 15 bytes. */
  readonly hostIf: string;
  readonly bridgeNs: string;
  readonly bridge: string;
  readonly prefixLen: 24;
}

const HOST_OCTET: Record<HostName, number> = { lb1: 11, lb2: 12, web1: 21, web2: 22 };

export function validatePrefix(prefix: string): void {
  // `<prefix>-host` must fit IFNAMSIZ-1 = 15 characters.
  if (!/^[a-z][a-z0-9]{0,9}$/.test(prefix)) {
    throw new Error(
      `invalid lab prefix ${JSON.stringify(prefix)}: 1-10 of [a-z0-9], starting with a letter`,
    );
  }
}

export function validateSubnet(subnet: string): void {
  const parts = subnet.split('.');
  const ok = parts.length === 3 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
  if (!ok)
    throw new Error(
      `invalid lab subnet ${JSON.stringify(subnet)}: expected three octets like 10.77.0`,
    );
}

export function isHostName(name: string): name is HostName {
  return (HOST_NAMES as readonly string[]).includes(name);
}

export function isServiceKind(name: string): name is ServiceKind {
  return (SERVICE_KINDS as readonly string[]).includes(name);
}

export function buildTopology(opts: { prefix: string; subnet: string; scheme: Scheme }): Topology {
  const { prefix, subnet, scheme } = opts;
  validatePrefix(prefix);
  validateSubnet(subnet);
  const hosts: LabHost[] = HOST_NAMES.map((name) => ({
    name,
    role: name.startsWith('lb') ? 'lb' : 'backend',
    ns: `${prefix}-${name}`,
    ip: `${subnet}.${HOST_OCTET[name]}`,
    bridgePort: `p-${name}`,
  }));
  const vrrp: VrrpInstance[] = [
    { name: 'VI_1', vrid: 51, vip: `${subnet}.50`, priorities: { lb1: 100, lb2: 90 } },
  ];
  if (scheme === 'dual-master') {
    vrrp.push({ name: 'VI_2', vrid: 52, vip: `${subnet}.51`, priorities: { lb1: 90, lb2: 100 } });
  }
  return {
    prefix,
    subnet,
    scheme,
    hosts,
    vrrp,
    vips: vrrp.map((v) => v.vip),
    hostIp: `${subnet}.1`,
    hostIf: `${prefix}-host`,
    bridgeNs: `${prefix}-sw`,
    bridge: 'br0',
    prefixLen: 24,
  };
}

/** Services that belong on a host, by role. */
export function servicesOf(role: HostRole): ServiceKind[] {
  return role === 'lb' ? ['keepalived', 'nginx'] : ['tomcat'];
}

export function hostByName(topo: Topology, name: string): LabHost {
  const host = topo.hosts.find((h) => h.name === name);
  if (!host)
    throw new Error(`unknown lab host ${JSON.stringify(name)} (expected ${HOST_NAMES.join(', ')})`);
  return host;
}
