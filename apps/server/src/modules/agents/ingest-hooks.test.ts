import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../plugins/event-bus';
import { INGEST_ORDER, IngestHooks } from './ingest-hooks';

const e = { agentId: 'a', at: 1 };

describe('ingest hooks (SPEC.md IH-*)', () => {
  it('IH-1: stages run in the declared order, whatever order they registered in, then the bus', () => {
    const bus = createEventBus();
    const hooks = new IngestHooks(bus);
    const seen: string[] = [];
    bus.on('agent.offline', () => seen.push('bus'));
    // Registered backwards on purpose.
    for (const stage of [...INGEST_ORDER].reverse())
      hooks.add(stage, { offline: () => seen.push(stage) });
    hooks.offline(e);
    expect(seen).toEqual([...INGEST_ORDER, 'bus']);
    expect(hooks.stages()).toEqual([...INGEST_ORDER]);
    expect(INGEST_ORDER).toEqual(['status', 'history']);
  });

  it('IH-1: one hook per stage; unregistering removes it from the order', () => {
    const hooks = new IngestHooks(createEventBus());
    const seen: string[] = [];
    const off = hooks.add('status', { offline: () => seen.push('status') });
    expect(() => hooks.add('status', {})).toThrow(/already registered/);
    hooks.add('history', { offline: () => seen.push('history') });
    off();
    hooks.offline(e);
    expect(seen).toEqual(['history']);
    expect(hooks.stages()).toEqual(['history']);
    // A stale unregister does not remove a newer registration.
    hooks.add('status', { offline: () => seen.push('status again') });
    off();
    expect(hooks.stages()).toEqual(['status', 'history']);
  });

  it('IH-3: a stage that throws fails the call (the agent socket then stores and acks nothing)', () => {
    const bus = createEventBus();
    const hooks = new IngestHooks(bus);
    const later: string[] = [];
    hooks.add('status', {
      offline: () => {
        throw new Error('boom');
      },
    });
    hooks.add('history', { offline: () => later.push('history') });
    bus.on('agent.offline', () => later.push('bus'));
    expect(() => hooks.offline(e)).toThrow('boom');
    expect(later).toEqual([]);
  });

  it('IH-4: a loose bus listener that throws is reported, not thrown: the frame is stored anyway', () => {
    const bus = createEventBus();
    const errors: string[] = [];
    const hooks = new IngestHooks(bus, (err, event) => errors.push(`${event}: ${String(err)}`));
    const seen: string[] = [];
    hooks.add('history', { offline: () => seen.push('history') });
    bus.on('agent.offline', () => {
      throw new Error('loose');
    });
    expect(() => hooks.offline(e)).not.toThrow();
    expect(seen).toEqual(['history']);
    expect(errors).toEqual(['agent.offline: Error: loose']);
  });
});
