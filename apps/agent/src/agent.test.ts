import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import {
  PROTOCOL_VERSION,
  agentAuthorization,
  agentToServerCodec,
  parseAgentConfig,
  type AgentToServer,
} from '@keepwatch/shared';
import type { ExecFn } from './exec';
import { startAgent } from './index';
import { silentLogger } from './log';

const ipAddr = readFileSync(
  fileURLToPath(new URL('./testdata/ip-addr-lb1.json', import.meta.url)),
  'utf8',
);

/** Answers the commands the agent runs; keepalived is "not running" (no pid file). */
const fakeExec: ExecFn = (argv) => {
  const out = (stdout: string, stderr = '') =>
    Promise.resolve({ code: 0, signal: null, stdout, stderr, durationMs: 1 });
  if (argv[0] === 'ip') return out(ipAddr);
  if (argv[0] === 'mkfifo')
    return Promise.resolve({ code: 1, signal: null, stdout: '', stderr: 'no', durationMs: 1 });
  if (argv[1] === '--version') return out('', 'Keepalived v2.2.7 (01/16,2022)\n');
  if (argv[1] === '-v') return out('', 'nginx version: nginx/1.22.1\n');
  return out('');
};

describe('startAgent (in-process, against a ws server on 127.0.0.1)', () => {
  let dir: string;
  let wss: WebSocketServer;
  let frames: AgentToServer[];
  let wake: (() => void) | undefined;
  let upgradeAuth: (string | undefined)[];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-agent-'));
    frames = [];
    upgradeAuth = [];
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/v1/agent/ws' });
    wss.on('connection', (ws, req) => {
      upgradeAuth.push(req.headers.authorization);
      ws.on('message', (data) => {
        const r = agentToServerCodec.decode(data);
        if (!r.ok) throw new Error(r.error);
        frames.push(r.value);
        if (r.value.type === 'hello')
          ws.send(
            JSON.stringify({
              type: 'welcome',
              protocol: PROTOCOL_VERSION,
              serverTime: 0,
              ackedSeq: 0,
            }),
          );
        wake?.();
      });
    });
    await new Promise<void>((r) => wss.on('listening', r));
  });
  afterEach(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });
  const until = async (pred: () => boolean): Promise<void> => {
    while (!pred()) await new Promise<void>((r) => (wake = r));
  };

  it('says hello, sends a complete first snapshot, streams FIFO transitions, stops cleanly', async () => {
    const fifo = join(dir, 'vrrp.fifo');
    spawnSync('mkfifo', ['-m', '0600', fifo]);
    const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK); // plays keepalived
    const cfg = parseAgentConfig({
      agentId: 'lb1',
      node: { name: 'lb1', role: 'lb', cluster: { id: 'lab', name: 'Lab' } },
      server: { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, token: 'secret' },
      stateDir: join(dir, 'state'),
      keepalived: { pidFile: join(dir, 'ka.pid'), dumpDir: dir, fifo },
      nginx: { probe: { url: 'http://127.0.0.1:1/', intervalMs: 100, timeoutMs: 100 } },
    });
    if (!cfg.ok) throw new Error(cfg.error);
    const agent = await startAgent(cfg.value, { log: silentLogger, exec: fakeExec });
    await until(() => frames.some((f) => f.type === 'snapshot'));
    // The credential travels on the upgrade too (the server refuses upgrades without one).
    expect(upgradeAuth).toEqual([agentAuthorization('lb1', 'secret')]);
    expect(frames[0]).toMatchObject({
      type: 'hello',
      token: 'secret',
      facts: { keepalivedVersion: 'Keepalived v2.2.7 (01/16,2022)', nginxVersion: 'nginx/1.22.1' },
      capabilities: { observe: ['keepalived', 'vip', 'nginx', 'upstreams', 'stats'], control: [] },
    });
    const snap = frames.find((f) => f.type === 'snapshot');
    expect(snap).toMatchObject({
      keepalivedRunning: false,
      addresses: [{ address: '10.77.0.11' }, { address: '10.77.0.50' }],
      services: { keepalived: { healthy: false }, nginx: { healthy: false } },
    });
    writeSync(writer, 'INSTANCE "VI_1" MASTER 100\n');
    await until(() => frames.some((f) => f.type === 'vrrp.transition'));
    expect(frames.find((f) => f.type === 'vrrp.transition')).toMatchObject({
      state: 'MASTER',
      source: 'fifo',
    });
    await agent.stop();
    await agent.stop(); // idempotent
    closeSync(writer);
    const seqs = frames.flatMap((f) => ('seq' in f ? [f.seq] : []));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});

describe('main (CLI)', () => {
  it('exits 2 with a clear message for a bad config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-main-'));
    const bad = join(dir, 'agent.json');
    writeFileSync(bad, JSON.stringify({ agentId: 'lb1', server: { url: 'http://x', token: 't' } }));
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', main, '--config', bad], {
      encoding: 'utf8',
    });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ERROR \[agent\] config file .* is invalid: schema violation/);
  });
});
