import { execFile } from 'node:child_process';

/*
 * systemd readiness and watchdog pings for `Type=notify` (deploy/keepwatch-server.service).
 * Node cannot open unix datagram sockets, so each notice goes through the systemd-notify
 * binary, a child in the unit's cgroup (the unit sets NotifyAccess=all for that).
 */

export interface SdNotifyEnv {
  NOTIFY_SOCKET?: string | undefined;
  WATCHDOG_USEC?: string | undefined;
}

/** Watchdog ping period: half of WATCHDOG_USEC (at least 500 ms), undefined without a watchdog. */
export function watchdogIntervalMs(env: SdNotifyEnv): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  return Number.isFinite(usec) && usec > 0 ? Math.max(Math.floor(usec / 2000), 500) : undefined;
}

export type Notify = (assignment: string) => void;

function systemdNotify(onError: (what: string, err: Error) => void): Notify {
  return (assignment) => {
    execFile('systemd-notify', [assignment], { timeout: 5000 }, (err) => {
      if (err) onError(assignment, err);
    });
  };
}

/**
 * Sends READY=1, then WATCHDOG=1 every half period while the event loop turns (a blocked
 * loop misses its pings and systemd restarts the server). A no-op without NOTIFY_SOCKET.
 * Returns a stop function that also sends STOPPING=1.
 */
export function startSdNotify(
  env: SdNotifyEnv,
  onError: (what: string, err: Error) => void,
  notify: Notify = systemdNotify(onError),
): () => void {
  if (!env.NOTIFY_SOCKET) return () => undefined;
  notify('READY=1');
  const every = watchdogIntervalMs(env);
  const timer = every === undefined ? undefined : setInterval(() => notify('WATCHDOG=1'), every);
  timer?.unref();
  return () => {
    if (timer) clearInterval(timer);
    notify('STOPPING=1');
  };
}
