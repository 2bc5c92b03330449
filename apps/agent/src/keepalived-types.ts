import type { VrrpState } from '@keepwatch/shared';

/** One VRRP instance as read from a keepalived state dump (JSON or text). */
export interface DumpInstance {
  name: string;
  state: VrrpState;
  basePriority: number;
  effectivePriority: number;
  vrid?: number;
  interface?: string;
  /** Addresses without prefix length, e.g. "10.77.0.50". */
  vips: string[];
  /** Epoch ms of keepalived's last transition for this instance. */
  lastTransition?: number;
}

/** "10.77.0.50/24 dev eth0 scope global set" -> "10.77.0.50". */
export function vipAddress(entry: string): string | undefined {
  const first = entry.trim().split(/\s+/)[0];
  if (!first) return undefined;
  return first.split('/')[0];
}
