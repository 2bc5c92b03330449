import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { historyWrites } from '../modules/history/history-writes';
import { BatchWriter } from '../plugins/batch-writer';
import { postgresBackend, sqliteBackend } from './contract-backends';
import type { Repositories } from './repositories';

/*
 * The rows the history recorder queues (modules/history/history-writes.ts), committed the way
 * the agent socket commits them (a BatchWriter over repos.ingest), on SQLite and a real
 * PostgreSQL: read back through repos.history.
 */

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe.each([sqliteBackend(), postgresBackend()])('history writes on $name', (backend) => {
  let r: Repositories;
  let writer: BatchWriter;
  const sql = () => historyWrites(r.dialect);
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    r = await backend.fresh();
    writer = new BatchWriter(r.ingest, { intervalMs: 60_000 });
  });

  const commit = async (...writes: [string, unknown[], number?][]): Promise<void> => {
    const done = writes.map(([text, params, stage]) => writer.write(text, params, stage));
    await writer.flush();
    await Promise.all(done);
  };

  it('a change is stored once per (agent, seq, part); the node state last one wins', async () => {
    const change = (summary: string): [string, unknown[]] => [
      sql().insertTransition,
      ['c1', 'lb1', 'a1', 7, 0, T0 + 0.25, T0, 'vrrp.transition', summary, '{"to":"MASTER"}'],
    ];
    await commit(change('first'), change('again'), [sql().saveMirror, ['a1', '{"v":1}']]);
    await commit(change('replayed'), [sql().saveMirror, ['a1', '{"v":2}']]);
    const rows = await r.history.transitions({ cluster: 'c1', types: [] });
    expect(rows.map((x) => [x.seq, x.ts, x.summary])).toEqual([[7, T0 + 0.25, 'first']]);
    expect(await r.history.nodeState('a1')).toBe('{"v":2}');
  });

  it('raw appends concatenate bytes for byte (BLOB / BYTEA) until the chunk is sealed', async () => {
    const series: [string, unknown[]] = [sql().ensureSeries, ['c1', 'lb1', 'nginx.rps']];
    const append = (b: Buffer): [string, unknown[]] => [
      sql().appendRaw,
      ['c1', 'lb1', 'nginx.rps', T0, b],
    ];
    await commit(series, append(ALL_BYTES.subarray(0, 100)), series);
    await commit(append(ALL_BYTES.subarray(100)));
    const id = await r.history.seriesId('c1', 'lb1', 'nginx.rps');
    if (id === undefined) throw new Error('no series');
    const open = await r.history.chunks(id, 0, T0, T0 + HOUR);
    expect(open).toHaveLength(1);
    expect(open[0]?.sealed).toBe(false);
    expect(open[0]?.data.equals(ALL_BYTES)).toBe(true);
    await backend.exec('UPDATE history_chunks SET sealed = 1');
    await commit(append(Buffer.from([1, 2, 3])));
    expect((await r.history.chunks(id, 0, T0, T0 + HOUR))[0]?.data.equals(ALL_BYTES)).toBe(true);
  });

  it("a series queued after another series' chunk still goes in before its own chunk (stage 0)", async () => {
    const series = (m: string, stage?: number): [string, unknown[], number?] => [
      sql().ensureSeries,
      ['c1', 'lb1', m],
      stage,
    ];
    const append = (m: string): [string, unknown[]] => [
      sql().appendRaw,
      ['c1', 'lb1', m, T0, Buffer.from([7])],
    ];
    await commit(series('nginx.rps'));
    // Grouped by text without the stage, the second chunk would look its series up too soon.
    await commit(append('nginx.rps'), series('tomcat.ms', 0), append('tomcat.ms'));
    for (const m of ['nginx.rps', 'tomcat.ms']) {
      const id = await r.history.seriesId('c1', 'lb1', m);
      if (id === undefined) throw new Error(`no series ${m}`);
      expect((await r.history.chunks(id, 0, T0, T0 + HOUR))[0]?.data).toEqual(Buffer.from([7]));
    }
  });

  it("one batch's node states of many agents go in together, each agent's last one", async () => {
    const done: Promise<void>[] = [];
    for (let v = 1; v <= 2; v++)
      for (let i = 0; i < 150; i++)
        done.push(writer.writeLatest(sql().saveMirror, `a${i}`, [`a${i}`, `{"v":${v}}`]));
    await writer.flush();
    await Promise.all(done);
    expect(await r.history.nodeState('a0')).toBe('{"v":2}');
    expect(await r.history.nodeState('a149')).toBe('{"v":2}');
  });
});
