import { mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDataMessage } from '@keepwatch/shared';
import { createLogger, silentLogger } from './log';
import { Outbox, type DataMessageInput } from './outbox';

type Input<T extends DataMessageInput['type']> = Extract<DataMessageInput, { type: T }>;
const transition = (state: 'MASTER' | 'BACKUP'): Input<'vrrp.transition'> => ({
  type: 'vrrp.transition',
  instance: 'VI_1',
  state,
  effectivePriority: 100,
  source: 'fifo',
});
const snapshot = (): Input<'snapshot'> => ({
  type: 'snapshot',
  vrrp: [],
  addresses: [],
  services: {},
});

describe('Outbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-outbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const openBox = (extra: Partial<Parameters<typeof Outbox.open>[0]> = {}) =>
    Outbox.open({ dir, agentId: 'lb1', log: silentLogger, ...extra });

  it('assigns strictly increasing seqs and hands out messages only once durable', async () => {
    const box = await openBox();
    const seen: AgentDataMessage[] = [];
    box.onDurable((m) => seen.push(...m));
    const a = box.append(transition('BACKUP'), 1000);
    const b = box.append(transition('MASTER'), 1001);
    expect([a?.seq, b?.seq]).toEqual([1, 2]);
    expect(a?.ts).toBe(1000);
    expect(box.pending()).toEqual([]);
    await box.flush();
    expect(seen.map((m) => m.seq)).toEqual([1, 2]);
    expect(box.pending().map((m) => m.seq)).toEqual([1, 2]);
    await box.close();
  });

  it('refuses a message the protocol schema refuses: logged, counted, no seq used, the next one goes', async () => {
    const box = await openBox();
    const bad = box.append({ ...transition('MASTER'), effectivePriority: 300 });
    expect(bad).toBeUndefined();
    expect(box.rejected).toBe(1);
    expect(box.append(transition('MASTER'))?.seq).toBe(1);
    await box.flush();
    expect(box.pending().map((m) => m.seq)).toEqual([1]);
    await box.close();
  });

  it("cuts a snapshot's lists to the schema limits and says so", async () => {
    const box = await openBox();
    const addresses = Array.from({ length: 1030 }, (_, i) => ({
      address: `10.92.${Math.floor(i / 256)}.${i % 256}`,
      prefix: 16,
      interface: 'eth0',
    }));
    const snap = box.append({ ...snapshot(), addresses });
    expect(snap).toMatchObject({ capped: [{ path: '/addresses', total: 1030 }] });
    expect(snap?.type === 'snapshot' && snap.addresses.length).toBe(1024);
    await box.close();
  });

  it('survives a crash: unacknowledged entries and the last seq come back', async () => {
    const box = await openBox();
    for (let i = 0; i < 5; i++) box.append(transition(i % 2 ? 'MASTER' : 'BACKUP'));
    await box.flush();
    box.ack(3);
    await box.flush();
    // No close(): simulate a crash by abandoning the instance and re-opening the file.
    const again = await openBox();
    expect(again.pending().map((m) => m.seq)).toEqual([4, 5]);
    expect(again.append(transition('MASTER'))?.seq).toBe(6);
    await again.close();
    await box.close();
  });

  it('keeps the seq after everything was acknowledged and compacted', async () => {
    const box = await openBox({ compactBytes: 200 });
    for (let i = 0; i < 20; i++) box.append(transition('MASTER'));
    await box.flush();
    box.ack(20);
    await box.flush();
    await box.close();
    const again = await openBox();
    expect(again.size).toBe(0);
    expect(again.append(transition('BACKUP'))?.seq).toBe(21);
    await again.close();
  });

  it('compacts when acknowledged lines dominate the file', async () => {
    const box = await openBox({ compactBytes: 2000 });
    for (let i = 0; i < 100; i++) box.append(transition('MASTER'));
    await box.flush();
    box.ack(99);
    box.append(transition('BACKUP'));
    await box.flush();
    const lines = readFileSync(join(dir, 'lb1.outbox.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(5);
    expect(lines[0]).toContain('"h"');
    await box.close();
  });

  it('ignores a torn last line', async () => {
    const box = await openBox();
    box.append(transition('MASTER'));
    await box.close();
    appendFileSync(join(dir, 'lb1.outbox.jsonl'), '{"m":{"type":"vrrp.trans');
    const again = await openBox();
    expect(again.pending().map((m) => m.seq)).toEqual([1]);
    await again.close();
  });

  it('when full drops the oldest snapshots first, logs it loudly and counts it', async () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l) });
    const box = await openBox({ maxEntries: 4, log });
    box.append(snapshot()); // 1
    box.append(transition('MASTER')); // 2
    box.append(snapshot()); // 3
    box.append(transition('BACKUP')); // 4
    box.append(transition('MASTER')); // 5 -> drops 1
    box.append(transition('BACKUP')); // 6 -> drops 3
    await box.flush();
    expect(box.pending().map((m) => m.seq)).toEqual([2, 4, 5, 6]);
    expect(box.dropped).toBe(2);
    box.append(transition('MASTER')); // 7 -> no snapshot left: forced drop of 2
    await box.flush();
    expect(box.pending().map((m) => m.seq)).toEqual([4, 5, 6, 7]);
    expect(lines.some((l) => l.includes('ERROR') && l.includes('OUTBOX FULL'))).toBe(true);
    await box.close();
    const again = await openBox();
    expect(again.pending().map((m) => m.seq)).toEqual([4, 5, 6, 7]);
    expect(again.dropped).toBe(3);
    await again.close();
  });

  it('renumbers after the server if our state dir was reset', async () => {
    const box = await openBox();
    box.append(transition('MASTER'));
    box.append(transition('BACKUP'));
    await box.flush();
    await box.welcome(500);
    expect(box.pending().map((m) => m.seq)).toEqual([501, 502]);
    expect(box.append(transition('MASTER'))?.seq).toBe(503);
    await box.close();
    const again = await openBox();
    expect(again.pending().map((m) => m.seq)).toEqual([501, 502, 503]);
    await again.welcome(501);
    expect(again.pending().map((m) => m.seq)).toEqual([502, 503]);
    await again.close();
  });

  it('bounds by bytes too, keeping transitions over snapshots', async () => {
    const box = await openBox({ maxBytes: 1000 });
    const big = (): DataMessageInput => ({
      type: 'snapshot',
      vrrp: [],
      addresses: Array.from({ length: 8 }, (_, i) => ({
        address: `10.0.0.${i}`,
        prefix: 24,
        interface: 'eth0',
      })),
      services: {},
    });
    box.append(big());
    box.append(transition('MASTER'));
    box.append(big());
    box.append(big());
    await box.flush();
    expect(box.pending().map((m) => m.type)).toEqual(['vrrp.transition', 'snapshot']);
    expect(box.dropped).toBe(2);
    await box.close();
  });
});
