import { readdirSync, readFileSync } from 'node:fs';

/*
 * Signals to daemons found through their pid files, never by name: every lab host shares
 * one PID namespace (reference lab, addendum 12) and a real host may run several nginx.
 * A process is remembered with its start time (field 22 of /proc/PID/stat), so a restore
 * that comes minutes later never signals an unrelated process that reused the pid.
 */

export interface ProcRef {
  pid: number;
  /** Clock ticks since boot when the process started. */
  start: string;
}

interface Stat {
  ppid: number;
  start: string;
  /** R, S, D, T (stopped), Z … */
  state: string;
}

/** /proc/PID/stat, parsed after the command name (which may hold spaces and parentheses). */
export function procStat(pid: number, proc = '/proc'): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`${proc}/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) … starttime(22), so index = field - 3.
  const state = fields[0];
  const ppid = Number(fields[1]);
  const start = fields[19];
  if (!state || !Number.isInteger(ppid) || !start) return undefined;
  return { ppid, start, state };
}

export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function refOf(pid: number, proc = '/proc'): ProcRef | undefined {
  const s = procStat(pid, proc);
  return s && s.state !== 'Z' ? { pid, start: s.start } : undefined;
}

/** A process and all its descendants (workers, the VRRP and checker children), parent first. */
export function processTree(root: number, proc = '/proc'): ProcRef[] {
  const top = refOf(root, proc);
  if (!top) return [];
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync(proc)) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const s = procStat(pid, proc);
    if (!s || s.state === 'Z') continue;
    byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), pid]);
  }
  const out: ProcRef[] = [top];
  for (let i = 0; i < out.length && out.length < 256; i++) {
    for (const child of byParent.get(out[i]?.pid ?? -1) ?? []) {
      const ref = refOf(child, proc);
      if (ref) out.push(ref);
    }
  }
  return out;
}

/** Still the same process (same pid, same start time, not a zombie)? */
export function isSame(ref: ProcRef, proc = '/proc'): boolean {
  return refOf(ref.pid, proc)?.start === ref.start;
}

/** Sends sig if ref is still the process it was; false when it is gone or reused. */
export function signalRef(ref: ProcRef, sig: NodeJS.Signals, proc = '/proc'): boolean {
  if (!isSame(ref, proc)) return false;
  try {
    process.kill(ref.pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once none of refs is alive, or with those still alive after timeoutMs. */
export async function waitGone(
  refs: ProcRef[],
  timeoutMs: number,
  proc = '/proc',
): Promise<ProcRef[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = refs.filter((r) => isSame(r, proc));
    if (left.length === 0 || Date.now() >= until) return left;
    await new Promise((r) => setTimeout(r, 10));
  }
}
