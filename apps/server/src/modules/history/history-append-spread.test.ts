import { describe, expect, it } from 'vitest';
import { appendPhase } from './history-recorder';
import { openHistoryStore } from './history-store';
import { HOUR_MS, MINUTE_MS } from './rollup';

/*
 * SR-1 (issue 11): a series appends its buffered minute at its node's phase after the minute
 * ends, not on its first sample of the next minute, so the appends of a fleet spread over the
 * minute; a buffer reaching into the next hour is split between the two raw chunks.
 */

const T0 = Date.UTC(2026, 0, 1); // an hour boundary

async function store() {
  let now = T0;
  const s = await openHistoryStore({ path: ':memory:', now: () => now });
  s.hello(
    {
      type: 'hello',
      protocol: 1,
      agentId: 'a1',
      token: 't',
      node: { name: 'lb1', role: 'lb', cluster: { id: 'c1', name: 'c1' } },
      facts: { hostname: 'lb1', agentVersion: '0' },
      capabilities: { observe: [], control: [] },
    },
    now,
  );
  await s.writer.flush();
  return { ...s, setNow: (t: number) => (now = t) };
}

describe('series appends spread over the minute (SR-1)', () => {
  it('phases are whole seconds within the minute and differ between nodes', () => {
    const phases = Array.from({ length: 200 }, (_, i) => appendPhase(`c${i >> 1}`, `lb${i & 1}`));
    for (const p of phases) {
      expect(p % 1000).toBe(0);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(MINUTE_MS);
    }
    // 200 nodes over 60 phases: most of them used, none by more than a tenth of the nodes.
    const used = new Map<number, number>();
    for (const p of phases) used.set(p, (used.get(p) ?? 0) + 1);
    expect(used.size).toBeGreaterThan(45);
    expect(Math.max(...used.values())).toBeLessThan(20);
    expect(appendPhase('c1', 'lb1')).toBe(appendPhase('c1', 'lb1'));
  });

  it("the minute is appended at the node's phase past its end, not on the next minute's first sample", async () => {
    const s = await store();
    const phase = appendPhase('c1', 'lb1');
    let appendedAt: number | undefined;
    for (let ts = T0; ts < T0 + 3 * MINUTE_MS && appendedAt === undefined; ts += 1000) {
      s.recorder.sample('a1', 'nginx.active', ts, 1);
      if (s.writer.pending > 0) appendedAt = ts;
    }
    // The series row and its first append, queued by the first sample at the phase.
    expect(appendedAt).toBe(T0 + MINUTE_MS + phase);
    expect(s.writer.pending).toBe(2);
    s.close();
  });

  it('a buffer across an hour goes to both raw chunks, each point in its own hour', async () => {
    const s = await store();
    // 12 points a minute over the last two minutes of one hour and the first two of the next.
    const from = T0 + HOUR_MS - 2 * MINUTE_MS;
    for (let ts = from; ts < from + 4 * MINUTE_MS; ts += 5000)
      s.recorder.sample('a1', 'nginx.active', ts, ts < T0 + HOUR_MS ? 1 : 2);
    s.recorder.flushSamples();
    await s.writer.flush();
    const minutes = await s.queries.series({
      cluster: 'c1',
      node: 'lb1',
      metric: 'nginx.active',
      from,
      to: from + 4 * MINUTE_MS,
      step: 'minute',
    });
    expect(minutes.map((m) => [m.ts - from, m.count, m.min, m.max])).toEqual([
      [0, 12, 1, 1],
      [MINUTE_MS, 12, 1, 1],
      [2 * MINUTE_MS, 12, 2, 2],
      [3 * MINUTE_MS, 12, 2, 2],
    ]);
    s.close();
  });

  it('maintenance appends a buffer its series stopped feeding before sealing the hour', async () => {
    const s = await store();
    for (let ts = T0; ts < T0 + HOUR_MS; ts += 5000) s.recorder.sample('a1', 'nginx.active', ts, 3);
    await s.writer.flush(); // the appends of the hour so far, committed as time went by
    // The agent went silent at the end of the hour: its last minute is still buffered.
    s.setNow(T0 + HOUR_MS + 3 * MINUTE_MS);
    expect((await s.maintenance.run()).sealed).toBe(1);
    const hours = await s.queries.series({
      cluster: 'c1',
      node: 'lb1',
      metric: 'nginx.active',
      from: T0,
      to: T0 + HOUR_MS,
      step: 'hour',
    });
    expect(hours.map((h) => h.count)).toEqual([720]);
    s.close();
  });
});
