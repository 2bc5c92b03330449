import type { VrrpState } from '@keepwatch/shared';
import { vipAddress, type DumpInstance } from './keepalived-types';

/*
 * keepalived.json (SIGJSON, v1 format of 2.2.x): an array with one
 * { data: {...}, stats: {...} } object per vrrp_instance. `state` is numeric (vrrp.h).
 */

const STATE_BY_NUMBER: Record<number, VrrpState> = {
  0: 'INIT',
  1: 'BACKUP',
  2: 'MASTER',
  3: 'FAULT',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

function clampPriority(v: number | undefined): number {
  return v === undefined ? 0 : Math.max(0, Math.min(255, v));
}

function parseInstance(entry: unknown): DumpInstance | undefined {
  if (!isRecord(entry) || !isRecord(entry['data'])) return undefined;
  const d = entry['data'];
  const name = d['iname'];
  if (typeof name !== 'string' || name === '') return undefined;
  const stateNum = int(d['state']);
  const base = int(d['base_priority']);
  const vrid = int(d['vrid']);
  const ifname = d['ifp_ifname'];
  const vips = Array.isArray(d['vips'])
    ? d['vips'].flatMap((v) => (typeof v === 'string' ? (vipAddress(v) ?? []) : []))
    : [];
  const lt = d['last_transition'];
  return {
    name,
    state: (stateNum !== undefined ? STATE_BY_NUMBER[stateNum] : undefined) ?? 'UNKNOWN',
    basePriority: clampPriority(base),
    effectivePriority: clampPriority(int(d['effective_priority']) ?? base),
    ...(vrid !== undefined && vrid >= 1 && vrid <= 255 ? { vrid } : {}),
    ...(typeof ifname === 'string' && ifname !== '' ? { interface: ifname } : {}),
    vips,
    ...(typeof lt === 'number' && lt > 0 ? { lastTransition: Math.round(lt * 1000) } : {}),
  };
}

/**
 * Parses the text of keepalived.json. Throws on text that is not a complete JSON array,
 * which is what a caller polling a file still being written wants to know.
 */
export function parseJsonDump(text: string): DumpInstance[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('keepalived.json is not an array');
  return parsed.flatMap((e) => parseInstance(e) ?? []);
}
