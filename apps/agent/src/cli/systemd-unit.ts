/*
 * The keepwatch-agent.service unit, as a pure function of where the binary and config are.
 * Hardening keeps what the agent needs for config.apply and drills, and nothing else.
 */

export const UNIT_NAME = 'keepwatch-agent.service';
export const UNIT_DIR = 'etc/systemd/system';
export const STATE_DIR = '/var/lib/keepwatch-agent';
export const WATCHDOG_SEC = 30;

export interface UnitOptions {
  /** ExecStart argv before `run --config …`: ["/usr/local/bin/keepwatch-agent"] or ["/usr/bin/node", "…/keepwatch-agent.mjs"]. */
  command: readonly string[];
  config: string;
}

/** systemd's quoting for one ExecStart word (C-style escapes inside double quotes). */
export function quoteArg(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%')}"`;
}

export function renderUnit(opts: UnitOptions): string {
  const exec = [...opts.command, 'run', '--config', opts.config].map(quoteArg).join(' ');
  return `# Written by \`keepwatch-agent install\`; \`keepwatch-agent uninstall\` removes it.
[Unit]
Description=Keepwatch agent (keepalived/nginx observer for the Keepwatch panel)
After=network-online.target keepalived.service nginx.service
Wants=network-online.target

[Service]
# The agent sends READY=1 once connected machinery is up, then WATCHDOG=1 every ${WATCHDOG_SEC / 2} s
# (through systemd-notify, a child process: hence NotifyAccess=all).
Type=notify
NotifyAccess=all
WatchdogSec=${WATCHDOG_SEC}
ExecStart=${exec}
Restart=on-failure
RestartSec=2
StateDirectory=keepwatch-agent
StateDirectoryMode=0700

# Hardening. ProtectSystem=full makes /usr, /boot and /etc read-only; config.apply writes
# keepalived's and nginx's configs, so those two trees (and the agent's own) stay writable;
# "-" = skip a tree this host does not have (a backend has no /etc/keepalived).
# StateDirectory= above makes ${STATE_DIR} writable.
NoNewPrivileges=yes
ProtectHome=yes
ProtectSystem=full
ReadWritePaths=-/etc/keepalived -/etc/nginx -/etc/keepwatch
# keepalived writes its state dumps (SIGUSR1/SIGJSON) to its own TMPDIR, usually /tmp: the
# agent must read that same /tmp, so no private one.
PrivateTmp=no
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes
# CAP_NET_ADMIN: read and, in drills, change addresses/nft rules (ip, nft).
# CAP_KILL: signal keepalived (SIGUSR1/SIGJSON dumps, reload) and nginx (reload), owned by root.
# CAP_DAC_OVERRIDE: read root-only files (pid files, keepalived dumps) and write configs.
# CAP_CHOWN, CAP_FOWNER: keep the owner and mode of config files it replaces atomically.
# CAP_NET_BIND_SERVICE, CAP_SETUID, CAP_SETGID: nginx -t and service restarts started by the
# agent open privileged ports and drop to the nginx/tomcat users.
CapabilityBoundingSet=CAP_NET_ADMIN CAP_KILL CAP_DAC_OVERRIDE CAP_CHOWN CAP_FOWNER CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID

[Install]
WantedBy=multi-user.target
`;
}
