import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from './exec';
import { FifoReader } from './fifo-reader';
import { silentLogger } from './log';

/** An async queue of what the reader reported, so tests await events instead of sleeping. */
function collector() {
  const events: string[] = [];
  const waiters: Array<() => void> = [];
  const push = (e: string): void => {
    events.push(e);
    waiters.splice(0).forEach((w) => w());
  };
  const until = async (pred: (events: string[]) => boolean): Promise<void> => {
    while (!pred(events)) await new Promise<void>((r) => waiters.push(r));
  };
  return { events, push, until };
}

// Plays keepalived: holds the FIFO O_RDWR (so a write never blocks) and closes it on "stop".
const openLikeKeepalived = (path: string): number =>
  openSync(path, constants.O_RDWR | constants.O_NONBLOCK);

describe('FifoReader (real FIFO)', () => {
  let dir: string;
  let ac: AbortController;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-fifo-'));
    ac = new AbortController();
  });
  afterEach(() => {
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  });

  function startReader(path: string) {
    const c = collector();
    const reader = new FifoReader({
      path,
      log: silentLogger,
      exec: run,
      onLine: (line) => c.push(line),
      onEof: () => c.push('EOF'),
      backoffMs: { base: 5, max: 20 },
    });
    reader.start(ac.signal);
    return { c, reader };
  }

  it('creates a missing FIFO 0600, reads lines, survives EOF and reopens', async () => {
    const path = join(dir, 'vrrp_notify.fifo');
    const { c, reader } = startReader(path);
    let fd = -1;
    while (fd < 0) {
      try {
        fd = openLikeKeepalived(path);
      } catch {
        await new Promise((r) => setImmediate(r));
      }
    }
    expect(statSync(path).isFIFO()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeSync(fd, 'INSTANCE "VI_1" BACKUP 100\nINSTANCE "VI_1" MAS');
    writeSync(fd, 'TER 100\n');
    await c.until((e) => e.includes('INSTANCE "VI_1" MASTER 100'));
    closeSync(fd); // keepalived stops: EOF
    await c.until((e) => e.includes('EOF'));
    const fd2 = openLikeKeepalived(path); // keepalived starts again
    writeSync(fd2, 'INSTANCE "VI_1" STOP 100\n');
    await c.until((e) => e.includes('INSTANCE "VI_1" STOP 100'));
    closeSync(fd2);
    expect(c.events.filter((e) => e !== 'EOF')).toEqual([
      'INSTANCE "VI_1" BACKUP 100',
      'INSTANCE "VI_1" MASTER 100',
      'INSTANCE "VI_1" STOP 100',
    ]);
    ac.abort();
    await reader.stopped();
  });

  it('reopens when the FIFO is re-created under the same path (keepalived reload)', async () => {
    const path = join(dir, 'notify.fifo');
    await run(['mkfifo', '-m', '0600', path]);
    const keep = openLikeKeepalived(path); // old writer stays open: no EOF on the old inode
    const { c, reader } = startReader(path);
    writeSync(keep, 'INSTANCE "VI_1" BACKUP 90\n');
    await c.until((e) => e.length === 1);
    unlinkSync(path);
    await run(['mkfifo', '-m', '0600', path]);
    const fresh = openLikeKeepalived(path);
    await reader.checkInode();
    writeSync(fresh, 'INSTANCE "VI_1" MASTER 90\n');
    await c.until((e) => e.includes('INSTANCE "VI_1" MASTER 90'));
    closeSync(keep);
    closeSync(fresh);
    ac.abort();
    await reader.stopped();
  });
});
