import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { LIVE_RECHECK_MS } from '../modules/live/index';
import {
  ADMIN_PASSWORD,
  agent,
  connect,
  hello,
  snapshot,
  testConfig,
  type TestSocket,
} from '../testing/test-app';

/*
 * Issue 7 must-show: "the server's data folder full: the server stays up, says so, and
 * recovers". The data folder is a real 4 MiB tmpfs (root only: the lab project), the database
 * a real WAL file on it. The file system is filled with a filler file until the kernel says
 * ENOSPC, so SQLite's next write fails exactly as on a full disk; removing the filler is
 * "space returns". Every timer of the app keeps running meanwhile: a timer that threw would
 * end this worker, and vitest would report it.
 */

/** Log lines as objects, and a wait for the first one matching (an awaited event, no sleep). */
function logSink() {
  const lines: { level: number; msg: string }[] = [];
  const waiters: (() => void)[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(text) as { level: number; msg: string });
      for (const w of waiters.splice(0)) w();
      done();
    },
  });
  /** The first line matching `re` among those logged from index `from` on. */
  const waitFor = (re: RegExp, timeoutMs = 10_000, from = 0) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no log line ${re}; got ${lines.map((l) => l.msg).join(' | ')}`)),
        timeoutMs,
      );
      const check = (): void => {
        const hit = lines.slice(from).find((l) => re.test(l.msg));
        if (!hit) return void waiters.push(check);
        clearTimeout(timer);
        resolve(hit.msg);
      };
      check();
    });
  return { lines, stream, waitFor };
}

/** Resolves once `cond` holds; checked every 50 ms for at most 10 s. */
async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writes zeros until the file system refuses (ENOSPC); returns the bytes written. */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [256 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size);
      // Bounded: a 4 MiB file system takes at most 4 Mi one-byte writes, far fewer in practice.
      for (let i = 0; i < 100_000; i++) {
        try {
          written += writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** The ack covering `seq`, or 'closed' when the server closes the socket first. */
async function ackOrClose(sock: TestSocket, seq: number): Promise<'acked' | { code: number }> {
  const acked = sock
    .next((m) => m['type'] === 'ack' && Number(m['seq']) >= seq, 5000)
    .then(() => 'acked' as const);
  acked.catch(() => undefined);
  return Promise.race([acked, sock.closed.then((c) => ({ code: c.code }))]);
}

describe('the data folder full (issue 7 item 5)', () => {
  it('the server stays up, says so (log, /metrics, /api/v1/health, 503), acks nothing unstored, and recovers when space returns', async () => {
    const mnt = mkdtempSync(join(tmpdir(), 'kwse-data-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'kwse-data', mnt]);
    const log = logSink();
    let app: FastifyInstance | undefined;
    const sockets: TestSocket[] = [];
    try {
      let clock = Date.now();
      app = await buildApp({
        config: testConfig({ dataDir: mnt }),
        dbPath: join(mnt, 'keepwatch.db'),
        logger: { level: 'info', stream: log.stream },
        now: () => clock,
        storageProbeMs: 100,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password: ADMIN_PASSWORD },
      });
      const token = login.json<{ token: string }>().token;
      const auth = { authorization: `Bearer ${token}` };
      const lb1 = await agent(app, hello());
      sockets.push(lb1);
      lb1.send(snapshot(1, 'MASTER', true));
      expect(await ackOrClose(lb1, 1)).toBe('acked');
      const live = await connect(app, `/api/v1/live?token=${token}`);
      sockets.push(live);
      await live.next((m) => m['type'] === 'snapshot');

      const liveDue = Date.now() + 2 * LIVE_RECHECK_MS + 500;
      // Full: an empty WAL (so the next commit must grow a file), then no free page left.
      app.db.pragma('wal_checkpoint(TRUNCATE)');
      const filler = join(mnt, 'filler');
      expect(fill(filler)).toBeGreaterThan(0);

      // The agent's next message cannot be stored: no ack for it, the socket is closed.
      lb1.send(snapshot(2, 'BACKUP', false));
      expect(await ackOrClose(lb1, 2)).toEqual({ code: 1011 });
      expect(lb1.messages.filter((m) => m['type'] === 'ack').map((m) => m['seq'])).not.toContain(2);
      // Says so: one log line naming the condition and the folder.
      expect(await log.waitFor(/^storage failing: SQLITE_FULL/)).toContain(mnt);

      // Stays up: reads still answer, even when the session's last-used stamp cannot be written.
      clock += 5 * 60_000;
      const status = await app.inject({ url: '/api/v1/status', headers: auth });
      expect(status.statusCode).toBe(200);
      const health = await app.inject({ url: '/api/v1/health', headers: auth });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({
        storage: { ok: false, lastError: expect.stringMatching(/^SQLITE_FULL/) as unknown },
      });
      const metrics = await app.inject({ url: '/metrics', headers: auth });
      expect(metrics.body).toMatch(/^keepwatch_storage_failing 1$/m);
      expect(metrics.body).toMatch(/^keepwatch_data_free_bytes 0$/m);
      // A change that cannot be stored is refused with the reason, not a bare 500.
      const write = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: auth,
        payload: { name: 'during the outage' },
      });
      expect(write.statusCode).toBe(503);
      expect(write.json()).toMatchObject({ error: 'storage_unavailable' });
      // The probe (every 100 ms here) and the live feed's session re-check (every 2 s) keep
      // ticking against the full disk; each failed write is counted, nothing throws, and the
      // live socket stays open through a re-check.
      const errorsBefore = app.storage.errors;
      await until(
        () => app?.storage.errors !== undefined && app.storage.errors >= errorsBefore + 10,
      );
      await until(() => log.lines.some((l) => /live feed/.test(l.msg)) || Date.now() > liveDue);
      expect(live.ws.readyState).toBe(live.ws.OPEN);

      // Space returns: the next write that commits (the probe's, or a batched write that got
      // there first) clears the state, and says which it was. Only lines logged after the
      // filler is gone count: while the disk was full a small commit can still fit in WAL
      // pages a failed write left allocated (seen: "recovered", then failing again at once).
      const mark = log.lines.length;
      rmSync(filler);
      expect(await log.waitFor(/^storage recovered/, 15_000, mark)).toMatch(
        /^storage recovered: (storage probe|batched write) committed after \d+ s of failing writes$/,
      );
      const after = await app.inject({ url: '/api/v1/health', headers: auth });
      expect(after.json()).toMatchObject({ storage: { ok: true, failingSince: null } });
      const metricsAfter = await app.inject({ url: '/metrics', headers: auth });
      expect(metricsAfter.body).toMatch(/^keepwatch_storage_failing 0$/m);

      // The agent reconnects (as its outbox does), is told seq 1 is the last stored, replays 2.
      const again = await agent(app, hello());
      sockets.push(again);
      expect(again.messages.find((m) => m['type'] === 'welcome')).toMatchObject({ ackedSeq: 1 });
      again.send(snapshot(2, 'BACKUP', false));
      expect(await ackOrClose(again, 2)).toBe('acked');
      const stored = app.db
        .prepare("SELECT seq FROM events WHERE agent_id = 'agent-lb1' ORDER BY seq")
        .all() as { seq: number }[];
      expect(stored.map((r) => r.seq)).toEqual([1, 2]);
    } finally {
      for (const s of sockets) s.ws.terminate();
      await app?.close();
      execFileSync('umount', ['-l', mnt]);
      rmdirSync(mnt);
    }
  });
});
