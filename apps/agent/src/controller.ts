import type {
  ConfigObservation,
  KernelAddress,
  ServiceName,
  Services,
  SyncGroup,
  UpstreamHealth,
  VrrpInstance,
} from '@keepwatch/shared';
import type { FifoLine } from './fifo-line-parser';
import type { DumpInstance } from './keepalived-types';
import type { Logger } from './log';
import type { Observation } from './observations';
import type { DataMessageInput } from './outbox';

/*
 * The agent's view of its host, and the one place observations become protocol messages.
 *
 *   fifo MASTER|BACKUP|FAULT|STOP|DELETED       -> vrrp.transition (source fifo), state updated
 *   fifo MASTER_PRIORITY|BACKUP_PRIORITY        -> vrrp.transition with state MASTER|BACKUP and the
 *                                                  new effective priority (a priority update)
 *   fifo MASTER_RX_LOWER_PRI                    -> logged (split-brain hint), nothing sent
 *   fifo GROUP lines                            -> vrrp.group when the group's state changes
 *   sync group membership (config / text dump)  -> kept for snapshots; vrrp.group if it changed
 *   dump disagrees (state or eff. priority)     -> vrrp.transition (source dump)
 *   dump changes instance list / VIP config     -> snapshot
 *   keepalived process up/down flips            -> service.health keepalived + snapshot
 *   kernel address added/removed                -> vip.change
 *   probe result whose `healthy` flips (or 1st) -> service.health
 *   upstream server probe flips (or 1st)        -> upstream.health (removed servers: snapshot only)
 *   config file hash or test result changes     -> config.observed
 */

export type Send = (msg: DataMessageInput, ts: number) => void;

function configSignature(instances: Iterable<VrrpInstance>): string {
  return JSON.stringify(
    [...instances]
      .map((i) => [i.instance, i.vrid, i.interface, i.priority, [...i.vips].sort()])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
}

export class Controller {
  private instances = new Map<string, VrrpInstance>();
  private addresses: KernelAddress[] = [];
  private services: Services = {};
  private keepalivedRunning: boolean | undefined;
  private signature = configSignature([]);
  private groups = new Map<string, SyncGroup>();
  private upstreams = new Map<string, UpstreamHealth>();
  private configs = new Map<string, ConfigObservation>();

  constructor(
    private readonly send: Send,
    private readonly log: Logger,
  ) {}

  /** Everything known right now, as a snapshot message body. */
  snapshot(): DataMessageInput {
    return {
      type: 'snapshot',
      vrrp: [...this.instances.values()].map((i) => ({ ...i, vips: [...i.vips] })),
      addresses: this.addresses.map((a) => ({ ...a })),
      services: structuredClone(this.services),
      ...(this.keepalivedRunning !== undefined
        ? { keepalivedRunning: this.keepalivedRunning }
        : {}),
      ...(this.groups.size > 0
        ? { syncGroups: [...this.groups.values()].map((g) => structuredClone(g)) }
        : {}),
      ...(this.upstreams.size > 0
        ? { upstreams: [...this.upstreams.values()].map((u) => structuredClone(u)) }
        : {}),
      ...(this.configs.size > 0
        ? { configs: [...this.configs.values()].map((c) => structuredClone(c)) }
        : {}),
    };
  }

  /** The latest health of a service as this agent sees it. */
  health(service: ServiceName): Services[ServiceName] {
    return this.services[service];
  }

  observe(o: Observation): void {
    switch (o.kind) {
      case 'fifo':
        return this.onFifo(o.line, o.ts);
      case 'keepalived.dump':
        return this.onDump(o.instances, o.ts);
      case 'keepalived.process':
        return this.onProcess(o.running, o.ts, o.detail);
      case 'addresses':
        return this.onAddresses(o);
      case 'health':
        return this.onHealth(o);
      case 'sync.groups':
        return this.onGroups(o.groups, o.ts);
      case 'upstreams':
        return this.onUpstreams(o.list, o.ts);
      case 'config':
        return this.onConfig(o.config);
    }
  }

  private onFifo(line: FifoLine, ts: number): void {
    if (line.type === 'GROUP') return this.onGroupLine(line, ts);
    let state: VrrpInstance['state'];
    switch (line.state) {
      case 'MASTER_RX_LOWER_PRI':
        this.log.warn('split-brain hint: MASTER received a lower-priority advert', {
          instance: line.name,
        });
        return;
      case 'MASTER_PRIORITY':
        state = 'MASTER';
        break;
      case 'BACKUP_PRIORITY':
        state = 'BACKUP';
        break;
      case 'MASTER':
      case 'BACKUP':
      case 'FAULT':
      case 'STOP':
      case 'DELETED':
        state = line.state;
        break;
    }
    const prev = this.instances.get(line.name);
    const changed = prev?.state !== state;
    this.instances.set(line.name, {
      ...(prev ?? { instance: line.name, priority: line.priority, vips: [] }),
      state,
      effectivePriority: line.priority,
      ...(changed ? { lastTransition: ts } : {}),
    });
    this.log.info('vrrp', { instance: line.name, state: line.state, priority: line.priority });
    this.send(
      {
        type: 'vrrp.transition',
        instance: line.name,
        state,
        effectivePriority: line.priority,
        source: 'fifo',
      },
      ts,
    );
  }

  private onDump(dump: DumpInstance[], ts: number): void {
    const next = new Map<string, VrrpInstance>();
    for (const d of dump) {
      const prev = this.instances.get(d.name);
      const lastTransition = d.lastTransition ?? prev?.lastTransition;
      next.set(d.name, {
        instance: d.name,
        state: d.state,
        priority: d.basePriority,
        effectivePriority: d.effectivePriority,
        ...(d.vrid !== undefined ? { vrid: d.vrid } : {}),
        ...(d.interface !== undefined ? { interface: d.interface } : {}),
        vips: d.vips,
        ...(lastTransition !== undefined ? { lastTransition } : {}),
      });
      if (prev && (prev.state !== d.state || prev.effectivePriority !== d.effectivePriority)) {
        this.log.warn('dump disagrees with last known state (missed FIFO event?)', {
          instance: d.name,
          known: `${prev.state}/${prev.effectivePriority}`,
          dump: `${d.state}/${d.effectivePriority}`,
        });
        const msg: DataMessageInput = {
          type: 'vrrp.transition',
          instance: d.name,
          state: d.state,
          effectivePriority: d.effectivePriority,
          source: 'dump',
        };
        this.send(msg, ts);
      }
    }
    this.instances = next;
    const sig = configSignature(next.values());
    if (sig !== this.signature) {
      this.signature = sig;
      this.log.info('keepalived instance/VIP config changed: sending snapshot', {
        instances: next.size,
      });
      this.send(this.snapshot(), ts);
    }
  }

  private onProcess(running: boolean, ts: number, detail?: string): void {
    if (running === this.keepalivedRunning) return;
    const first = this.keepalivedRunning === undefined;
    this.keepalivedRunning = running;
    const health = { healthy: running, checkedAt: ts, ...(detail !== undefined ? { detail } : {}) };
    this.services.keepalived = health;
    this.log[running ? 'info' : 'warn'](`keepalived is ${running ? 'running' : 'NOT running'}`, {
      detail,
    });
    this.send({ type: 'service.health', service: 'keepalived', health }, ts);
    if (!first) this.send(this.snapshot(), ts);
  }

  private onAddresses(o: Extract<Observation, { kind: 'addresses' }>): void {
    this.addresses = o.addresses;
    for (const [action, list] of [
      ['add', o.added],
      ['remove', o.removed],
    ] as const) {
      for (const address of list) {
        this.log.info(`address ${action}`, {
          address: `${address.address}/${address.prefix}`,
          dev: address.interface,
        });
        this.send({ type: 'vip.change', action, address }, o.ts);
      }
    }
    // A link that went down or came back changes who can answer for an address (VH-6).
    if (o.linkChanged && o.linkChanged.length > 0) {
      for (const a of o.linkChanged)
        this.log.warn(`link ${a.linkDown ? 'down' : 'up'} under address`, {
          address: `${a.address}/${a.prefix}`,
          dev: a.interface,
        });
      this.send(this.snapshot(), o.ts);
    }
  }

  private onHealth(o: Extract<Observation, { kind: 'health' }>): void {
    const prev = this.services[o.service];
    this.services[o.service] = o.health;
    if (prev?.healthy === o.health.healthy) return;
    this.send({ type: 'service.health', service: o.service, health: o.health }, o.health.checkedAt);
  }

  private onGroupLine(line: FifoLine, ts: number): void {
    const state =
      line.state === 'MASTER' ||
      line.state === 'BACKUP' ||
      line.state === 'FAULT' ||
      line.state === 'STOP'
        ? line.state
        : undefined;
    if (!state) return;
    const prev = this.groups.get(line.name);
    this.log.info('sync group state', { group: line.name, state });
    if (prev?.state === state) return;
    const group: SyncGroup = { name: line.name, state, instances: prev?.instances ?? [] };
    this.groups.set(line.name, group);
    this.send({ type: 'vrrp.group', group: structuredClone(group) }, ts);
  }

  private onGroups(groups: SyncGroup[], ts: number): void {
    const next = new Map<string, SyncGroup>();
    for (const g of groups) {
      const prev = this.groups.get(g.name);
      // Config membership has no state: keep the one the FIFO or a dump told us.
      const merged = { ...g, state: g.state === 'UNKNOWN' ? (prev?.state ?? 'UNKNOWN') : g.state };
      next.set(g.name, merged);
      if (
        !prev ||
        prev.state !== merged.state ||
        prev.instances.join() !== merged.instances.join()
      ) {
        this.send({ type: 'vrrp.group', group: structuredClone(merged) }, ts);
      }
    }
    this.groups = next;
  }

  private onUpstreams(list: UpstreamHealth[], ts: number): void {
    const next = new Map<string, UpstreamHealth>();
    for (const u of list) {
      const prev = this.upstreams.get(u.server);
      next.set(u.server, u);
      if (prev?.health.healthy === u.health.healthy) continue;
      this.log[u.health.healthy ? 'info' : 'warn'](
        `upstream ${u.server} is ${u.health.healthy ? 'healthy' : 'UNHEALTHY'}`,
        {
          detail: u.health.detail,
        },
      );
      this.send({ type: 'upstream.health', upstream: structuredClone(u) }, ts);
    }
    this.upstreams = next;
  }

  private onConfig(c: ConfigObservation): void {
    const prev = this.configs.get(c.component);
    this.configs.set(c.component, c);
    if (
      prev &&
      prev.hash === c.hash &&
      prev.test?.ok === c.test?.ok &&
      prev.test?.code === c.test?.code
    )
      return;
    this.log.info(`${c.component} config observed`, {
      hash: c.hash?.slice(0, 12),
      test: c.test?.ok,
      code: c.test?.code,
    });
    this.send({ type: 'config.observed', config: structuredClone(c) }, c.checkedAt);
  }
}
