import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Logger } from './log';
import { sleepToBoundary } from './timing';

/*
 * The fast failover path (issue 9 item 5). keepalived runs a vrrp_script at most once a
 * second, so with the classic check an nginx outage costs ~4.7 s before the BACKUP takes
 * over (reference lab, 6b). Here the agent checks nginx every `intervalMs` (≤ 100 ms) and
 * writes keepalived's `track_file`: keepalived watches it with inotify and acts on the write
 * at once. The rendered config tracks it with weight 0, so a 1 puts the instance in FAULT:
 * the MASTER sends a priority-0 advert and the BACKUP takes over after its skew time
 * (~0.13 s at the lab's 0.2 s VRRPv3 adverts) instead of its full master-down timer.
 *
 * The check is a TCP connect to nginx's listen address (the nginx probe's host:port): a
 * stopped nginx refuses at once (ECONNREFUSED, ~0.1 ms on loopback), it costs no request in
 * nginx's logs, and unlike a pid check it cannot pick another nginx of a shared PID
 * namespace (reference lab, addendum 12) and it follows what clients see (an orphaned worker
 * that still serves after a SIGKILL of the master is not an outage). A refused connect
 * marks nginx down at once; a timeout (a busy nginx) needs `fall` in a row; `rise` good
 * connects in a row mark it up again.
 *
 * The file is written in place ("1\n" / "0\n", keepalived reads it on close): a torn write
 * leaves it empty, which keepalived reads as 0 (up), so the classic vrrp_script, still in
 * the config, decides. On a clean stop the agent writes 0 for the same reason: without the
 * agent, the classic check is the fallback, and a stale 1 must not hold the node in FAULT.
 */

export interface FastPathOptions {
  file: string;
  host: string;
  port: number;
  intervalMs: number;
  fall?: number;
  rise?: number;
  log: Logger;
}

type Result = 'ok' | 'refused' | 'timeout';

function probe(host: string, port: number, timeoutMs: number): Promise<Result> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (r: Result): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    s.once('connect', () => done('ok'));
    s.once('error', () => done('refused'));
  });
}

export class FastPath {
  private loop: Promise<void> | undefined;
  private down: boolean | undefined;

  constructor(private readonly opts: FastPathOptions) {}

  start(signal: AbortSignal): void {
    this.loop = this.run(signal);
  }

  async stopped(): Promise<void> {
    await this.loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { host, port, intervalMs } = this.opts;
    const fall = this.opts.fall ?? 2;
    const rise = this.opts.rise ?? 2;
    let bad = 0;
    let good = 0;
    while (!signal.aborted) {
      const r = await probe(host, port, intervalMs);
      if (r === 'ok') {
        good++;
        bad = 0;
      } else {
        bad = r === 'refused' ? Math.max(bad + 1, fall) : bad + 1;
        good = 0;
      }
      if (bad >= fall && this.down !== true) await this.set(true, r);
      else if ((good >= rise || this.down === undefined) && r === 'ok' && this.down !== false)
        await this.set(false, r);
      if (!(await sleepToBoundary(intervalMs, signal))) break;
    }
    if (this.down) await this.set(false, 'agent stopping: the vrrp_script decides');
  }

  private async set(down: boolean, why: string): Promise<void> {
    try {
      await writeFile(this.opts.file, down ? '1\n' : '0\n');
      this.down = down;
      this.opts.log[down ? 'warn' : 'info'](
        `fast path: nginx ${down ? 'DOWN' : 'up'}, wrote ${down ? 1 : 0} to the track file`,
        { file: this.opts.file, why },
      );
    } catch (err) {
      this.opts.log.error('fast path: cannot write the track file', {
        file: this.opts.file,
        err: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
