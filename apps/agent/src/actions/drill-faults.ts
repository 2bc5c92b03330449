import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentConfig, DrillFaultKind, DrillFaultParams } from '@keepwatch/shared';
import { writeFileAtomic } from '../atomic-write';
import type { ExecFn } from '../exec';
import type { Logger } from '../log';
import { FAULTS, type FaultDetail, type FaultEnv } from './fault-kinds';
import type { ServiceManager } from './service-manager';
import { Steps, type Step } from './steps';

export { BLOCK_VRRP_RULESET } from './fault-kinds';

/*
 * Drill faults with a dead-man switch: every fault restores by itself after
 * restoreAfterMs even if the server is gone. Active faults are recorded in
 * <stateDir>/drills.json before they are applied, so an agent that restarts (or crashed
 * mid-drill) restores what it left behind on start. What each kind does: fault-kinds.ts.
 */

export interface ActiveFault {
  drillId: string;
  fault: DrillFaultKind;
  appliedAt: number;
  restoreAt: number;
  /** What the undo needs (frozen processes, interface, port); see fault-kinds.ts. */
  detail?: FaultDetail;
}

export type FaultOutcome =
  { ok: true; steps: Step[] } | { ok: false; code: string; message: string; steps: Step[] };

export interface DrillFaultsOptions {
  config: AgentConfig;
  stateDir: string;
  exec: ExecFn;
  log: Logger;
  services: ServiceManager | undefined;
  /** Reports a restore the agent did by itself (dead-man switch or leftover at start). */
  onAutoRestore: (fault: ActiveFault, outcome: FaultOutcome, why: string) => void;
}

export class DrillFaults {
  private readonly active = new Map<string, ActiveFault>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: DrillFaultsOptions) {
    this.file = join(opts.stateDir, 'drills.json');
  }

  /** Restores whatever a previous run of the agent left applied. */
  async recoverLeftovers(): Promise<void> {
    let left: unknown;
    try {
      left = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      return;
    }
    for (const f of Array.isArray(left) ? (left as ActiveFault[]) : []) {
      this.active.set(f.drillId, f);
      this.opts.log.warn('restoring a drill fault left over from a previous run', {
        drillId: f.drillId,
        fault: f.fault,
      });
      const outcome = await this.restore(f.drillId);
      this.opts.onAutoRestore(f, outcome, 'leftover from a previous agent run');
    }
  }

  list(): ActiveFault[] {
    return [...this.active.values()];
  }

  /** Serialised: two drills must not interleave their steps on one host. */
  apply(p: DrillFaultParams): Promise<FaultOutcome> {
    return this.serial(() => this.applyNow(p));
  }

  restore(drillId: string): Promise<FaultOutcome> {
    return this.serial(() => this.restoreNow(drillId));
  }

  /** Cancels the timers (agent stopping); recorded faults stay for the next start. */
  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyNow(p: DrillFaultParams): Promise<FaultOutcome> {
    const steps = new Steps(this.opts.exec);
    if (this.active.has(p.drillId))
      return {
        ok: false,
        code: 'conflict',
        message: `drill ${p.drillId} already has an active fault`,
        steps: steps.list,
      };
    const same = [...this.active.values()].find((f) => f.fault === p.fault);
    if (same)
      return {
        ok: false,
        code: 'conflict',
        message: `fault ${p.fault} is already active (drill ${same.drillId})`,
        steps: steps.list,
      };
    const cannot = FAULTS[p.fault].check(this.env(steps), p);
    if (cannot) return { ok: false, code: 'invalid', message: cannot, steps: steps.list };
    const now = Date.now();
    const fault: ActiveFault = {
      drillId: p.drillId,
      fault: p.fault,
      appliedAt: now,
      restoreAt: now + p.restoreAfterMs,
    };
    this.active.set(p.drillId, fault);
    await steps.task('record fault', () => this.persist());
    this.arm(fault, p.restoreAfterMs);
    const detail = await FAULTS[p.fault].inject(this.env(steps), p).catch(() => false as const);
    if (detail === false) {
      // Half-applied faults are undone at once rather than left to the timer.
      await this.undo(fault, steps);
      this.forget(p.drillId);
      await this.persist();
      return {
        ok: false,
        code: 'failed',
        message: `could not apply ${p.fault}; undone`,
        steps: steps.list,
      };
    }
    if (Object.keys(detail).length > 0) {
      fault.detail = detail;
      await steps.task('record fault detail', () => this.persist());
    }
    this.opts.log.warn('drill fault applied', {
      drillId: p.drillId,
      fault: p.fault,
      restoreInMs: p.restoreAfterMs,
    });
    return { ok: true, steps: steps.list };
  }

  private async restoreNow(drillId: string): Promise<FaultOutcome> {
    const steps = new Steps(this.opts.exec);
    const fault = this.active.get(drillId);
    if (!fault)
      return {
        ok: false,
        code: 'invalid',
        message: `no active fault for drill ${drillId}`,
        steps: steps.list,
      };
    const ok = await this.undo(fault, steps);
    if (!ok)
      return {
        ok: false,
        code: 'failed',
        message: `restoring ${fault.fault} failed; will retry on the timer`,
        steps: steps.list,
      };
    this.forget(drillId);
    await steps.task('clear fault record', () => this.persist());
    this.opts.log.info('drill fault restored', { drillId, fault: fault.fault });
    return { ok: true, steps: steps.list };
  }

  private arm(fault: ActiveFault, afterMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(fault.drillId);
      this.opts.log.warn('dead-man switch: restoring drill fault by itself', {
        drillId: fault.drillId,
        fault: fault.fault,
      });
      void this.restore(fault.drillId).then((outcome) => {
        // A failed restore tries again rather than leaving the host broken.
        if (!outcome.ok && this.active.has(fault.drillId)) this.arm(fault, 5000);
        this.opts.onAutoRestore(fault, outcome, 'dead-man switch');
      });
    }, afterMs);
    timer.unref();
    this.timers.set(fault.drillId, timer);
  }

  private forget(drillId: string): void {
    clearTimeout(this.timers.get(drillId));
    this.timers.delete(drillId);
    this.active.delete(drillId);
  }

  private async persist(): Promise<void> {
    await mkdir(this.opts.stateDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, JSON.stringify(this.list(), null, 2), 0o600);
  }

  private env(steps: Steps): FaultEnv {
    return { config: this.opts.config, services: this.opts.services, steps };
  }

  private async undo(fault: ActiveFault, steps: Steps): Promise<boolean> {
    return FAULTS[fault.fault].undo(this.env(steps), fault.detail ?? {}).catch(() => false);
  }
}
