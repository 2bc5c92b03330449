import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentConfig, LogLines } from '@keepwatch/shared';
import { silentLogger } from './log';
import { LogStreamer, lastLines, parseJournalLine } from './log-streamer';

describe('log parsing', () => {
  it('reads journalctl json lines, including byte-array messages', () => {
    expect(
      parseJournalLine(
        '{"MESSAGE":"VRRP_Instance(VI_1) Entering MASTER STATE","__REALTIME_TIMESTAMP":"1700000000123456"}',
      ),
    ).toEqual({
      ts: 1700000000123,
      text: 'VRRP_Instance(VI_1) Entering MASTER STATE',
    });
    expect(parseJournalLine('{"MESSAGE":[104,105],"__REALTIME_TIMESTAMP":"1"}')?.text).toBe('hi');
    expect(parseJournalLine('not json')).toBeUndefined();
  });

  it('keeps the last n complete lines of a tail chunk', () => {
    expect(lastLines('a\nb\nc\n', 2, true)).toEqual(['b', 'c']);
    expect(lastLines('rtial\nb\nc\n', 5, false)).toEqual(['b', 'c']);
    expect(lastLines('a\n', 0, true)).toEqual([]);
  });
});

describe('LogStreamer (file)', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('sends the tail, then appended lines in batches, and stops on unsubscribe', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-logs-'));
    const file = join(dir, 'keepalived.log');
    writeFileSync(file, 'one\ntwo\nthree\n');
    const sent: LogLines[] = [];
    const config = { logs: { keepalived: file } } as unknown as AgentConfig;
    const s = new LogStreamer({ config, log: silentLogger, send: (m) => sent.push(m), pollMs: 20 });
    s.subscribe({ type: 'logs.subscribe', subscription: 's1', sources: ['keepalived'], tail: 2 });
    await vi.waitFor(() =>
      expect(sent.flatMap((m) => m.lines.map((l) => l.text))).toEqual(['two', 'three']),
    );
    expect(sent[0]).toMatchObject({ type: 'log.lines', subscription: 's1', source: 'keepalived' });
    appendFileSync(file, 'four\nfi');
    appendFileSync(file, 've\n');
    await vi.waitFor(() =>
      expect(sent.flatMap((m) => m.lines.map((l) => l.text))).toEqual([
        'two',
        'three',
        'four',
        'five',
      ]),
    );
    s.unsubscribe('s1');
    const n = sent.length;
    appendFileSync(file, 'six\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(sent.length).toBe(n);
    expect(s.active).toBe(0);
  });
});
