import {
  liveToBrowserCodec,
  type Alert,
  type LiveDrillMessage,
  type MaintenanceWindow,
  type LivePushProgress,
  type LiveFromBrowser,
  type LivePatch,
  type LiveToBrowser,
} from '@keepwatch/shared';
import { backoffDelay } from './backoff';
import { LogSubscriptions, type LogEvent, type LogRequest } from './live-logs';
import { applyLiveMessage, emptyLiveData, type LiveData } from './live-state';

/*
 * The one browser live-socket client: connect to /api/v1/live, decode every frame with the
 * shared codec, fold snapshot + patches into LiveData, keep the alert lists and maintenance windows, relay log
 * subscriptions, reconnect with backoff when the socket closes and immediately (fresh
 * snapshot) on a rev gap. A heartbeat watchdog notices a half-open socket: when nothing
 * arrives for HEARTBEAT_MISSES × the server's heartbeat interval, the socket is dropped and
 * a new one opened. Exposed as a small external store for useSyncExternalStore. No polling.
 */

export type ConnectionState = 'connecting' | 'live' | 'offline';

export interface LiveAlertLists {
  active: readonly Alert[];
  recent: readonly Alert[];
}

export interface LiveState {
  connection: ConnectionState;
  /** True once any snapshot arrived in this session: tells "connecting" from "reconnecting". */
  everLive: boolean;
  data: LiveData;
  /** null until the server sent the lists on this session. */
  alerts: LiveAlertLists | null;
  /** Open and upcoming maintenance windows of every cluster; null until the server sent them. */
  maintenance: readonly MaintenanceWindow[] | null;
  /** serverEpoch ≈ Date.now() + serverOffsetMs; durations use server time, not ours. */
  serverOffsetMs: number;
  /** Local Date.now() when the connection was last lost (null while live or never lost). */
  lostAt: number | null;
}

/** What browser tests and the bench read to measure the feed's latency. */
export interface LiveProbe {
  /** performance.now() when the last patch was received. */
  lastPatchAt: number | null;
  /** Date.now() - patch.at for the last patch: server-to-browser delay (same host clock). */
  lastPatchLagMs: number | null;
  patches: number;
  snapshots: number;
  resyncs: number;
  /** Sockets dropped because the heartbeat stopped. */
  silentDrops: number;
}

declare global {
  interface Window {
    __keepwatchLive?: LiveProbe;
  }
}

// WebSocket readyState values, spelled out so this module also loads where the WebSocket
// global does not exist (unit tests in Node 20).
const CONNECTING = 0;
const OPEN = 1;

/** Close code the server uses when the socket has no valid session. */
export const CLOSE_UNAUTHORIZED = 4401;
/** After this many failed attempts in a row the indicator says "offline", not "connecting". */
const OFFLINE_AFTER_ATTEMPTS = 3;
/** Silence of this many heartbeat intervals means the socket is dead, whatever TCP says. */
export const HEARTBEAT_MISSES = 2.5;
/** Used until the server's hello says otherwise. */
const DEFAULT_HEARTBEAT_MS = 10_000;

export interface LiveClientOptions {
  url: string;
  onUnauthorized: () => void;
  win: Window;
  createSocket?: (url: string) => WebSocket;
}

export interface LiveClient {
  start: () => void;
  stop: () => void;
  getState: () => LiveState;
  subscribe: (listener: () => void) => () => void;
  /** Streams log lines of some nodes; returns the unsubscribe. */
  subscribeLogs: (request: LogRequest, onEvent: (e: LogEvent) => void) => () => void;
  /** Running drills' progress (drill.phase / drill.samples / drill.transition); returns the unsubscribe. */
  subscribeDrills: (onMessage: (msg: LiveDrillMessage) => void) => () => void;
  /** Config pushes' progress (push.progress, the whole push each time); returns the unsubscribe. */
  subscribePushes: (onMessage: (msg: LivePushProgress) => void) => () => void;
}

const initialState: LiveState = {
  connection: 'connecting',
  everLive: false,
  data: emptyLiveData,
  alerts: null,
  maintenance: null,
  serverOffsetMs: 0,
  lostAt: null,
};

/** ws: or wss: to match the page, same origin so the session cookie goes along. */
export function liveUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/v1/live`;
}

export function createLiveClient(opts: LiveClientOptions): LiveClient {
  const { win } = opts;
  const createSocket = opts.createSocket ?? ((url: string) => new WebSocket(url));
  const listeners = new Set<() => void>();
  const probe: LiveProbe = {
    lastPatchAt: null,
    lastPatchLagMs: null,
    patches: 0,
    snapshots: 0,
    resyncs: 0,
    silentDrops: 0,
  };
  win.__keepwatchLive = probe;

  let state = initialState;
  let socket: WebSocket | null = null;
  let running = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let silenceTimer: ReturnType<typeof setTimeout> | null = null;
  let heartbeatMs = DEFAULT_HEARTBEAT_MS;

  const sendFrame = (msg: LiveFromBrowser): void => {
    if (socket?.readyState === OPEN) socket.send(JSON.stringify(msg));
  };
  const logs = new LogSubscriptions(sendFrame);
  const drillListeners = new Set<(msg: LiveDrillMessage) => void>();
  const pushListeners = new Set<(msg: LivePushProgress) => void>();

  const set = (patch: Partial<LiveState>): void => {
    state = { ...state, ...patch };
    for (const l of listeners) l();
  };

  const clearSilence = (): void => {
    if (silenceTimer !== null) clearTimeout(silenceTimer);
    silenceTimer = null;
  };

  const detach = (): void => {
    clearSilence();
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    if (socket.readyState === CONNECTING || socket.readyState === OPEN) {
      socket.close(1000);
    }
    socket = null;
  };

  const scheduleReconnect = (delayMs: number): void => {
    if (!running || retryTimer !== null) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delayMs);
  };

  const lost = (): Partial<LiveState> => ({ lostAt: state.lostAt ?? Date.now() });

  const resync = (reason: string): void => {
    probe.resyncs += 1;
    console.warn(`[live] resync: ${reason}`);
    detach();
    set({ connection: 'connecting', ...lost() });
    // The server is fine, we just missed something: come back at once (tiny jitter only).
    scheduleReconnect(Math.round(Math.random() * 250));
  };

  /** Nothing heard for too long: the socket may look open but nothing gets through. */
  const armSilence = (): void => {
    clearSilence();
    silenceTimer = setTimeout(() => {
      probe.silentDrops += 1;
      console.warn('[live] no heartbeat: dropping the socket');
      detach();
      attempt += 1;
      set({ connection: attempt >= OFFLINE_AFTER_ATTEMPTS ? 'offline' : 'connecting', ...lost() });
      scheduleReconnect(backoffDelay(attempt - 1, Math.random()));
    }, heartbeatMs * HEARTBEAT_MISSES);
  };

  const recordPatch = (patch: LivePatch): void => {
    probe.lastPatchAt = win.performance.now();
    probe.lastPatchLagMs = Date.now() - patch.at;
    probe.patches += 1;
  };

  const onMessage = (msg: LiveToBrowser): void => {
    switch (msg.type) {
      case 'hello':
        heartbeatMs = msg.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
        logs.resubscribe();
        return;
      case 'heartbeat':
        set({ serverOffsetMs: msg.at - Date.now() });
        return;
      case 'alerts':
        set({ alerts: { active: msg.active, recent: msg.recent } });
        return;
      case 'maintenance':
        set({ maintenance: msg.active });
        return;
      case 'log.lines':
      case 'logs.status':
        logs.deliver(msg);
        return;
      case 'snapshot':
      case 'patch':
        return onStatus(msg);
      case 'drill.phase':
      case 'drill.samples':
      case 'drill.transition':
        for (const l of drillListeners) l(msg);
        return;
      case 'push.progress':
        for (const l of pushListeners) l(msg);
        return;
    }
  };

  const onStatus = (msg: Extract<LiveToBrowser, { type: 'snapshot' | 'patch' }>): void => {
    const step = applyLiveMessage(state.data, msg);
    if (step.kind === 'resync') return resync(step.reason);
    if (msg.type === 'snapshot') {
      probe.snapshots += 1;
      attempt = 0;
      set({
        data: step.data,
        connection: 'live',
        everLive: true,
        lostAt: null,
        serverOffsetMs: msg.status.generatedAt - Date.now(),
      });
    } else {
      // Only patches that reach the screen count: a gapped one is thrown away.
      recordPatch(msg);
      set({ data: step.data, serverOffsetMs: msg.at - Date.now() });
    }
  };

  const onFrame = (raw: unknown): void => {
    armSilence();
    if (typeof raw !== 'string') return resync('binary frame');
    const decoded = liveToBrowserCodec.decode(raw);
    if (!decoded.ok) return resync(`bad frame: ${decoded.error}`);
    onMessage(decoded.value);
  };

  function connect(): void {
    if (!running) return;
    detach();
    // Keep showing the old clusters while reconnecting, but forget the rev: only a fresh
    // snapshot may be patched.
    set({
      connection:
        attempt >= OFFLINE_AFTER_ATTEMPTS || !win.navigator.onLine ? 'offline' : 'connecting',
      data: { ...state.data, rev: null },
    });
    const ws = createSocket(opts.url);
    socket = ws;
    armSilence();
    ws.onmessage = (ev: MessageEvent) => onFrame(ev.data);
    ws.onclose = (ev: CloseEvent) => {
      if (socket !== ws) return;
      socket = null;
      clearSilence();
      if (ev.code === CLOSE_UNAUTHORIZED) {
        running = false;
        opts.onUnauthorized();
        return;
      }
      attempt += 1;
      set({ connection: attempt >= OFFLINE_AFTER_ATTEMPTS ? 'offline' : 'connecting', ...lost() });
      scheduleReconnect(backoffDelay(attempt - 1, Math.random()));
    };
  }

  // Coming back online: skip the rest of the backoff wait.
  const onOnline = (): void => {
    if (!running || socket) return;
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    connect();
  };

  return {
    start() {
      if (running) return;
      running = true;
      attempt = 0;
      win.addEventListener('online', onOnline);
      connect();
    },
    stop() {
      running = false;
      win.removeEventListener('online', onOnline);
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      detach();
      logs.clear();
      // Nothing of one session's data may leak into the next login.
      state = initialState;
      for (const l of listeners) l();
    },
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribeDrills(onMessage) {
      drillListeners.add(onMessage);
      return () => drillListeners.delete(onMessage);
    },
    subscribePushes(onMessage) {
      pushListeners.add(onMessage);
      return () => pushListeners.delete(onMessage);
    },
    subscribeLogs: (request, onEvent) => logs.add(request, onEvent),
  };
}
