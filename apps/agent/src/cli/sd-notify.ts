import type { ExecFn } from '../exec';
import type { Logger } from '../log';

/*
 * systemd readiness and watchdog pings. Node cannot open unix datagram sockets, so this goes
 * through the systemd-notify binary (the unit sets NotifyAccess=all for that child).
 */

export interface SdNotifyEnv {
  NOTIFY_SOCKET?: string | undefined;
  WATCHDOG_USEC?: string | undefined;
}

/** Watchdog ping period: half of WATCHDOG_USEC, or undefined when there is no watchdog. */
export function watchdogIntervalMs(env: SdNotifyEnv): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  return Number.isFinite(usec) && usec > 0 ? Math.max(Math.floor(usec / 2000), 500) : undefined;
}

/** Sends READY=1 and then WATCHDOG=1 periodically; a no-op without NOTIFY_SOCKET. Returns a stop function. */
export function startSdNotify(env: SdNotifyEnv, exec: ExecFn, log: Logger): () => void {
  if (!env.NOTIFY_SOCKET) return () => undefined;
  const notify = (what: string): void => {
    void exec(['systemd-notify', what], { timeoutMs: 5000 }).then((r) => {
      if (r.code !== 0)
        log.warn('systemd-notify failed', {
          what,
          code: r.code,
          error: r.error ?? r.stderr.trim(),
        });
    });
  };
  notify('--ready');
  const every = watchdogIntervalMs(env);
  if (every === undefined) return () => undefined;
  const timer = setInterval(() => notify('WATCHDOG=1'), every);
  timer.unref();
  return () => clearInterval(timer);
}
