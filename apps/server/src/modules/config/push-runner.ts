import { createHash } from 'node:crypto';
import type {
  ActionResult,
  ConfigApplyParams,
  ConfigComponentKind,
  PushHost,
  PushView,
} from '@keepwatch/shared';
import { gate, waitStable } from './push-gate';
import {
  DEFAULT_TUNING,
  Stop,
  type HostLog,
  type PlannedChange,
  type PushPorts,
  type PushTuning,
} from './push-ports';
import { UNKNOWN_OUTCOME, recoverAfterDrop } from './push-recovery';

export * from './push-ports';
export { pendingTakeover } from './push-gate';

/*
 * The rollout of one push (SPEC.md PU-*). Pure orchestration: every effect goes through
 * PushPorts (push-ports.ts), time through `now`/`sleep`, so the unit tests run it on a fake
 * clock. The checks around a reload (PU-4, PU-6) are push-gate.ts, PU-10 push-recovery.ts.
 *
 *   PU-2 dry run: validate every change on every host (config.apply dryRun) first; any
 *        failure stops the push with nothing installed (status failed, the agent's text).
 *   PU-3 order: BACKUP hosts first (kernel VIP holder = MASTER), the MASTER last.
 *   PU-4 stable first: before each host's reload the cluster must have been stable for
 *        stableMs (no VRRP transition, one VIP holder) and no takeover pending (a MASTER
 *        below a BACKUP's effective priority): the "reload that handed the VIP to lb2" was
 *        such a pending takeover running out (README, measured), not the reload.
 *   PU-5 per host: nginx then keepalived, each with the base hash it was planned on.
 *   PU-6 gate after each host: settleMs, then the VIP holder unchanged, nginx healthy on the
 *        host, requests served through the host's own address and through the VIP.
 *   PU-7 stop at the first failure; every host already changed is put back (previous file,
 *        through config.apply) so the cluster ends on one known version: rolled_back; failed
 *        when nothing had been changed, or when putting back failed (the summary names it).
 *   PU-10 an agent that drops (or times out) mid-apply: wait, bounded, for it to come back
 *        and say what happened (its late result, else its live file), then go on from there.
 */

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

const ORDER: ConfigComponentKind[] = ['nginx', 'keepalived'];

export class PushRunner implements HostLog {
  private readonly applied: PlannedChange[] = [];
  /** PU-10: changes whose fate could not be learned (the summary names them). */
  private readonly unknown: string[] = [];
  private readonly tuning: PushTuning;
  constructor(
    private readonly view: PushView,
    private readonly changes: readonly PlannedChange[],
    private readonly ports: PushPorts,
    tuning: Partial<PushTuning> = {},
  ) {
    this.tuning = { ...DEFAULT_TUNING, ...tuning };
  }

  private host(name: string): PushHost {
    const h = this.view.hosts.find((x) => x.host === name);
    if (!h) throw new Error(`no host ${name} in push ${this.view.id}`);
    return h;
  }

  step(h: PushHost, step: string, ok: boolean, detail?: string): void {
    h.steps.push({ at: this.ports.now(), step, ok, ...(detail !== undefined && { detail }) });
    this.ports.update(this.view);
  }

  set(h: PushHost, status: PushHost['status'], error?: string): void {
    h.status = status;
    if (error !== undefined) h.error = error;
    if (status === 'validating' || status === 'applying') h.startedAt ??= this.ports.now();
    if (['applied', 'failed', 'rolled_back', 'skipped', 'validated'].includes(status))
      h.finishedAt = this.ports.now();
    this.ports.update(this.view);
  }

  private finish(status: PushView['status'], summary: string): PushView {
    this.view.status = status;
    this.view.summary = summary;
    this.view.finishedAt = this.ports.now();
    for (const h of this.view.hosts) if (h.status === 'pending') h.status = 'skipped';
    this.ports.update(this.view);
    return this.view;
  }

  private ordered(): PushHost[] {
    return [...this.view.hosts].sort((a, b) => a.order - b.order);
  }

  private changesOf(host: string): PlannedChange[] {
    return ORDER.flatMap((c) => this.changes.filter((x) => x.host === host && x.component === c));
  }

  /** Runs the whole push; resolves with the final view (never throws for a host's failure). */
  async run(): Promise<PushView> {
    try {
      await this.dryRun();
      if (this.view.dryRun)
        return this.finish(
          'succeeded',
          `dry run: every change passes its test on ${this.hostList()}`,
        );
      for (const h of this.ordered()) await this.rollOut(h);
      return this.finish('succeeded', `applied on ${this.hostList()} in order, every gate passed`);
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      return this.finishAfterFailure(err.message);
    }
  }

  private hostList(): string {
    return this.ordered()
      .map((h) => h.host)
      .join(', ');
  }

  private async call(h: PushHost, what: string, params: ConfigApplyParams): Promise<ActionResult> {
    try {
      return await this.ports.apply(h.host, params);
    } catch (err) {
      const message = `${what}: ${(err as Error).message}`;
      this.step(h, what, false, message);
      throw new Stop(`${h.host}: ${message}`);
    }
  }

  /** PU-2 */
  private async dryRun(): Promise<void> {
    for (const h of this.ordered()) {
      const own = this.changesOf(h.host);
      if (own.length === 0) continue;
      this.set(h, 'validating');
      for (const c of own) {
        const r = await this.call(h, `validate ${c.component}`, this.params(c, true));
        if (!r.ok) {
          const text = r.error?.message ?? 'refused';
          this.step(h, `validate ${c.component}`, false, text);
          this.set(h, 'failed', `${c.component}: ${text}`);
          throw new Stop(
            `${h.host}: ${c.component} did not validate (${r.error?.code ?? 'failed'}): nothing was installed`,
          );
        }
        this.step(h, `validate ${c.component}`, true);
      }
      this.set(h, this.view.dryRun ? 'validated' : 'pending');
    }
  }

  private params(c: PlannedChange, dryRun: boolean): ConfigApplyParams {
    return {
      component: c.component,
      content: c.content,
      ...(c.baseHash !== undefined && { baseHash: c.baseHash }),
      ...(dryRun && { dryRun: true }),
    };
  }

  private async rollOut(h: PushHost): Promise<void> {
    const own = this.changesOf(h.host);
    if (own.length === 0) {
      this.set(h, 'skipped');
      return;
    }
    await waitStable(this.ports, this.tuning, this, h);
    // After the wait: a takeover it waited out is not a move caused by this host's reload.
    const before = this.ports.facts(h.host).holders;
    this.set(h, 'applying');
    for (const c of own) {
      const r = await this.applyOne(h, c);
      if (!r.ok) {
        const text = r.error?.message ?? 'failed';
        this.step(h, `apply ${c.component}`, false, text);
        const agentRolledBack = r.error?.code === 'rolled_back';
        this.set(h, agentRolledBack ? 'rolled_back' : 'failed', `${c.component}: ${text}`);
        throw new Stop(
          `${h.host}: ${c.component} ${agentRolledBack ? 'was rolled back by the agent' : 'failed'}: ${text}`,
        );
      }
      if (!this.applied.includes(c)) this.applied.push(c);
      this.step(h, `apply ${c.component}`, true);
    }
    this.set(h, 'verifying');
    const why = await gate(this.ports, this.tuning, this, h, before);
    if (why !== undefined) {
      this.set(h, 'failed', why);
      throw new Stop(`${h.host}: health gate failed: ${why}`);
    }
    this.set(h, 'applied');
  }

  /**
   * One change on its host. When the agent drops or times out mid-apply (PU-10), waits for
   * its account instead of stopping blind.
   */
  private async applyOne(h: PushHost, c: PlannedChange): Promise<ActionResult> {
    const what = `apply ${c.component}`;
    try {
      return await this.ports.apply(h.host, this.params(c, false));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const message = `${what}: ${(err as Error).message}`;
      this.step(h, what, false, message);
      if (typeof code !== 'string' || !UNKNOWN_OUTCOME.has(code))
        throw new Stop(`${h.host}: ${message}`);
      const since = this.ports.now();
      const out = await recoverAfterDrop(this.ports, this.tuning, this, h, c, since);
      if (out.kind === 'result') {
        this.step(h, `${what}: outcome after the drop`, out.result.ok, out.how);
        return out.result;
      }
      this.step(h, `${what}: outcome after the drop`, out.kind === 'installed', out.how);
      if (out.kind === 'installed') {
        // The file is in place but nobody saw the reload and verify: the agent may have died
        // in between. The same file again (based on itself) makes the agent reload and verify.
        this.applied.push(c);
        return this.call(h, `${what} again (reload and verify)`, {
          ...this.params(c, false),
          baseHash: sha256(c.content),
        });
      }
      if (out.kind === 'not_installed') {
        this.set(h, 'failed', `${c.component}: ${message}; ${out.how}`);
        throw new Stop(`${h.host}: ${c.component} was not installed (${out.how})`);
      }
      this.unknown.push(`${h.host} ${c.component} (${out.how})`);
      this.set(h, 'failed', `${c.component}: ${message}; ${out.how}`);
      throw new Stop(`${h.host}: ${c.component}: not known whether it was installed (${out.how})`);
    }
  }

  /** PU-7 */
  private async finishAfterFailure(reason: string): Promise<PushView> {
    if (this.applied.length === 0)
      return this.finish(
        this.view.hosts.some((h) => h.status === 'rolled_back') && this.unknown.length === 0
          ? 'rolled_back'
          : 'failed',
        this.unknown.length > 0
          ? `stopped: ${reason}; check ${this.unknown.join('; ')}`
          : `stopped: ${reason}`,
      );
    const failedBack: string[] = [];
    for (const c of [...this.applied].reverse()) {
      const h = this.host(c.host);
      if (c.previous === undefined) {
        failedBack.push(`${c.host} ${c.component} (no previous file known)`);
        continue;
      }
      try {
        const r = await this.ports.apply(c.host, { component: c.component, content: c.previous });
        this.step(
          h,
          `rollback ${c.component}`,
          r.ok,
          r.ok ? 'previous file restored and reloaded' : r.error?.message,
        );
        if (!r.ok) failedBack.push(`${c.host} ${c.component} (${r.error?.message ?? 'failed'})`);
        else if (h.status === 'applied' || h.status === 'verifying' || h.status === 'failed')
          h.status = 'rolled_back';
      } catch (err) {
        this.step(h, `rollback ${c.component}`, false, (err as Error).message);
        failedBack.push(`${c.host} ${c.component} (${(err as Error).message})`);
      }
    }
    this.ports.update(this.view);
    failedBack.push(...this.unknown.map((u) => `${u}: not known whether installed`));
    if (failedBack.length > 0)
      return this.finish(
        'failed',
        `stopped: ${reason}; putting back failed on ${failedBack.join('; ')}: check these hosts now`,
      );
    return this.finish(
      'rolled_back',
      `stopped: ${reason}; every changed host was put back on its previous files`,
    );
  }
}
