import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDataMessage } from '@keepwatch/shared';
import { BatchWriter } from '../../plugins/batch-writer';
import { postgresBackend, sqliteBackend } from '../../storage/contract-backends';
import type { Repositories } from '../../storage/repositories';
import { HistoryRecorder } from './history-recorder';

/*
 * The recorder's reads through repos.history on SQLite and a real PostgreSQL: what it holds in
 * memory (agents' nodes, node mirrors, known series) comes back after a restart, and a hello
 * reads the agent's mirror again, as a second replica recording the same agent needs.
 */

const T0 = 1_800_000_000_000;

const snapshot = (seq: number, state: 'MASTER' | 'BACKUP'): AgentDataMessage => ({
  type: 'snapshot',
  seq,
  ts: T0 + seq,
  vrrp: [{ instance: 'VI_1', state, priority: 100, effectivePriority: 100, vrid: 51, vips: [] }],
  addresses: [],
  services: {},
});

describe.each([sqliteBackend(), postgresBackend()])('history recorder on $name', (backend) => {
  let repos: Repositories;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    repos = await backend.fresh();
    await repos.ingest.commit([
      {
        kind: 'hello',
        agentId: 'a1',
        cluster: { id: 'c1', name: 'c1' },
        nodeName: 'lb1',
        role: 'lb',
        facts: '{}',
        capabilities: '{}',
        at: T0,
      },
    ]);
  });

  /** A recorder as the history plugin makes one: its own writer, the start state loaded. */
  async function started(): Promise<{ rec: HistoryRecorder; writer: BatchWriter }> {
    const writer = new BatchWriter(repos.ingest, { intervalMs: 60_000 });
    const rec = new HistoryRecorder(writer, repos.dialect, repos.history);
    await rec.load();
    return { rec, writer };
  }

  const summaries = async (): Promise<string[]> =>
    (await repos.history.transitions({ cluster: 'c1', types: [] })).map((t) => t.summary);

  it('after a restart: the node from the agents row, the mirror, the series', async () => {
    const first = await started();
    await first.rec.online('a1', 'c1', 'lb1');
    first.rec.data('a1', snapshot(1, 'BACKUP'), T0);
    first.rec.sample('a1', 'nginx.active', T0, 3);
    first.rec.flushSamples();
    await first.writer.flush();
    expect(await summaries()).toEqual(['first report: VI_1 BACKUP']);

    // A new process: no hello yet (the node comes from the agents row), the same state again
    // is no change, a new one is one change against the stored mirror.
    const again = await started();
    again.rec.data('a1', snapshot(2, 'BACKUP'), T0 + 10);
    again.rec.data('a1', snapshot(3, 'MASTER'), T0 + 20);
    await again.writer.flush();
    expect(await summaries()).toEqual([
      'first report: VI_1 BACKUP',
      'VI_1 → MASTER (priority 100)',
    ]);
    // The series is known: a sample after the restart appends to it.
    again.rec.sample('a1', 'nginx.active', T0 + 1, 4);
    again.rec.flushSamples();
    await again.writer.flush();
    expect(await repos.history.seriesId('c1', 'lb1', 'nginx.active')).toBeGreaterThan(0);
  });

  it('a hello reads the mirror again: an agent moved from another replica', async () => {
    const a = await started();
    const b = await started();
    await a.rec.online('a1', 'c1', 'lb1');
    a.rec.data('a1', snapshot(1, 'BACKUP'), T0);
    await a.writer.flush();
    await b.rec.online('a1', 'c1', 'lb1');
    b.rec.data('a1', snapshot(2, 'BACKUP'), T0);
    await b.writer.flush();
    // lb1 at A becomes MASTER, then moves to B, whose memory still says BACKUP.
    a.rec.data('a1', snapshot(3, 'MASTER'), T0 + 10);
    await a.writer.flush();
    await b.rec.online('a1', 'c1', 'lb1');
    b.rec.data('a1', snapshot(4, 'MASTER'), T0 + 20);
    await b.writer.flush();
    // One change to MASTER (A's), not a second one from B's old mirror.
    expect(await summaries()).toEqual([
      'first report: VI_1 BACKUP',
      'VI_1 → MASTER (priority 100)',
    ]);
  });

  it("a data message before the hello's read is back keeps its own mirror", async () => {
    const r = await started();
    await r.rec.online('a1', 'c1', 'lb1');
    r.rec.data('a1', snapshot(1, 'BACKUP'), T0);
    await r.writer.flush();
    const reread = r.rec.online('a1', 'c1', 'lb1');
    r.rec.data('a1', snapshot(2, 'MASTER'), T0 + 10); // not yet committed when the read lands
    await reread;
    r.rec.data('a1', snapshot(3, 'MASTER'), T0 + 20);
    await r.writer.flush();
    expect(await summaries()).toEqual([
      'first report: VI_1 BACKUP',
      'VI_1 → MASTER (priority 100)',
    ]);
  });

  it('writes the node state only when a message changed it, after a restart too', async () => {
    const first = await started();
    await first.rec.online('a1', 'c1', 'lb1');
    first.rec.data('a1', snapshot(1, 'BACKUP'), T0);
    expect(first.writer.pending).toBe(2); // the change and the node state
    await first.writer.flush();
    // The same state again: no row to write (the event itself is the agent socket's).
    first.rec.data('a1', snapshot(2, 'BACKUP'), T0 + 10);
    expect(first.writer.pending).toBe(0);
    first.rec.data('a1', snapshot(3, 'MASTER'), T0 + 20);
    expect(first.writer.pending).toBe(2);
    await first.writer.flush();
    // A new process compares with the stored row, as does a hello's read.
    const again = await started();
    again.rec.data('a1', snapshot(4, 'MASTER'), T0 + 30);
    expect(again.writer.pending).toBe(0);
    await again.rec.online('a1', 'c1', 'lb1');
    again.rec.data('a1', snapshot(5, 'MASTER'), T0 + 40);
    expect(again.writer.pending).toBe(0);
    expect(JSON.parse((await repos.history.nodeState('a1')) ?? '{}')).toMatchObject({
      vrrp: { VI_1: { state: 'MASTER' } },
    });
  });
});
