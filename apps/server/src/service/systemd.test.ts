import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startSdNotify, watchdogIntervalMs } from './sd-notify';

const here = dirname(fileURLToPath(import.meta.url));
const unitFile = join(here, '..', '..', 'deploy', 'keepwatch-server.service');
const dir = mkdtempSync(join(tmpdir(), 'kw-systemd-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => vi.useRealTimers());

/** systemd-analyze verify: throws on errors (a missing ExecStart binary); returns its warnings. */
const verify = (path: string): string => {
  const r = spawnSync('systemd-analyze', ['verify', path], { timeout: 30_000, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`verify failed: ${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
};

describe('deploy/keepwatch-server.service', () => {
  const text = readFileSync(unitFile, 'utf8');

  it('passes systemd-analyze verify', () => {
    const copy = join(dir, 'keepwatch-server.service');
    writeFileSync(copy, text);
    // Bad values and unknown keys are only warnings for verify: none may be printed.
    expect(verify(copy)).toBe('');
  });

  it('is Type=notify with a watchdog, its own user and no capabilities', () => {
    for (const line of [
      'Type=notify',
      'WatchdogSec=30',
      'DynamicUser=yes',
      'User=keepwatch',
      'StateDirectory=keepwatch',
      'CapabilityBoundingSet=',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ExecStart=/usr/bin/node /opt/keepwatch/server/dist/server.mjs',
    ])
      expect(text).toMatch(new RegExp(`^${line.replace(/[.*/]/g, '\\$&')}$`, 'm'));
    // V8's JIT needs W+X pages: this option would crash node at start.
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });

  it('a unit with a mistake is caught (the check can fail)', () => {
    const bad = join(dir, 'bad.service');
    writeFileSync(bad, text.replace('ProtectSystem=strict', 'ProtectSystem=sometimes'));
    expect(verify(bad)).toMatch(/Failed to parse protect system value/i);
    const noNode = join(dir, 'no-node.service');
    writeFileSync(noNode, text.replace('/usr/bin/node', join(dir, 'missing-node')));
    expect(() => verify(noNode)).toThrow(/verify failed/);
  });
});

describe('systemd notify', () => {
  it('pings at half the watchdog period', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' })).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '100' })).toBe(500);
    expect(watchdogIntervalMs({})).toBeUndefined();
  });

  it('READY once, WATCHDOG every period, STOPPING at stop; nothing without NOTIFY_SOCKET', () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const onError = (): void => undefined;
    startSdNotify({ WATCHDOG_USEC: '30000000' }, onError, (a) => sent.push(a))();
    expect(sent).toEqual([]);
    const stop = startSdNotify(
      { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000' },
      onError,
      (a) => sent.push(a),
    );
    vi.advanceTimersByTime(45_000);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(sent).toEqual(['READY=1', 'WATCHDOG=1', 'WATCHDOG=1', 'WATCHDOG=1', 'STOPPING=1']);
  });

  it('the real server tells a real notify socket READY=1, WATCHDOG=1 and STOPPING=1', async () => {
    const socket = join(dir, 'notify.sock');
    // A datagram socket standing in for systemd's (Node has no unix datagram sockets).
    const receiver = spawn(
      '/usr/bin/python3',
      [
        '-c',
        'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM);s.bind(sys.argv[1])\n' +
          'print("bound",flush=True)\nwhile True: print(s.recv(4096).decode().replace("\\n"," "),flush=True)',
        socket,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(receiver);
    const lines: string[] = [];
    const waitLine = (re: RegExp): Promise<void> =>
      vi.waitFor(
        () => {
          if (!lines.some((l) => re.test(l))) throw new Error(`no ${re} in ${lines.join(' | ')}`);
        },
        { timeout: 20_000, interval: 50 },
      );
    createInterface({ input: receiver.stdout }).on('line', (l) => lines.push(l));
    await waitLine(/^bound$/);
    const server = spawn(process.execPath, ['--import', 'tsx', join(here, '..', 'server.ts')], {
      env: {
        ...process.env,
        NOTIFY_SOCKET: socket,
        WATCHDOG_USEC: '1000000',
        KEEPWATCH_PORT: '0',
        KEEPWATCH_DATA: join(dir, 'data'),
        KEEPWATCH_ADMIN_PASSWORD: 'notify test',
        KEEPWATCH_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(server);
    await waitLine(/^READY=1$/);
    await waitLine(/^WATCHDOG=1$/);
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await waitLine(/^STOPPING=1$/);
    expect(await exited).toBe(0);
    expect(lines.indexOf('READY=1')).toBeLessThan(lines.indexOf('WATCHDOG=1'));
  }, 40_000);
});
