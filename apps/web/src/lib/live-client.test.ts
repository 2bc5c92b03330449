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
