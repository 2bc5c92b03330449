import type {
  ActionRequest,
  ActionResult,
  AgentConfig,
  ServiceHealth,
  ServiceName,
} from '@keepwatch/shared';
import type { ExecFn } from '../exec';
import type { Logger } from '../log';
import type { DataMessageInput } from '../outbox';
import { checkPermission } from './action-rules';
import { ConfigApplier } from './config-apply';
import { DrillFaults, type ActiveFault, type FaultOutcome } from './drill-faults';
import { ProbeRunner } from './probe-runner';
import { createServiceManager, NoServiceManagerError } from './service-manager';
import { Steps, type Step } from './steps';

/*
 * Runs `action.request`s: permission first (the host config's `control`), then the action.
 * Every request gets exactly one `action.result`, a durable data message (outbox, seq).
 */

type Outcome =
  | { ok: true; steps: Step[]; output?: string }
  | { ok: false; code: string; message: string; steps: Step[] };

export interface ActionHandlerOptions {
  config: AgentConfig;
  exec: ExecFn;
  log: Logger;
  /** Appends a data message to the outbox. */
  send: (msg: DataMessageInput) => void;
  /** The agent's latest view of a service, for service.status. */
  health: (service: ServiceName) => ServiceHealth | undefined;
}

export class ActionHandler {
  readonly drills: DrillFaults;
  readonly probes: ProbeRunner;
  private readonly applier: ConfigApplier;
  private readonly services;

  constructor(private readonly opts: ActionHandlerOptions) {
    this.services = createServiceManager(opts.config.serviceManager);
    this.drills = new DrillFaults({
      config: opts.config,
      stateDir: opts.config.stateDir,
      exec: opts.exec,
      log: opts.log.child('drills'),
      services: this.services,
      onAutoRestore: (f, outcome, why) => this.reportAutoRestore(f, outcome, why),
    });
    this.probes = new ProbeRunner(opts.send, opts.log.child('probe'));
    this.applier = new ConfigApplier({
      config: opts.config,
      exec: opts.exec,
      log: opts.log.child('config'),
    });
  }

  async handle(req: ActionRequest): Promise<Omit<ActionResult, 'seq' | 'ts'>> {
    const startedAt = Date.now();
    const refusal = checkPermission(req.action, this.opts.config.control);
    let outcome: Outcome;
    if (refusal) {
      this.opts.log.warn('refused action: not permitted by this host', {
        id: req.id,
        action: req.action,
        reason: refusal.message,
      });
      outcome = { ok: false, code: refusal.code, message: refusal.message, steps: [] };
    } else {
      this.opts.log.info('running action', { id: req.id, action: req.action });
      outcome = await this.run(req).catch((err: unknown) => ({
        ok: false as const,
        code: err instanceof NoServiceManagerError ? 'invalid' : 'failed',
        message: (err as Error).message,
        steps: [],
      }));
      this.opts.log[outcome.ok ? 'info' : 'warn']('action finished', {
        id: req.id,
        action: req.action,
        ok: outcome.ok,
        ...(outcome.ok ? {} : { code: outcome.code, error: outcome.message }),
      });
    }
    const result = this.toResult(req.id, req.action, outcome, startedAt);
    this.opts.send(result);
    return result;
  }

  private toResult(
    id: string,
    action: string,
    o: Outcome,
    startedAt: number,
  ): Omit<ActionResult, 'seq' | 'ts'> {
    return {
      type: 'action.result',
      id,
      action,
      ok: o.ok,
      ...(o.ok ? {} : { error: { code: o.code, message: o.message.slice(0, 4096) } }),
      steps: o.steps.slice(0, 64),
      startedAt,
      finishedAt: Date.now(),
    };
  }

  private async run(req: ActionRequest): Promise<Outcome> {
    switch (req.action) {
      case 'config.apply':
        return this.applier.apply(req.id, req.params);
      case 'drill.fault':
        return this.drills.apply(req.params);
      case 'drill.restore':
        return this.drills.restore(req.params.drillId);
      case 'service.status':
        return this.serviceStatus(req.params.service);
      case 'probe.run':
        return { ...this.probes.start(req.params), steps: [] };
      case 'probe.stop':
        return { ...(await this.probes.stop(req.params.probeId)), steps: [] };
    }
  }

  private async serviceStatus(service: ServiceName): Promise<Outcome> {
    const steps = new Steps(this.opts.exec);
    const active = this.services
      ? await this.services.status(service, steps).catch(() => undefined)
      : undefined;
    const h = this.opts.health(service);
    steps.add({
      step: 'observed health',
      ok: h?.healthy ?? false,
      output: h
        ? `${h.healthy ? 'healthy' : 'unhealthy'}${h.detail ? ` (${h.detail})` : ''}`
        : 'not observed by this agent',
    });
    if (active !== undefined)
      steps.add({ step: 'service manager', ok: active, output: active ? 'active' : 'inactive' });
    return { ok: true, steps: steps.list };
  }

  private reportAutoRestore(f: ActiveFault, outcome: FaultOutcome, why: string): void {
    const o: Outcome = outcome.ok
      ? { ok: true, steps: [{ step: why, ok: true }, ...outcome.steps] }
      : { ...outcome, steps: [{ step: why, ok: false }, ...outcome.steps] };
    this.opts.send(
      this.toResult(`auto-restore:${f.drillId}`.slice(0, 64), 'drill.restore', o, Date.now()),
    );
  }
}
