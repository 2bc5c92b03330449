import type { SyncGroup, VrrpState } from '@keepwatch/shared';

/*
 * Sync groups of a keepalived text dump (SIGUSR1): ` VRRP Sync Group = VG_1, MASTER`
 * followed by member lines, `monitor = VI_1` (1.3.x) or a `VRRP member instances = 2` list
 * (2.x). Membership from keepalived.conf (`vrrp_sync_group VG_1 { group { … } }`) comes
 * from the shared config parser; the JSON dump has no sync groups, their state then comes
 * from the FIFO's GROUP lines.
 */

const STATES = new Set<string>(['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP', 'DELETED']);

function state(s: string | undefined): VrrpState {
  return s !== undefined && STATES.has(s) ? (s as VrrpState) : 'UNKNOWN';
}

const GROUP_HEADER = /^VRRP Sync Group = ([^,\s]+),?\s*(\S+)?/;

/** Sync groups of a SIGUSR1 text dump, with their state. */
export function parseTextSyncGroups(text: string): SyncGroup[] {
  const out: SyncGroup[] = [];
  let cur: SyncGroup | undefined;
  let listing = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const head = GROUP_HEADER.exec(line);
    if (head) {
      cur = { name: head[1] ?? '', state: state(head[2]), instances: [] };
      out.push(cur);
      listing = false;
      continue;
    }
    if (!cur) continue;
    // Anything at the left margin or a new section ends the group.
    if (
      line.startsWith('------<') ||
      /^VRRP (Instance|Script)\b/.test(line) ||
      raw.startsWith(' ') === false
    ) {
      cur = undefined;
      continue;
    }
    const monitor = /^monitor = (\S+)$/.exec(line);
    if (monitor?.[1]) cur.instances.push(monitor[1]);
    else if (/^VRRP member instances\b/.test(line)) listing = true;
    else if (listing && /^[^\s=]+$/.test(line)) cur.instances.push(line);
    else listing = false;
  }
  return out;
}
