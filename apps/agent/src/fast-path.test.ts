import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

  describe('holding a connection while nginx is up (issue 11: idle CPU)', () => {
    /** A listener that keeps every connection open, as nginx does until its header timeout. */
    async function keeping(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
      const sockets = new Set<Socket>();
      const server = createServer((c) => {
        sockets.add(c);
        c.on('close', () => sockets.delete(c));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      return { server, port: (server.address() as AddressInfo).port, sockets };
    }
    function logLines(): {
      log: ReturnType<typeof createLogger>;
      logged: (re: RegExp) => Promise<void>;
    } {
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
            if (!lines.some((l) => re.test(l))) return;
            waiters.delete(check);
            resolve();
          };
          waiters.add(check);
          check();
        });
      return { log, logged };
    }

    it('opens no connection per interval while one is held, and sees nginx exit at once by its close', async () => {
      const { server, port, sockets } = await keeping();
      let accepted = 0;
      server.on('connection', () => accepted++);
      const { log, logged } = logLines();
      const ac = new AbortController();
      const file = join(mkdtempSync(join(tmpdir(), 'kwag-fast-')), 'held');
      // No verify connects in this test: only the held connection can tell.
      const fp = new FastPath({
        file,
        host: '127.0.0.1',
        port,
        intervalMs: 100,
        verifyMs: 600_000,
        log,
      });
      fp.start(ac.signal);
      await logged(/nginx up, wrote 0/);
      // The first good connect marks it up and is held; the poll made one every 100 ms.
      await new Promise((r) => setTimeout(r, 500));
      expect(accepted).toBe(1);
      expect(sockets.size).toBe(1);
      // nginx exits: its listener and its connections go (the kernel closes them with it).
      const t0 = performance.now();
      server.close();
      for (const c of sockets) c.destroy();
      await logged(/nginx DOWN, wrote 1/);
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(readFileSync(file, 'utf8')).toBe('1\n');
      ac.abort();
      await fp.stopped();
      rmSync(dirname(file), { recursive: true, force: true });
    });

    it('sees a listener gone behind a held connection (graceful quit) by the verify connect', async () => {
      const { server, port, sockets } = await keeping();
      const { log, logged } = logLines();
      const ac = new AbortController();
      const file = join(mkdtempSync(join(tmpdir(), 'kwag-fast-')), 'quit');
      const fp = new FastPath({ file, host: '127.0.0.1', port, intervalMs: 20, verifyMs: 50, log });
      fp.start(ac.signal);
      await logged(/nginx up, wrote 0/);
      server.close(); // the held connection stays open
      expect(sockets.size).toBe(1);
      await logged(/nginx DOWN, wrote 1/);
      expect(readFileSync(file, 'utf8')).toBe('1\n');
      ac.abort();
      await fp.stopped();
      // Stopping lets go of the held connection.
      for (let i = 0; i < 50 && sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(sockets.size).toBe(0);
      rmSync(dirname(file), { recursive: true, force: true });
    });
  });
});
