import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FastPath } from './fast-path';
import { createLogger } from './log';

/* The fast path's file, driven by a real listening socket on 127.0.0.1 going away and back. */

describe('FastPath (track_file writer)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kwag-fast-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes 0 while nginx accepts, 1 at the first refused connect, 0 again on stop', async () => {
    const file = join(dir, 'nginx-down');
    const listen = (port = 0): Promise<Server> =>
      new Promise((resolve) => {
        const s = createServer((c) => c.destroy()).listen(port, '127.0.0.1', () => resolve(s));
      });
    let server = await listen();
    const port = (server.address() as AddressInfo).port;
    const lines: string[] = [];
    const waiters = new Set<() => void>();
    const log = createLogger({
      sink: (l) => {
        lines.push(l);
        for (const w of waiters) w();
      },
    });
    const logged = (re: RegExp): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (lines.some((l) => re.test(l))) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      });
    const ac = new AbortController();
    const fp = new FastPath({ file, host: '127.0.0.1', port, intervalMs: 20, log });
    fp.start(ac.signal);
    await logged(/nginx up, wrote 0/);
    expect(readFileSync(file, 'utf8')).toBe('0\n');
    const t0 = performance.now();
    await new Promise<void>((r) => server.close(() => r()));
    await logged(/nginx DOWN, wrote 1/);
    // Detected within about one interval of the listener going away (20 ms here).
    expect(performance.now() - t0).toBeLessThan(200);
    expect(readFileSync(file, 'utf8')).toBe('1\n');
    lines.length = 0;
    server = await listen(port);
    await logged(/nginx up, wrote 0/);
    server.close();
    await logged(/nginx DOWN, wrote 1/);
    ac.abort();
    await fp.stopped();
    // Without the agent the classic vrrp_script decides: no stale 1 left behind.
    expect(readFileSync(file, 'utf8')).toBe('0\n');
  });
});
