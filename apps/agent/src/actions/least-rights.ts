import { existsSync } from 'node:fs';

/*
 * `nginx -t` on server-sent content runs with the least rights it needs (issue 7 item 8).
 * Measured (apps/agent/README.md): as `nobody` it fails (log files, pid file, temp folders);
 * root's uid with only CAP_NET_BIND_SERVICE, CAP_DAC_OVERRIDE and CAP_CHOWN passes on
 * Debian's layout. So the test keeps uid 0 but drops every other capability from the
 * bounding and inheritable sets (no kill, no net_admin, no sys_admin, no ptrace, no module
 * loading into the kernel), with no_new_privs so nothing it runs can gain them back.
 */

/** The capabilities nginx -t keeps: bits 0 (chown), 1 (dac_override), 10 (net_bind_service). */
export const NGINX_TEST_CAPS = ['chown', 'dac_override', 'net_bind_service'] as const;

export const SETPRIV = '/usr/bin/setpriv';

export interface LeastRightsEnv {
  uid: number | undefined;
  hasSetpriv: boolean;
}

export function hostEnv(): LeastRightsEnv {
  return { uid: process.getuid?.(), hasSetpriv: existsSync(SETPRIV) };
}

/**
 * The argv prefix that runs a command with only NGINX_TEST_CAPS, or [] where there is
 * nothing to drop (the agent does not run as root) or no setpriv (util-linux) to drop it.
 */
export function leastRightsPrefix(mode: 'least' | 'agent', env: LeastRightsEnv): string[] {
  if (mode === 'agent' || env.uid !== 0 || !env.hasSetpriv) return [];
  const caps = NGINX_TEST_CAPS.map((c) => `+${c}`).join(',');
  return [SETPRIV, '--no-new-privs', '--inh-caps=-all', `--bounding-set=-all,${caps}`, '--'];
}
