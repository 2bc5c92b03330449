import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentConfig } from '@keepwatch/shared';
import type { ExecFn } from './exec';
import { parseFifoLine } from './fifo-line-parser';
import { FifoReader } from './fifo-reader';
import { checkKeepalivedPid, lookupSignum, requestDump } from './keepalived-process';
import type { Logger } from './log';
import type { Emit } from './observations';
import { parseTextSyncGroups } from './sync-group-parser';
import { sleep, sleepToBoundary } from './timing';

type KeepalivedConfig = NonNullable<AgentConfig['keepalived']>;

/*
 * keepalived as two sources: the notify FIFO (live, ~2 ms after a transition) and a
 * reconciliation tick (pid-file liveness + a state dump) every reconcileIntervalMs, right
 * after start, and right after FIFO EOF (keepalived stopped or reloaded; a MASTER that
 * stays MASTER through a reload writes nothing to the FIFO). Between reconciliations a
 * liveness check (pid file + /proc cmdline, no dump) runs every livenessMs (1 s), so a
 * stopped keepalived is reported within a second rather than at the next tick.
 */

export interface KeepalivedCollectorOptions {
  config: KeepalivedConfig;
  exec: ExecFn;
  log: Logger;
  emit: Emit;
  livenessMs?: number;
}

interface DumpMethod {
  format: 'json' | 'text';
  signum: number;
}

export class KeepalivedCollector {
  private readonly fifo: FifoReader;
  private method: DumpMethod | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private loop: Promise<void> | undefined;
  private dumpWarned = false;
  private signal: AbortSignal | undefined;
  /** Instance names from the last dump: a FIFO line for another name calls for a fresh dump. */
  private known = new Set<string>();
  private alive: boolean | undefined;
  private liveness: Promise<void> | undefined;

  constructor(private readonly opts: KeepalivedCollectorOptions) {
    this.fifo = new FifoReader({
      path: opts.config.fifo,
      log: opts.log.child('fifo'),
      exec: opts.exec,
      onLine: (line, ts) => this.onFifoLine(line, ts),
      onEof: () => this.afterEof(),
    });
  }

  /** Starts both sources; resolves after the first reconciliation (so the first snapshot is complete). */
  async start(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    this.fifo.start(signal);
    const first = this.reconcile();
    this.loop = this.run(signal, first);
    this.liveness = this.watchLiveness(signal, first);
    await first;
  }

  async stopped(): Promise<void> {
    await Promise.all([this.fifo.stopped(), this.loop, this.liveness, this.inFlight]);
  }

  /** Runs a reconciliation now (or once more right after the one in flight). */
  reconcile(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.reconcileLoop().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private onFifoLine(raw: string, ts: number): void {
    const line = parseFifoLine(raw);
    if (!line) {
      this.opts.log.debug('ignored fifo line', { line: raw.slice(0, 200) });
      return;
    }
    this.opts.emit({ kind: 'fifo', ts, line });
    // A new instance (config reload) or a state the dump cannot confirm: learn its base
    // priority, VRID and VIPs now rather than at the next tick.
    if (line.type === 'INSTANCE' && !this.known.has(line.name)) void this.reconcile();
  }

  private afterEof(): void {
    void this.reconcile();
    // A stopping keepalived takes ~1 s to exit: look again once it is surely gone.
    void sleep(1500, this.signal).then((full) => (full ? this.reconcile() : undefined));
  }

  private async run(signal: AbortSignal, first: Promise<void>): Promise<void> {
    await first;
    while (await sleepToBoundary(this.opts.config.reconcileIntervalMs, signal))
      await this.reconcile();
  }

  /** Cheap up/down check; a flip to running calls for a full reconciliation (new dump). */
  private async watchLiveness(signal: AbortSignal, first: Promise<void>): Promise<void> {
    await first;
    while (await sleepToBoundary(this.opts.livenessMs ?? 1000, signal)) {
      if (this.inFlight) continue;
      const check = await checkKeepalivedPid(this.opts.config.pidFile);
      if (check.running === this.alive || signal.aborted) continue;
      if (check.running) {
        void this.reconcile();
      } else {
        this.alive = false;
        this.opts.emit({
          kind: 'keepalived.process',
          ts: Date.now(),
          running: false,
          detail: check.detail,
        });
      }
    }
  }

  private async reconcileLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.reconcileOnce();
      } catch (err) {
        this.opts.log.warn('reconciliation failed', { err });
      }
    } while (this.again && !this.signal?.aborted);
  }

  private async reconcileOnce(): Promise<void> {
    const { config, emit } = this.opts;
    await this.fifo.checkInode();
    const check = await checkKeepalivedPid(config.pidFile);
    const ts = Date.now();
    this.alive = check.running;
    if (!check.running) {
      emit({ kind: 'keepalived.process', ts, running: false, detail: check.detail });
      return;
    }
    emit({ kind: 'keepalived.process', ts, running: true });
    const method = await this.dumpMethod();
    if (!method || this.signal?.aborted) return;
    const instances = await requestDump({
      pid: check.pid,
      signum: method.signum,
      dir: config.dumpDir,
      format: method.format,
    });
    if (!instances) {
      // A keepalived that is shutting down ignores the signal: that is not a dump problem.
      const after = await checkKeepalivedPid(config.pidFile);
      if (!after.running) {
        emit({ kind: 'keepalived.process', ts: Date.now(), running: false, detail: after.detail });
        return;
      }
      if (!this.dumpWarned) {
        this.opts.log.warn(
          `no ${method.format} dump appeared within 1 s; is dumpDir keepalived's TMPDIR?`,
          {
            dumpDir: config.dumpDir,
          },
        );
      }
      this.dumpWarned = true;
      return;
    }
    this.dumpWarned = false;
    this.known = new Set(instances.map((i) => i.name));
    emit({ kind: 'keepalived.dump', ts: Date.now(), source: method.format, instances });
    // The text dump also names sync groups with their state (the JSON dump has none).
    if (method.format === 'text') {
      const text = await readFile(join(config.dumpDir, 'keepalived.data'), 'utf8').catch(() => '');
      const groups = parseTextSyncGroups(text);
      if (groups.length > 0) emit({ kind: 'sync.groups', ts: Date.now(), groups });
    }
  }

  /** JSON if this build has it (`--signum=JSON`), else the SIGUSR1 text dump. Cached once known. */
  private async dumpMethod(): Promise<DumpMethod | undefined> {
    if (this.method) return this.method;
    const { exec, config, log } = this.opts;
    const json = await lookupSignum(exec, config.binary, 'JSON');
    if (json !== undefined) {
      this.method = { format: 'json', signum: json };
    } else {
      const data = await lookupSignum(exec, config.binary, 'DATA');
      this.method = { format: 'text', signum: data ?? 10 };
      log.info('keepalived has no JSON dump: using the SIGUSR1 text dump', {
        signum: this.method.signum,
      });
    }
    return this.method;
  }
}
