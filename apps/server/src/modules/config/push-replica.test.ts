import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../plugins/event-bus';
import { hello } from '../../testing/test-app';
import { PushAgents } from './push-replica';

/*
 * PU-10's "since it is back" for an agent at either replica (the whole path with two servers:
 * push-replicas.test.ts). The bus events as the socket (agent.online) and the replica follower
 * (agent.followedOnline, the home's hello time) emit them.
 */

describe('PushAgents.onlineSince', () => {
  it('PU-10 an agent that moved from this replica to another is back since its hello there; a late older notice does not move it back', () => {
    const bus = createEventBus();
    let now = 1_000;
    const agents = new PushAgents(bus, () => now);
    const agentId = 'agent-lb1';
    bus.emit('agent.online', { agentId, hello: hello(), at: 0 });
    expect(agents.onlineSince(agentId)).toBe(1_000);
    // It left this replica and said hello to B at 5,000 (B's clock, as B's notice says).
    now = 6_000;
    bus.emit('agent.followedOnline', { agentId, replica: 'B', at: 5_000 });
    expect(agents.onlineSince(agentId)).toBe(5_000);
    // A notice of an earlier connection, come late: the current one still began at 5,000.
    bus.emit('agent.followedOnline', { agentId, replica: 'C', at: 4_000 });
    expect(agents.onlineSince(agentId)).toBe(5_000);
    // Back here: this replica's own clock at the hello.
    now = 9_000;
    bus.emit('agent.online', { agentId, hello: hello(), at: 0 });
    expect(agents.onlineSince(agentId)).toBe(9_000);
    agents.close();
    bus.emit('agent.followedOnline', { agentId, replica: 'B', at: 10_000 });
    expect(agents.onlineSince(agentId)).toBe(9_000);
  });
});
