import type { SyncGroup, VrrpState } from '@keepwatch/shared';

/*
 * Sync groups, from the two places that name their members:
 *   keepalived.conf   vrrp_sync_group VG_1 { group { VI_1 VI_2 } ... }
 *   text dump (SIGUSR1)  ` VRRP Sync Group = VG_1, MASTER` followed by member lines,
 *                     `monitor = VI_1` (1.3.x) or a `VRRP member instances = 2` list (2.x).
 * The JSON dump has no sync groups; their state then comes from the FIFO's GROUP lines.
 */

const STATES = new Set<string>(['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP', 'DELETED']);

function state(s: string | undefined): VrrpState {
  return s !== undefined && STATES.has(s) ? (s as VrrpState) : 'UNKNOWN';
}

/** Finds the `{ ... }` body that opens at or after `from`, honouring nesting. */
function blockBody(text: string, from: number): { body: string; end: number } | undefined {
  const open = text.indexOf('{', from);
  if (open < 0) return undefined;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return { body: text.slice(open + 1, i), end: i + 1 };
  }
  return undefined;
}

/** Members of every vrrp_sync_group in a keepalived.conf (state UNKNOWN: config has none). */
export function parseConfigSyncGroups(conf: string): SyncGroup[] {
  const text = conf.replace(/[#!][^\n]*/g, '');
  const out: SyncGroup[] = [];
  const head = /\bvrrp_sync_group\s+(\S+)\s*(?=\{)/g;
  for (let m = head.exec(text); m; m = head.exec(text)) {
    const outer = blockBody(text, head.lastIndex);
    if (!outer) break;
    const g = /\bgroup\s*(?=\{)/.exec(outer.body);
    const inner = g ? blockBody(outer.body, g.index) : undefined;
    const instances = inner ? inner.body.split(/\s+/).filter((w) => w !== '') : [];
    out.push({ name: m[1] ?? '', state: 'UNKNOWN', instances });
    head.lastIndex = outer.end;
  }
  return out;
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
