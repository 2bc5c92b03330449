import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ExecFn } from '../exec';
import { writeFileAtomic } from './atomic-file';
import { UNIT_DIR, UNIT_NAME, renderUnit } from './systemd-unit';

export interface InstallOptions {
  config: string;
  /** ExecStart command before `run …`. */
  command: readonly string[];
  /** Filesystem root to write into ("/" on a real host; a temp dir in tests). */
  root: string;
  exec: ExecFn;
  out: (line: string) => void;
}

/** sd_booted(): systemd is the running init only if this directory exists. */
export function systemdRunning(root: string): boolean {
  return resolve(root) === '/' && existsSync('/run/systemd/system');
}

async function systemctl(exec: ExecFn, args: string[]): Promise<void> {
  const r = await exec(['systemctl', ...args], { timeoutMs: 30_000 });
  if (r.code !== 0)
    throw new Error(
      `systemctl ${args.join(' ')} failed: ${(r.error ?? r.stderr).trim() || `exit ${r.code}`}`,
    );
}

export function unitPath(root: string): string {
  return join(root, UNIT_DIR, UNIT_NAME);
}

/** Writes the unit; enables and starts it when systemd runs this machine. */
export async function install(opts: InstallOptions): Promise<void> {
  const path = unitPath(opts.root);
  await mkdir(join(opts.root, UNIT_DIR), { recursive: true });
  await writeFileAtomic(path, renderUnit({ command: opts.command, config: opts.config }), 0o644);
  opts.out(`wrote ${path}`);
  if (!systemdRunning(opts.root)) {
    opts.out(
      'systemd is not running on this machine (no /run/systemd/system): the unit is written but not enabled;',
    );
    opts.out(
      `on a systemd host run: systemctl daemon-reload && systemctl enable --now ${UNIT_NAME}`,
    );
    return;
  }
  await systemctl(opts.exec, ['daemon-reload']);
  await systemctl(opts.exec, ['enable', '--now', UNIT_NAME]);
  opts.out(`enabled and started ${UNIT_NAME}`);
}

export async function uninstall(
  opts: Pick<InstallOptions, 'root' | 'exec' | 'out'>,
): Promise<void> {
  const path = unitPath(opts.root);
  const running = systemdRunning(opts.root);
  if (running && existsSync(path)) await systemctl(opts.exec, ['disable', '--now', UNIT_NAME]);
  await rm(path, { force: true });
  opts.out(`removed ${path}`);
  if (running) await systemctl(opts.exec, ['daemon-reload']);
  else opts.out('systemd is not running on this machine: nothing to disable');
}
