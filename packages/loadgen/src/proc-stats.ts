import { readFileSync } from 'node:fs';

/* CPU and memory of another process from /proc (Linux), for the server under load. */

const CLK_TCK = 100;

/** utime + stime of `pid` in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may contain spaces: cut at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size of `pid` in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Samples a process's RSS every second and its CPU over the whole window. */
export class ProcWindow {
  private readonly cpu0: number;
  private readonly t0 = performance.now();
  private maxRss = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.cpu0 = cpuSeconds(pid);
    this.maxRss = rssMb(pid);
    this.timer = setInterval(() => {
      this.maxRss = Math.max(this.maxRss, rssMb(pid));
    }, 1000);
  }

  /** CPU in % of one core over the window, and the largest RSS seen (MB). */
  end(): { cpuPercent: number; rssMaxMb: number } {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.t0) / 1000;
    const cpu = cpuSeconds(this.pid) - this.cpu0;
    this.maxRss = Math.max(this.maxRss, rssMb(this.pid));
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
