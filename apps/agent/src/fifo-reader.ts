import { constants, openSync, fstatSync, promises as fsp } from 'node:fs';
import { Socket } from 'node:net';
import type { ExecFn } from './exec';
import type { Logger } from './log';
import { Backoff, sleep } from './timing';

/*
 * Reads keepalived's notify FIFO without ever blocking a thread: the FIFO is opened
 * O_RDONLY|O_NONBLOCK and handed to libuv as a pipe (net.Socket), so reads are epoll
 * driven. keepalived holds the FIFO O_RDWR, so we see EOF exactly when keepalived closes
 * it (stop, reload) — or at once when no keepalived is running. After EOF the path is
 * reopened with a bounded backoff. On reload keepalived may unlink and re-create the
 * FIFO; `checkInode()` (called on every reconcile tick) notices a new inode and reopens.
 */

export interface FifoReaderOptions {
  path: string;
  log: Logger;
  exec: ExecFn;
  /** Called for every complete line, with the time it was read (epoch ms). */
  onLine: (line: string, ts: number) => void;
  /** Called when the writer side closed (keepalived stopped or reloaded). */
  onEof?: () => void;
  backoffMs?: { base: number; max: number };
}

export class FifoReader {
  private socket: Socket | undefined;
  private inode: number | undefined;
  private loop: Promise<void> | undefined;
  private quiet = false;
  private readonly backoff: Backoff;

  constructor(private readonly opts: FifoReaderOptions) {
    // Short cap: while we wait to reopen, keepalived's lines queue in the pipe and are
    // stamped late when we finally read them. An open() every 250 ms costs nothing.
    const b = opts.backoffMs ?? { base: 20, max: 250 };
    // No jitter: there is one reader per FIFO, nothing to de-synchronise.
    this.backoff = new Backoff(b.base, b.max, () => 1);
  }

  start(signal: AbortSignal): void {
    signal.addEventListener('abort', () => this.socket?.destroy(), { once: true });
    this.loop = this.run(signal);
  }

  /** Resolves once the read loop has ended after the signal aborted. */
  async stopped(): Promise<void> {
    await this.loop;
  }

  get isOpen(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  /** Reopens if the path now names a different FIFO than the one we hold open. */
  async checkInode(): Promise<void> {
    const socket = this.socket;
    const inode = this.inode;
    if (!socket || inode === undefined) return;
    try {
      const st = await fsp.stat(this.opts.path);
      if (st.ino === inode) return;
      this.opts.log.info('fifo was re-created, reopening', { path: this.opts.path });
    } catch {
      this.opts.log.info('fifo vanished, reopening', { path: this.opts.path });
    }
    // The session may have ended while we looked; destroying a closed socket is a no-op.
    socket.destroy();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const session = await this.openOnce(signal);
      if (signal.aborted) break;
      if (session.gotData || session.durationMs > 1000) this.backoff.reset();
      // An EOF right after opening only means nobody holds the FIFO yet (keepalived down):
      // not news. A session that carried data or lasted a while ended because keepalived
      // stopped or reloaded.
      if (session.opened && (session.gotData || session.durationMs > 100)) this.opts.onEof?.();
      await sleep(this.backoff.next(), signal);
    }
  }

  /** Ensures the FIFO exists; creates it (0600) when missing. */
  private async ensureFifo(): Promise<boolean> {
    const { path, log } = this.opts;
    try {
      const st = await fsp.stat(path);
      if (st.isFIFO()) return true;
      if (!this.quiet) log.error('notify fifo path exists but is not a FIFO', { path });
      return false;
    } catch {
      const r = await this.opts.exec(['mkfifo', '-m', '0600', path], { timeoutMs: 2000 });
      if (r.code === 0) {
        log.info('created notify fifo', { path });
        return true;
      }
      if (!this.quiet)
        log.warn('cannot create notify fifo', { path, stderr: r.stderr.trim(), error: r.error });
      return false;
    }
  }

  private async openOnce(
    signal: AbortSignal,
  ): Promise<{ opened: boolean; gotData: boolean; durationMs: number }> {
    const started = Date.now();
    if (!(await this.ensureFifo()) || signal.aborted)
      return { opened: false, gotData: false, durationMs: 0 };
    let fd: number;
    try {
      fd = openSync(this.opts.path, constants.O_RDONLY | constants.O_NONBLOCK);
      this.inode = fstatSync(fd).ino;
    } catch (err) {
      if (!this.quiet) this.opts.log.warn('cannot open notify fifo', { path: this.opts.path, err });
      this.quiet = true;
      return { opened: false, gotData: false, durationMs: 0 };
    }
    let gotData = false;
    await new Promise<void>((resolve) => {
      const socket = (this.socket = new Socket({ fd, readable: true, writable: false }));
      let buf = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        const ts = Date.now();
        gotData = true;
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line !== '') this.opts.onLine(line, ts);
        }
      });
      socket.on('error', (err) => this.opts.log.warn('notify fifo read error', { err }));
      socket.on('close', () => resolve());
    }).catch(() => undefined);
    this.socket = undefined;
    this.inode = undefined;
    if (!signal.aborted) this.logSession(gotData);
    return { opened: true, gotData, durationMs: Date.now() - started };
  }

  // EOF right after open just means no keepalived holds the FIFO: say so once, not every retry.
  private logSession(gotData: boolean): void {
    if (gotData || !this.quiet)
      this.opts.log.info('notify fifo closed by writer (keepalived stopped or reloaded)');
    this.quiet = !gotData;
  }
}
