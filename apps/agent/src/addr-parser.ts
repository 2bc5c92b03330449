import type { KernelAddress } from '@keepwatch/shared';

/*
 * `ip -j -4 addr` output: [{ifname, flags, addr_info: [{family, local, prefixlen, label}]}].
 * Loopback interfaces are excluded (a VIP is never on lo in our topologies, and 127.0.0.1
 * is noise in every snapshot).
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLoopback(link: Record<string, unknown>): boolean {
  const flags = link['flags'];
  return link['ifname'] === 'lo' || (Array.isArray(flags) && flags.includes('LOOPBACK'));
}

/**
 * The link cannot carry traffic: administratively down (no UP flag) or no carrier (operstate
 * DOWN / LOWERLAYERDOWN / NOTPRESENT). UNKNOWN (tun, some virtual devices) counts as up.
 */
function isLinkDown(link: Record<string, unknown>): boolean {
  const flags = link['flags'];
  if (Array.isArray(flags) && !flags.includes('UP')) return true;
  const op = link['operstate'];
  return op === 'DOWN' || op === 'LOWERLAYERDOWN' || op === 'NOTPRESENT';
}

/** Parses `ip -j addr` JSON into a sorted address list; throws on text that is not JSON. */
export function parseIpJsonAddr(text: string): KernelAddress[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('ip -j addr: not an array');
  const out: KernelAddress[] = [];
  for (const link of parsed) {
    if (!isRecord(link) || isLoopback(link) || typeof link['ifname'] !== 'string') continue;
    const infos = Array.isArray(link['addr_info']) ? link['addr_info'] : [];
    const down = isLinkDown(link);
    for (const info of infos) {
      if (!isRecord(info) || typeof info['local'] !== 'string') continue;
      const prefix = info['prefixlen'];
      if (typeof prefix !== 'number') continue;
      out.push({
        address: info['local'],
        prefix,
        interface: link['ifname'],
        ...(down && { linkDown: true as const }),
      });
    }
  }
  return out.sort((a, b) => addrKey(a).localeCompare(addrKey(b)));
}

export function addrKey(a: KernelAddress): string {
  return `${a.interface} ${a.address}/${a.prefix}`;
}

/** The addresses whose link went down or came back (same address, same interface). */
export function linkChanges(
  before: readonly KernelAddress[],
  after: readonly KernelAddress[],
): KernelAddress[] {
  const was = new Map(before.map((a) => [addrKey(a), a.linkDown === true]));
  return after.filter((a) => {
    const w = was.get(addrKey(a));
    return w !== undefined && w !== (a.linkDown === true);
  });
}

/** What changed between two address sets. */
export function diffAddresses(
  before: readonly KernelAddress[],
  after: readonly KernelAddress[],
): { added: KernelAddress[]; removed: KernelAddress[] } {
  const b = new Set(before.map(addrKey));
  const a = new Set(after.map(addrKey));
  return {
    added: after.filter((x) => !b.has(addrKey(x))),
    removed: before.filter((x) => !a.has(addrKey(x))),
  };
}

export interface MonitorLine {
  action: 'add' | 'remove';
  interface: string;
  family: 'inet' | 'inet6';
  address: string;
  prefix: number;
}

// `[ts] Deleted 2: eth0    inet 10.88.0.50/24 scope global secondary eth0\  valid_lft ...`
const MONITOR = /^(?:\[[^\]]*\]\s*)?(Deleted\s+)?\d+:\s+(\S+)\s+(inet6?)\s+([0-9a-fA-F:.]+)\/(\d+)/;

/**
 * Parses one `ip -o monitor address` line. The collector only uses it as a trigger and
 * for logs (it re-reads the full set, which cannot miss a coalesced event), so lines it
 * does not understand are still triggers.
 */
export function parseMonitorLine(line: string): MonitorLine | undefined {
  const m = MONITOR.exec(line.trim());
  if (!m) return undefined;
  const [, deleted, iface, family, address, prefix] = m;
  if (!iface || !address || !prefix) return undefined;
  return {
    action: deleted ? 'remove' : 'add',
    interface: iface,
    family: family === 'inet6' ? 'inet6' : 'inet',
    address,
    prefix: Number(prefix),
  };
}
