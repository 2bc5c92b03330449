import type { KernelAddress } from '@keepwatch/shared';
import {
  addrKey,
  diffAddresses,
  linkChanges,
  parseIpJsonAddr,
  parseMonitorLine,
  type MonitorLine,
} from './addr-parser';
import { spawnLines, type ExecFn } from './exec';
import type { Logger } from './log';
import type { Emit } from './observations';
import { Backoff, sleep } from './timing';

/*
 * VIP ownership straight from the kernel of the network namespace the agent runs in.
 * `ip -o monitor address link` is only a trigger: on every line the full `ip -j -4 addr` set
 * is re-read and diffed (addresses, and the state of their links: the kernel keeps an
 * address on a downed link, which can no longer answer), so coalesced or unparsable events can never leave us with a wrong
 * view. Re-reads are serialised; lines arriving during one re-read cause one more.
 */

export interface VipCollectorOptions {
  exec: ExecFn;
  log: Logger;
  emit: Emit;
  /** Overridable for tests. */
  addrArgv?: readonly string[];
  monitorArgv?: readonly string[];
  spawn?: typeof spawnLines;
  backoffMs?: { base: number; max: number };
}

export class VipCollector {
  private current: KernelAddress[] = [];
  private readonly backoff: Backoff;
  private draining: Promise<void> | undefined;
  /** Read time of the earliest monitor line not yet covered by a re-read. */
  private dirtyTs: number | undefined;
  private loop: Promise<void> | undefined;
  /** Lines applied before their re-read (applyLine). */
  private applied = 0;

  constructor(private readonly opts: VipCollectorOptions) {
    const b = opts.backoffMs ?? { base: 200, max: 5000 };
    this.backoff = new Backoff(b.base, b.max);
  }

  get addresses(): readonly KernelAddress[] {
    return this.current;
  }

  /** Reads the initial address set (awaited, so the first snapshot has it), then streams. */
  async start(signal: AbortSignal): Promise<void> {
    const initial = await this.read();
    if (initial) {
      this.current = initial;
      this.opts.emit({
        kind: 'addresses',
        ts: Date.now(),
        addresses: initial,
        added: [],
        removed: [],
      });
    }
    this.loop = this.monitor(signal);
  }

  async stopped(): Promise<void> {
    await this.loop;
    await this.draining;
  }

  /** Called for each monitor line (exposed for tests). */
  onMonitorLine(line: string, ts: number): void {
    const ev = parseMonitorLine(line);
    if (ev?.family === 'inet6') return;
    this.opts.log.debug('address event', { line: line.slice(0, 160) });
    if (ev) this.applyLine(ev, ts);
    this.dirtyTs ??= ts;
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /**
   * A line that names its address is applied at once, before the re-read confirms it (issue
   * 11, `pnpm bench detect`: the `ip -j addr` spawn was ~5 ms of a VIP move's path to the
   * browser, up to 70 ms on a loaded host). The re-read still follows and emits whatever the
   * line got wrong (the link state of a first address on an interface, a coalesced event).
   */
  private applyLine(ev: MonitorLine, ts: number): void {
    if (ev.interface === 'lo') return;
    const addr: KernelAddress = {
      address: ev.address,
      prefix: ev.prefix,
      interface: ev.interface,
      ...(this.current.some((a) => a.interface === ev.interface && a.linkDown) && {
        linkDown: true as const,
      }),
    };
    const key = addrKey(addr);
    const others = this.current.filter((a) => addrKey(a) !== key);
    const next =
      ev.action === 'add'
        ? [...others, addr].sort((a, b) => addrKey(a).localeCompare(addrKey(b)))
        : others;
    const { added, removed } = diffAddresses(this.current, next);
    if (added.length === 0 && removed.length === 0) return;
    this.current = next;
    this.applied++;
    this.opts.emit({ kind: 'addresses', ts, addresses: next, added, removed });
  }

  private async drain(): Promise<void> {
    while (this.dirtyTs !== undefined) {
      const ts = this.dirtyTs;
      this.dirtyTs = undefined;
      const applied = this.applied;
      const next = await this.read();
      if (!next) continue;
      // A line applied during the read may be missing from it: read again (the line set
      // dirtyTs) rather than flip the address back and forth.
      if (this.applied !== applied) continue;
      const { added, removed } = diffAddresses(this.current, next);
      const linkChanged = linkChanges(this.current, next);
      this.current = next;
      if (added.length > 0 || removed.length > 0 || linkChanged.length > 0) {
        this.opts.emit({
          kind: 'addresses',
          ts,
          addresses: next,
          added,
          removed,
          ...(linkChanged.length > 0 && { linkChanged }),
        });
      }
    }
  }

  private async read(): Promise<KernelAddress[] | undefined> {
    const r = await this.opts.exec(this.opts.addrArgv ?? ['ip', '-j', '-4', 'addr'], {
      timeoutMs: 3000,
    });
    if (r.code !== 0) {
      this.opts.log.warn('ip addr failed', {
        code: r.code,
        error: r.error,
        stderr: r.stderr.trim(),
      });
      return undefined;
    }
    try {
      return parseIpJsonAddr(r.stdout);
    } catch (err) {
      this.opts.log.warn('cannot parse ip -j addr output', { err });
      return undefined;
    }
  }

  private async monitor(signal: AbortSignal): Promise<void> {
    const argv = this.opts.monitorArgv ?? ['ip', '-o', 'monitor', 'address', 'link'];
    const spawn = this.opts.spawn ?? spawnLines;
    while (!signal.aborted) {
      const started = Date.now();
      const h = spawn(argv, { signal, onLine: (line, ts) => this.onMonitorLine(line, ts) });
      const res = await h.done;
      if (signal.aborted) break;
      if (Date.now() - started > 10_000) this.backoff.reset();
      const delay = this.backoff.next();
      this.opts.log.warn('ip monitor exited, restarting', {
        code: res.code,
        error: res.error,
        retryInMs: delay,
      });
      await sleep(delay, signal);
      // Events were missed while it was down: re-read once.
      if (!signal.aborted) this.onMonitorLine('', Date.now());
    }
  }
}
