import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RoutedActionRequest } from './action-requests-repository';
import { postgresBackend, sqliteBackend } from './contract-backends';
import type { Repositories } from './repositories';

/*
 * Routed action requests (action-requests-repository.ts, actions SPEC RA-2), one suite on
 * SQLite and on a real PostgreSQL: a request is taken once, by its home only, never after
 * its deadline; of ten takers at once (on PostgreSQL ten pooled connections) exactly one
 * gets it; pruning removes old rows only.
 */

const T0 = 1_800_000_000_000;

const req = (id: string, over: Partial<RoutedActionRequest> = {}): RoutedActionRequest => ({
  id,
  agentId: 'agent-1',
  origin: 'A',
  home: 'B',
  request: JSON.stringify({ type: 'action.request', id, action: 'drill.restore', params: {} }),
  createdAt: T0,
  deadline: T0 + 20_000,
  ...over,
});

describe.each([sqliteBackend(), postgresBackend()])(
  'action requests contract on $name',
  (backend) => {
    let r: Repositories;
    beforeAll(() => backend.setup());
    afterAll(() => backend.teardown());
    beforeEach(async () => {
      r = await backend.fresh();
    });

    it('RA-2: a request is taken once, by its home, before its deadline', async () => {
      await r.actionRequests.put(req('act-1'));
      await r.actionRequests.put(req('act-2', { deadline: T0 + 1_000 }));
      expect(await r.actionRequests.take('act-1', 'A', T0 + 10)).toBeUndefined();
      expect(await r.actionRequests.take('act-1', 'B', T0 + 10)).toEqual(req('act-1'));
      expect(await r.actionRequests.take('act-1', 'B', T0 + 20)).toBeUndefined();
      // The asker has given up by its deadline: the home does not run it late.
      expect(await r.actionRequests.take('act-2', 'B', T0 + 1_000)).toBeUndefined();
      expect(await r.actionRequests.take('unknown', 'B', T0)).toBeUndefined();
    });

    it('RA-2: of ten takers at once exactly one gets the request', async () => {
      await r.actionRequests.put(req('act-race'));
      const got = await Promise.all(
        Array.from({ length: 10 }, () => r.actionRequests.take('act-race', 'B', T0 + 5)),
      );
      expect(got.filter((g) => g !== undefined).map((g) => g?.id)).toEqual(['act-race']);
    });

    it('prunes the requests made before a time, the others stay', async () => {
      await r.actionRequests.put(req('old', { createdAt: T0 - 3_600_001 }));
      await r.actionRequests.put(req('new'));
      expect(await r.actionRequests.prune(T0 - 3_600_000)).toBe(1);
      expect(await r.actionRequests.take('old', 'B', T0)).toBeUndefined();
      expect((await r.actionRequests.take('new', 'B', T0))?.id).toBe('new');
    });
  },
);
