import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256 } from './actions/config-apply';
import { ConfigObserver } from './config-observer';
import type { ExecFn } from './exec';
import { silentLogger } from './log';
import type { Observation } from './observations';

describe('ConfigObserver', () => {
  let dir: string | undefined;
  const ac = new AbortController();
  afterEach(() => {
    ac.abort();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports hash, test result and content at start, again only when the content changes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-cfgobs-'));
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, 'events {}\n');
    const seen: Observation[] = [];
    const contents: string[] = [];
    let testCode = 0;
    const calls: string[][] = [];
    const exec: ExecFn = (argv) => {
      calls.push([...argv]);
      return Promise.resolve({
        code: testCode,
        signal: null,
        stdout: '',
        stderr: testCode ? '[emerg] bad' : '',
        durationMs: 1,
      });
    };
    const obs = new ConfigObserver({
      targets: [{ component: 'nginx', file, testArgv: ['nginx', '-t', '-q', '-c', file] }],
      exec,
      log: silentLogger,
      emit: (o) => seen.push(o),
      onContent: (_c, text) => contents.push(text),
      fallbackMs: 60_000,
    });
    await obs.start(ac.signal);
    expect(seen).toEqual([
      {
        kind: 'config',
        config: expect.objectContaining({
          component: 'nginx',
          path: file,
          hash: sha256('events {}\n'),
          content: 'events {}\n',
          test: { ok: true, code: 0, output: '' },
        }) as unknown,
      },
    ]);
    // Same content rewritten (new mtime): no new test, no new observation.
    writeFileSync(file, 'events {}\n');
    await obs.check();
    expect(calls).toHaveLength(1);
    testCode = 1;
    writeFileSync(file, 'events { bogus; }\n');
    // fs.watch notices the change by itself.
    await vi.waitFor(() => expect(seen).toHaveLength(2), { timeout: 3000 });
    const last = seen[1];
    expect(last?.kind === 'config' && last.config.test).toEqual({
      ok: false,
      code: 1,
      output: '[emerg] bad',
    });
    expect(contents).toEqual(['events {}\n', 'events { bogus; }\n']);
    rmSync(file);
    await obs.check();
    const gone = seen[2];
    expect(gone?.kind === 'config' && gone.config.hash).toBeUndefined();
    ac.abort();
    await obs.stopped();
  });
});
