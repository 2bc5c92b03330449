import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecFn } from './exec';
import { checkKeepalivedPid, lookupSignum, requestDump } from './keepalived-process';

const testdata = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url)), 'utf8');

describe('checkKeepalivedPid', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kw-pid-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('no pid file = not running', async () => {
    expect(await checkKeepalivedPid(join(dir, 'none.pid'))).toMatchObject({ running: false });
  });
  it('a live pid that is not keepalived is a stale pid file', async () => {
    const f = join(dir, 'ka.pid');
    writeFileSync(f, `${process.pid}\n`);
    expect(await checkKeepalivedPid(f)).toEqual({
      running: false,
      detail: 'process not running (stale pid file)',
    });
  });
  it('a pid that does not exist is not running', async () => {
    const f = join(dir, 'ka.pid');
    writeFileSync(f, '4194303\n');
    expect(await checkKeepalivedPid(f)).toMatchObject({ running: false });
    writeFileSync(f, 'garbage');
    expect(await checkKeepalivedPid(f)).toMatchObject({
      running: false,
      detail: 'process not running (bad pid file)',
    });
  });
});

describe('lookupSignum', () => {
  it('parses keepalived --signum output and rejects failures', async () => {
    const exec =
      (stdout: string, code: number): ExecFn =>
      () =>
        Promise.resolve({ code, signal: null, stdout, stderr: '', durationMs: 1 });
    expect(await lookupSignum(exec('36\n', 0), 'keepalived', 'JSON')).toBe(36);
    expect(await lookupSignum(exec('', 1), 'keepalived', 'JSON')).toBeUndefined();
  });
});

describe('requestDump (delete, signal, poll)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kw-dump-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes the stale file, signals the pid, and waits until the JSON parses', async () => {
    const json = testdata('keepalived-lb1.json');
    writeFileSync(join(dir, 'keepalived.json'), '[{"data":{"iname":"STALE","state":1}}]');
    const signals: Array<[number, number]> = [];
    const kill = (pid: number, sig: number): void => {
      signals.push([pid, sig]);
      // keepalived writes in place: first a partial file, the rest a little later.
      writeFileSync(join(dir, 'keepalived.json'), json.slice(0, 100));
      setTimeout(() => writeFileSync(join(dir, 'keepalived.json'), json), 30);
    };
    const r = await requestDump({ pid: 42, signum: 36, dir, format: 'json', kill, pollMs: 5 });
    expect(signals).toEqual([[42, 36]]);
    expect(r?.map((i) => i.name)).toEqual(['VI_1']);
  });

  it('finds keepalived.<instance>.data and ignores the parent dump', async () => {
    const text = testdata('keepalived-dumps/v2.1.5/keepalived.data');
    const kill = (): void => {
      writeFileSync(join(dir, 'keepalived_parent.lb1.data'), 'parent stuff');
      writeFileSync(join(dir, 'keepalived.lb1.data'), text);
    };
    const r = await requestDump({ pid: 42, signum: 10, dir, format: 'text', kill, pollMs: 5 });
    expect(r).toHaveLength(3);
  });

  it('gives up after the deadline when nothing is written', async () => {
    const r = await requestDump({
      pid: 42,
      signum: 36,
      dir,
      format: 'json',
      kill: () => undefined,
      deadlineMs: 50,
      pollMs: 5,
    });
    expect(r).toBeUndefined();
  });
});
