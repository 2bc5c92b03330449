import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveToBrowser, StatusCluster } from '@keepwatch/shared';
import { createLiveClient, liveUrl, type LiveClient } from './live-client';

/** A stand-in socket: the test plays the server by calling `frame` and `serverClose`. */
class FakeSocket {
  readyState = 0;
  closedWith: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {}
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  frame(msg: LiveToBrowser | string): void {
    this.readyState = 1;
    this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
  serverClose(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

const cluster = (id: string, verdict: StatusCluster['verdict'] = 'healthy'): StatusCluster => ({
  id,
  name: id,
  verdict,
  findings: [],
  vips: [],
  nodes: [],
});

function fakeWindow() {
  const listeners = new Map<string, () => void>();
  return {
    navigator: { onLine: true },
    performance: { now: () => 1234.5 },
    addEventListener: (type: string, fn: () => void) => listeners.set(type, fn),
    removeEventListener: (type: string) => listeners.delete(type),
    listeners,
  } as unknown as Window & { listeners: Map<string, () => void> };
}

describe('live client', () => {
  let sockets: FakeSocket[];
  let win: ReturnType<typeof fakeWindow>;
  let unauthorized: number;
  let client: LiveClient;
  const last = (): FakeSocket => sockets[sockets.length - 1]!;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    sockets = [];
    unauthorized = 0;
    win = fakeWindow();
    client = createLiveClient({
      url: 'ws://x/api/v1/live',
      win,
      onUnauthorized: () => (unauthorized += 1),
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s as unknown as WebSocket;
      },
    });
  });
  afterEach(() => {
    client.stop();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('goes live on a snapshot and applies patches, recording latency for the browser tests', () => {
    client.start();
    expect(client.getState().connection).toBe('connecting');
    last().frame({ type: 'hello', protocol: 1 });
    last().frame({
      type: 'snapshot',
      rev: 1,
      status: { clusters: [cluster('lab')], generatedAt: Date.now() },
    });
    expect(client.getState().connection).toBe('live');
    last().frame({
      type: 'patch',
      rev: 2,
      at: Date.now() - 40,
      upsert: [cluster('lab', 'down')],
      remove: [],
    });
    expect(client.getState().data.clusters[0]?.verdict).toBe('down');
    expect(win.__keepwatchLive).toMatchObject({
      patches: 1,
      lastPatchAt: 1234.5,
      lastPatchLagMs: 40,
    });
  });

  it('reconnects at once for a fresh snapshot on a rev gap', () => {
    client.start();
    last().frame({ type: 'snapshot', rev: 1, status: { clusters: [], generatedAt: 0 } });
    last().frame({ type: 'patch', rev: 3, at: 0, upsert: [cluster('lab')], remove: [] });
    expect(sockets[0]!.closedWith).toBe(1000);
    expect(client.getState().data.clusters).toEqual([]);
    vi.advanceTimersByTime(300);
    expect(sockets).toHaveLength(2);
    expect(win.__keepwatchLive?.resyncs).toBe(1);
  });

  it('treats a frame that fails the schema like a gap', () => {
    client.start();
    last().frame('{"type":"patch","rev":"two"}');
    vi.advanceTimersByTime(300);
    expect(sockets).toHaveLength(2);
  });

  it('backs off when the server goes away, and says offline after repeated failures', () => {
    client.start();
    last().serverClose(1006);
    expect(client.getState().connection).toBe('connecting');
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(20_000);
      last().serverClose(1006);
    }
    expect(sockets).toHaveLength(4);
    expect(client.getState().connection).toBe('offline');
    // Coming back online skips the wait.
    win.listeners.get('online')?.();
    expect(sockets).toHaveLength(5);
  });

  it('stops and reports a 4401 close instead of retrying', () => {
    client.start();
    last().serverClose(4401);
    vi.advanceTimersByTime(60_000);
    expect(unauthorized).toBe(1);
    expect(sockets).toHaveLength(1);
  });

  it('builds ws or wss URLs from the page location', () => {
    expect(liveUrl({ protocol: 'https:', host: 'kw:8470' } as Location)).toBe(
      'wss://kw:8470/api/v1/live',
    );
    expect(liveUrl({ protocol: 'http:', host: 'h' } as Location)).toBe('ws://h/api/v1/live');
  });
});

describe('live client: heartbeat, alerts and logs', () => {
  let sockets: (FakeSocket & { sent: string[] })[];
  let client: LiveClient;
  const last = () => sockets[sockets.length - 1]!;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    sockets = [];
    client = createLiveClient({
      url: 'ws://x/api/v1/live',
      win: fakeWindow(),
      onUnauthorized: () => undefined,
      createSocket: (url) => {
        const s = Object.assign(new FakeSocket(url), { sent: [] as string[] });
        (s as unknown as { send: (d: string) => void }).send = (d) => s.sent.push(d);
        sockets.push(s);
        return s as unknown as WebSocket;
      },
    });
  });
  afterEach(() => {
    client.stop();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
  /** Advances fake time until the client opens its next socket. */
  const nextSocket = (): void => {
    const n = sockets.length;
    for (let i = 0; i < 400 && sockets.length === n; i++) vi.advanceTimersByTime(50);
    expect(sockets.length).toBe(n + 1);
  };
  const goLive = (): void => {
    last().frame({ type: 'hello', protocol: 1, heartbeatMs: 1000 });
    last().frame({ type: 'snapshot', rev: 0, status: { clusters: [], generatedAt: 0 } });
  };

  it('drops a socket that goes silent for 2.5 heartbeats, says so, and reconnects', () => {
    client.start();
    goLive();
    vi.advanceTimersByTime(2000);
    last().frame({ type: 'heartbeat', at: Date.now() });
    vi.advanceTimersByTime(2000);
    expect(client.getState().connection).toBe('live');
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(600);
    expect(sockets[0]!.closedWith).toBe(1000);
    expect(client.getState()).toMatchObject({ connection: 'connecting', everLive: true });
    expect(client.getState().lostAt).not.toBeNull();
    nextSocket();
    goLive();
    expect(client.getState()).toMatchObject({ connection: 'live', lostAt: null });
  });

  it('keeps the alert lists the server sends', () => {
    client.start();
    goLive();
    const alert = {
      id: 1,
      key: 'k',
      rule: 'STALE_VIP',
      severity: 'critical',
      cluster: 'lab',
      message: 'm',
      firingAt: 1,
      resolvedAt: null,
    };
    last().frame({ type: 'alerts', at: 1, active: [alert], recent: [] });
    expect(client.getState().alerts?.active).toEqual([alert]);
  });

  it('keeps the maintenance windows the server sends, replaced whole by each message', () => {
    client.start();
    goLive();
    expect(client.getState().maintenance).toBeNull();
    const w = {
      id: 3,
      clusterId: 'lab',
      node: 'lb2',
      startsAt: 1,
      endsAt: 2,
      reason: 'r',
      createdBy: 'admin',
      createdAt: 1,
      endedBy: null,
    };
    last().frame({ type: 'maintenance', at: 1, active: [w] });
    expect(client.getState().maintenance).toEqual([w]);
    last().frame({ type: 'maintenance', at: 2, active: [] });
    expect(client.getState().maintenance).toEqual([]);
  });

  it('subscribes logs, routes lines by subscription, and asks again after a reconnect', () => {
    client.start();
    goLive();
    const events: unknown[] = [];
    const stop = client.subscribeLogs(
      { cluster: 'lab', nodes: ['lb1', 'lb2'], sources: ['keepalived'], tail: 10 },
      (e) => events.push(e),
    );
    const subscribe = JSON.parse(last().sent[0] ?? '{}') as { subscription: string; tail: number };
    expect(subscribe).toMatchObject({ type: 'logs.subscribe', nodes: ['lb1', 'lb2'], tail: 10 });
    last().frame({
      type: 'log.lines',
      subscription: subscribe.subscription,
      node: 'lb1',
      source: 'keepalived',
      lines: [{ ts: 1, text: 'x' }],
    });
    last().frame({
      type: 'log.lines',
      subscription: 'other',
      node: 'lb1',
      source: 'keepalived',
      lines: [],
    });
    expect(events).toHaveLength(1);
    last().serverClose(1006);
    nextSocket();
    goLive();
    expect(JSON.parse(last().sent[0] ?? '{}')).toMatchObject({
      subscription: subscribe.subscription,
      tail: 0,
    });
    stop();
    expect(JSON.parse(last().sent.at(-1) ?? '{}')).toMatchObject({ type: 'logs.unsubscribe' });
  });
});
