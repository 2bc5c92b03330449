import type { VrrpState } from '@keepwatch/shared';
import { vipAddress, type DumpInstance } from './keepalived-types';

/*
 * keepalived.data (SIGUSR1), whose format keepalived says is not stable. Differences the
 * fixtures show across 1.3.5 / 2.0.10 / 2.1.5 / 2.2.7:
 *   - `Listening device = eth0` (1.3.5) vs `Interface = ens192` (2.x)
 *   - `Virtual IP = 1` (1.3.5, 2.0) vs `Virtual IP :` (2.1) vs `Virtual IP (1):` (2.2)
 *   - `Virtual IP Excluded :` (2.2) is a different list, not the VIPs
 *   - `Effective priority` missing in 1.3.5 (= base priority)
 *   - `Last transition = 1596892296 (...)` integer vs `1594831166.420598 (...)` float
 *   - in 1.3.5 a `VRRP Script` block is printed in the middle of an instance, and the
 *     instance's `Virtual IP` list follows it; script blocks carry their own `State = idle`.
 * Sections: `------< VRRP Topology >------`, `------< VRRP Scripts >------`, ...
 */

const STATES: Record<string, VrrpState> = {
  INIT: 'INIT',
  BACKUP: 'BACKUP',
  MASTER: 'MASTER',
  FAULT: 'FAULT',
  STOP: 'STOP',
  DELETED: 'DELETED',
};

interface Draft {
  name: string;
  state?: VrrpState;
  base?: number;
  effective?: number;
  vrid?: number;
  iface?: string;
  vips: string[];
  lastTransition?: number;
}

type Mode = 'instance' | 'script' | 'vips' | 'other';

function finish(d: Draft): DumpInstance {
  const base = d.base ?? 0;
  return {
    name: d.name,
    state: d.state ?? 'UNKNOWN',
    basePriority: base,
    effectivePriority: d.effective ?? base,
    ...(d.vrid !== undefined ? { vrid: d.vrid } : {}),
    ...(d.iface !== undefined ? { interface: d.iface } : {}),
    vips: d.vips,
    ...(d.lastTransition !== undefined ? { lastTransition: d.lastTransition } : {}),
  };
}

function applyInstanceKey(d: Draft, key: string, value: string): void {
  const n = Number.parseInt(value, 10);
  switch (key) {
    case 'State':
      d.state = STATES[value.trim()] ?? 'UNKNOWN';
      break;
    case 'Priority':
      if (Number.isFinite(n)) d.base = n;
      break;
    case 'Effective priority':
      if (Number.isFinite(n)) d.effective = n;
      break;
    case 'Virtual Router ID':
      if (Number.isFinite(n)) d.vrid = n;
      break;
    case 'Interface':
    case 'Listening device':
      d.iface = value.trim();
      break;
    case 'Last transition': {
      const secs = Number.parseFloat(value);
      if (Number.isFinite(secs) && secs > 0) d.lastTransition = Math.round(secs * 1000);
      break;
    }
  }
}

// `Virtual IP = 1`, `Virtual IP :`, `Virtual IP (1):` — but not `Virtual IP Excluded`.
const VIP_HEADER = /^Virtual IP\s*(=\s*\d+|\(\d+\)\s*:|:)\s*$/;
const KEY_VALUE = /^([^=]+?)\s*=\s*(.*)$/;

/** Parses the VRRP instances out of a SIGUSR1 text dump. */
export function parseTextDump(text: string): DumpInstance[] {
  const out: DumpInstance[] = [];
  let cur: Draft | undefined;
  let mode: Mode = 'other';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('------<')) {
      mode = 'other';
      continue;
    }
    const kv = KEY_VALUE.exec(line);
    if (kv?.[1] === 'VRRP Instance') {
      if (cur) out.push(finish(cur));
      cur = { name: (kv[2] ?? '').trim(), vips: [] };
      mode = 'instance';
      continue;
    }
    if (kv?.[1] === 'VRRP Script' || kv?.[1] === 'VRRP Sync Group') {
      mode = 'script';
      continue;
    }
    if (VIP_HEADER.test(line)) {
      // 1.3.5 prints the VIP list after an embedded script block: it still belongs to
      // the instance being printed.
      mode = cur ? 'vips' : 'other';
      continue;
    }
    if (mode === 'vips' && cur && /^\d{1,3}(\.\d{1,3}){3}(\/\d+)?\s/.test(`${line} `)) {
      const addr = vipAddress(line);
      if (addr) cur.vips.push(addr);
      continue;
    }
    if (mode === 'vips') mode = 'instance';
    if (mode === 'instance' && cur && kv?.[1] !== undefined)
      applyInstanceKey(cur, kv[1], kv[2] ?? '');
  }
  if (cur) out.push(finish(cur));
  return out.filter((i) => i.name !== '');
}
