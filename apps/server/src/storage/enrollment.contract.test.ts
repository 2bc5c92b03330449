import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NodeBinding } from '../modules/enrollment/node-binding';
import { postgresBackend, sqliteBackend } from './contract-backends';
import type { Repositories } from './repositories';

/*
 * EnrollmentRepository.bindIfFree (ID-5 of modules/enrollment/node-binding.ts) on SQLite and a
 * real PostgreSQL. Credentials enrolled before bindings existed cannot be made through the
 * contract any more (enroll always binds), so this suite writes them with plain SQL.
 */

const T0 = 1_800_000_000_000;
const node: NodeBinding = { name: 'lb1', clusterId: 'lab', role: 'lb' };

describe.each([sqliteBackend(), postgresBackend()])('enrollment bindIfFree on $name', (engine) => {
  let r: Repositories;
  let sql: (text: string) => Promise<void>;
  beforeAll(() => engine.setup());
  afterAll(() => engine.teardown());
  beforeEach(async () => {
    r = await engine.fresh();
    sql = (text) => engine.exec(text);
  });

  /** A live credential with no binding, as enrolled before bindings existed. */
  const legacy = (agentId: string): Promise<void> =>
    sql(`INSERT INTO agent_credentials (agent_id, credential_hash, hostname, enrolled_at)
         VALUES ('${agentId}', 'hash-${agentId}', '${agentId}.example', ${T0})`);

  it('binds an unbound live credential once; bound, revoked or unknown ones are not bindable', async () => {
    await legacy('old-a');
    expect(await r.enrollment.bindIfFree('old-a', node)).toEqual({ outcome: 'bound' });
    expect((await r.enrollment.credential('old-a'))?.binding).toEqual(node);
    expect(await r.enrollment.nodeHolder(node)).toBe('old-a');
    // Bound already: a later hello naming another node does not move it.
    expect(await r.enrollment.bindIfFree('old-a', { ...node, name: 'lb2' })).toEqual({
      outcome: 'not_bindable',
    });
    expect((await r.enrollment.credential('old-a'))?.binding).toEqual(node);
    await legacy('old-b');
    expect(await r.enrollment.revokeAgent('old-b', T0 + 1)).toBe(true);
    expect(await r.enrollment.bindIfFree('old-b', { ...node, name: 'lb2' })).toEqual({
      outcome: 'not_bindable',
    });
    expect(await r.enrollment.bindIfFree('nobody', { ...node, name: 'lb3' })).toEqual({
      outcome: 'not_bindable',
    });
  });

  it('a node a live credential holds is not bound to another one (ID-2/ID-3), until revoked', async () => {
    await legacy('old-a');
    await legacy('old-b');
    expect(await r.enrollment.bindIfFree('old-a', node)).toEqual({ outcome: 'bound' });
    expect(await r.enrollment.bindIfFree('old-b', node)).toEqual({
      outcome: 'node_taken',
      holder: 'old-a',
    });
    expect((await r.enrollment.credential('old-b'))?.binding).toBeNull();
    await r.enrollment.revokeAgent('old-a', T0 + 1);
    expect(await r.enrollment.bindIfFree('old-b', node)).toEqual({ outcome: 'bound' });
  });

  it('four unbound credentials binding one node at once (four replicas admitting hellos): one wins', async () => {
    const ids = ['old-1', 'old-2', 'old-3', 'old-4'];
    for (const id of ids) await legacy(id);
    // Warm connections (PostgreSQL's pool), so the transactions really run at once.
    await Promise.all(ids.map(() => r.enrollment.nodeHolder(node)));
    const outcomes = await Promise.all(ids.map((id) => r.enrollment.bindIfFree(id, node)));
    expect(outcomes.filter((o) => o.outcome === 'bound')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'node_taken')).toHaveLength(3);
    const bound = (await r.enrollment.allCredentials()).filter((c) => c.binding !== null);
    expect(bound).toHaveLength(1);
  });
});
