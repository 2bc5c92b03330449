import { readFileSync, readdirSync } from 'node:fs';

/* CPU and memory of another process from /proc (Linux), for the server under load. */

const CLK_TCK = 100;

/** /proc/<pid>/stat's fields after the command name (which may hold spaces: cut at the last ')'). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime of `pid` in seconds. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** The live children of `pid` (one level: PostgreSQL's backends are the postmaster's). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const child = Number(name);
    if (!Number.isInteger(child)) continue;
    try {
      if (Number(statFields(child)[1]) === pid) out.push(child);
    } catch {
      // gone while we looked
    }
  }
  return out;
}

/**
 * CPU of a process and its children in seconds: its own, its reaped children's (cutime +
 * cstime: backends that ended) and its live children's. For PostgreSQL's postmaster.
 */
export function treeCpuSeconds(pid: number): number {
  const f = statFields(pid);
  let s = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
  for (const c of childrenOf(pid)) {
    try {
      s += cpuSeconds(c);
    } catch {
      // ended between the listing and the read: its time is in cutime from the next read on
    }
  }
  return s;
}

/** Proportional set size of a process and its live children in MB (shared memory counted once). */
export function treePssMb(pid: number): number {
  let kb = 0;
  for (const p of [pid, ...childrenOf(pid)]) {
    try {
      kb += Number(
        /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0,
      );
    } catch {
      // ended meanwhile
    }
  }
  return kb / 1024;
}

/** Resident set size of `pid` in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** What a window samples: CPU seconds so far, memory now (MB). */
export interface ProcSampler {
  cpu: () => number;
  memMb: () => number;
}

/** A process tree (PostgreSQL): CPU of all, memory as the sum of PSS. */
export const treeSampler = (pid: number): ProcSampler => ({
  cpu: () => treeCpuSeconds(pid),
  memMb: () => treePssMb(pid),
});

/** Samples a process's RSS every second and its CPU over the whole window. */
export class ProcWindow {
  private readonly cpu0: number;
  private readonly t0 = performance.now();
  private maxRss = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly s: ProcSampler;

  constructor(pid: number | ProcSampler) {
    const s =
      typeof pid === 'number' ? { cpu: () => cpuSeconds(pid), memMb: () => rssMb(pid) } : pid;
    this.s = s;
    this.cpu0 = s.cpu();
    this.maxRss = s.memMb();
    this.timer = setInterval(() => {
      this.maxRss = Math.max(this.maxRss, s.memMb());
    }, 1000);
  }

  /** CPU in % of one core over the window, and the largest RSS seen (MB). */
  end(): { cpuPercent: number; rssMaxMb: number } {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.t0) / 1000;
    const cpu = this.s.cpu() - this.cpu0;
    this.maxRss = Math.max(this.maxRss, this.s.memMb());
    return { cpuPercent: (100 * cpu) / seconds, rssMaxMb: this.maxRss };
  }
}

/** Percentile of a sorted copy (nearest rank); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}
