import type { KernelAddress, Services, VrrpInstance } from '@keepwatch/shared';
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
 *   fifo GROUP lines                            -> logged (sync groups are not instances)
 *   dump disagrees (state or eff. priority)     -> vrrp.transition (source dump)
 *   dump changes instance list / VIP config     -> snapshot
 *   keepalived process up/down flips            -> service.health keepalived + snapshot
 *   kernel address added/removed                -> vip.change
 *   probe result whose `healthy` flips (or 1st) -> service.health
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
      ...(this.keepalivedRunning !== undefined ? { keepalivedRunning: this.keepalivedRunning } : {}),
    };
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
    }
  }

  private onFifo(line: FifoLine, ts: number): void {
    if (line.type === 'GROUP') {
      this.log.info('sync group state', { group: line.name, state: line.state });
      return;
    }
    let state: VrrpInstance['state'];
    switch (line.state) {
      case 'MASTER_RX_LOWER_PRI':
        this.log.warn('split-brain hint: MASTER received a lower-priority advert', { instance: line.name });
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
      { type: 'vrrp.transition', instance: line.name, state, effectivePriority: line.priority, source: 'fifo' },
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
      this.log.info('keepalived instance/VIP config changed: sending snapshot', { instances: next.size });
      this.send(this.snapshot(), ts);
    }
  }

  private onProcess(running: boolean, ts: number, detail?: string): void {
    if (running === this.keepalivedRunning) return;
    const first = this.keepalivedRunning === undefined;
    this.keepalivedRunning = running;
    const health = { healthy: running, checkedAt: ts, ...(detail !== undefined ? { detail } : {}) };
    this.services.keepalived = health;
    this.log[running ? 'info' : 'warn'](`keepalived is ${running ? 'running' : 'NOT running'}`, { detail });
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
        this.log.info(`address ${action}`, { address: `${address.address}/${address.prefix}`, dev: address.interface });
        this.send({ type: 'vip.change', action, address }, o.ts);
      }
    }
  }

  private onHealth(o: Extract<Observation, { kind: 'health' }>): void {
    const prev = this.services[o.service];
    this.services[o.service] = o.health;
    if (prev?.healthy === o.health.healthy) return;
    this.send({ type: 'service.health', service: o.service, health: o.health }, o.health.checkedAt);
  }
}
