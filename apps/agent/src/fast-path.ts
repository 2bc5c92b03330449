import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import type { Logger } from './log';
import { msToBoundary, sleepToBoundary } from './timing';

/*
 * The fast failover path (issue 9 item 5). keepalived runs a vrrp_script at most once a
 * second, so with the classic check an nginx outage costs ~4.7 s before the BACKUP takes
 * over (reference lab, 6b). Here the agent watches nginx and writes keepalived's
 * `track_file`: keepalived watches it with inotify and acts on the write at once. The
 * rendered config tracks it with weight 0, so a 1 puts the instance in FAULT: the MASTER
 * sends a priority-0 advert and the BACKUP takes over after its skew time (~0.13 s at the
 * lab's 0.2 s VRRPv3 adverts) instead of its full master-down timer.
 *
 * The check is a TCP connect to nginx's listen address (the nginx probe's host:port): a
 * stopped nginx refuses at once (ECONNREFUSED, ~0.1 ms on loopback), it costs no request in
 * nginx's logs, and unlike a pid check it cannot pick another nginx of a shared PID
 * namespace (reference lab, addendum 12) and it follows what clients see (an orphaned worker
 * that still serves after a SIGKILL of the master is not an outage). A refused connect
 * marks nginx down at once; a timeout (a busy nginx) needs `fall` in a row; `rise` good
 * connects in a row mark it up again.
 *
 * While nginx is up, the last good connection is held open instead of a connect every
 * `intervalMs` (issue 11: that poll was ~0.8 of the idle agent's 1.0 % CPU, `pnpm bench
 * agent`): an nginx that stops, crashes or is killed closes it with its process, and the
 * close starts a connect at once, so an outage is seen sooner than by the poll. A fresh
 * connect every `verifyMs` (on the agent's shared 1 s wake-up) catches what a held
 * connection cannot: a graceful quit closes the listener but may keep idle connections
 * open until they time out. A held connection that closes sooner than `intervalMs` after it
 * was made (a server that drops every connection) falls back to the poll.
 *
 * The file is written in place ("1\n" / "0\n", keepalived reads it on close): a torn write
 * leaves it empty, which keepalived reads as 0 (up), so the classic vrrp_script, still in
 * the config, decides. On a clean stop the agent writes 0 for the same reason: without the
 * agent, the classic check is the fallback, and a stale 1 must not hold the node in FAULT.
 */

export const FAST_PATH_VERIFY_MS = 1000;

export interface FastPathOptions {
  file: string;
  host: string;
  port: number;
  intervalMs: number;
  /** Fresh connects while a connection is held; default FAST_PATH_VERIFY_MS. */
  verifyMs?: number;
  fall?: number;
  rise?: number;
  log: Logger;
}

type Result = 'ok' | 'refused' | 'timeout';

/** Connects; an `ok` hands the open socket over to the caller. */
function probe(host: string, port: number, timeoutMs: number): Promise<[Result, Socket?]> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (r: Result): void => {
      clearTimeout(timer);
      s.removeAllListeners('connect');
      if (r !== 'ok') s.destroy();
      resolve(r === 'ok' ? [r, s] : [r]);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    s.once('connect', () => done('ok'));
    s.on('error', () => done('refused'));
  });
}

export class FastPath {
  private loop: Promise<void> | undefined;
  private down: boolean | undefined;
  private held: { socket: Socket; since: number } | undefined;

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
      const [r, socket] = await probe(host, port, intervalMs);
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
      if (socket && !socket.destroyed && this.down === false && !signal.aborted) {
        if (this.held) socket.destroy();
        else this.hold(socket);
        const woke = await this.waitHeld(signal);
        if (woke === 'aborted') break;
        if (woke === 'verify' || performance.now() - woke >= intervalMs) continue;
      } else {
        socket?.destroy();
        this.release();
      }
      if (!(await sleepToBoundary(intervalMs, signal))) break;
    }
    this.release();
    if (this.down) await this.set(false, 'agent stopping: the vrrp_script decides');
  }

  private hold(socket: Socket): void {
    const held = { socket, since: performance.now() };
    this.held = held;
    // nginx sends nothing on a connection without a request; anything else ends the hold.
    socket.on('error', () => socket.destroy());
    socket.on('data', () => socket.destroy());
    socket.once('close', () => {
      if (this.held === held) this.held = undefined;
    });
  }

  private release(): void {
    this.held?.socket.destroy();
    this.held = undefined;
  }

  /** Until the next verify boundary ('verify'), the abort, or the held connection's close
   * (resolves with the time it was made). */
  private waitHeld(signal: AbortSignal): Promise<'verify' | 'aborted' | number> {
    const held = this.held;
    if (!held) return Promise.resolve(0);
    if (held.socket.destroyed) return Promise.resolve(held.since);
    return new Promise((resolve) => {
      const done = (why: 'verify' | 'aborted' | number): void => {
        clearTimeout(timer);
        held.socket.off('close', onClose);
        signal.removeEventListener('abort', onAbort);
        resolve(why);
      };
      const onClose = (): void => done(held.since);
      const onAbort = (): void => done('aborted');
      const timer = setTimeout(
        () => done('verify'),
        msToBoundary(this.opts.verifyMs ?? FAST_PATH_VERIFY_MS),
      );
      held.socket.once('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });
    });
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
