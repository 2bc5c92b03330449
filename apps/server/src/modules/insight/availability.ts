import type { AvailabilityWindow } from '@keepwatch/shared';

/*
 * Availability of one VIP from stored history, pure (time injected). The VIP is up while
 * some kernel holds it and that holder's nginx is not known to be down; a split (two or more
 * holders) counts as up (clients reach one of them) but is reported apart. Time before the
 * first stored evidence that a kernel holds the VIP is unknown, not down (showsHeld).
 *
 * Sources (history_transitions): `vip.change` add/remove of the address (the kernel's truth);
 * `service.health` of nginx; and the one `snapshot` "first report" per node, which carries
 * keepalived's claim (a MASTER with the VIP) because history records no `vip.change` for the
 * addresses a node already had when it first reported.
 */

export interface AvailabilityEvent {
  ts: number;
  node: string;
  type: string;
  data: unknown;
}

export const RANGES: readonly { range: string; ms: number }[] = [
  { range: '24h', ms: 86_400_000 },
  { range: '7d', ms: 7 * 86_400_000 },
  { range: '30d', ms: 30 * 86_400_000 },
];

interface State {
  holders: Set<string>;
  nginxDown: Set<string>;
}

const rec = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

function apply(s: State, e: AvailabilityEvent, vip: string): void {
  const d = rec(e.data);
  if (e.type === 'vip.change') {
    if (rec(d['address'])['address'] !== vip) return;
    if (d['action'] === 'add') s.holders.add(e.node);
    else s.holders.delete(e.node);
  } else if (e.type === 'service.health') {
    if (d['service'] !== 'nginx') return;
    if (rec(d['health'])['healthy'] === false) s.nginxDown.add(e.node);
    else s.nginxDown.delete(e.node);
  } else if (e.type === 'snapshot') {
    const claims = Array.isArray(d['vrrp']) ? d['vrrp'].map(rec) : [];
    const master = claims.some(
      (v) => v['state'] === 'MASTER' && Array.isArray(v['vips']) && v['vips'].includes(vip),
    );
    if (master) s.holders.add(e.node);
    else s.holders.delete(e.node);
    if (rec(rec(d['services'])['nginx'])['healthy'] === false) s.nginxDown.add(e.node);
    else s.nginxDown.delete(e.node);
  }
}

/**
 * Whether an event is positive evidence that a kernel holds the VIP (a `vip.change` add, or a
 * first report claiming MASTER of it). The VIP's history is known from the first such event:
 * before it, the nodes that had not reported yet may well have held it (a BACKUP that reports
 * a few seconds before its MASTER must not make those seconds down time).
 */
function showsHeld(e: AvailabilityEvent, vip: string): boolean {
  const s: State = { holders: new Set(), nginxDown: new Set() };
  if (e.type !== 'vip.change' && e.type !== 'snapshot') return false;
  apply(s, e, vip);
  return s.holders.size > 0;
}

type Phase = 'down' | 'up' | 'split';
function phase(s: State): Phase {
  const serving = [...s.holders].filter((n) => !s.nginxDown.has(n));
  if (serving.length === 0) return 'down';
  return s.holders.size >= 2 ? 'split' : 'up';
}

/** `events` sorted by ts (any order within one ts), from the first ever stored. */
export function vipAvailability(
  events: readonly AvailabilityEvent[],
  vip: string,
  now: number,
  ranges = RANGES,
): AvailabilityWindow[] {
  const knownFrom = events.find((e) => showsHeld(e, vip))?.ts;
  return ranges.map(({ range, ms }) => {
    const from = now - ms;
    const w = { range, fromMs: from, knownMs: 0, downMs: 0, splitMs: 0 };
    if (knownFrom === undefined) return { ...w, availability: null };
    const s: State = { holders: new Set(), nginxDown: new Set() };
    let at = Math.max(from, knownFrom);
    const add = (until: number): void => {
      const span = Math.min(until, now) - at;
      if (span <= 0) return;
      w.knownMs += span;
      const p = phase(s);
      if (p === 'down') w.downMs += span;
      if (p === 'split') w.splitMs += span;
      at += span;
    };
    for (const e of events) {
      if (e.ts >= now) break;
      if (e.ts > at) add(e.ts);
      apply(s, e, vip);
    }
    add(now);
    return { ...w, availability: w.knownMs > 0 ? (w.knownMs - w.downMs) / w.knownMs : null };
  });
}
