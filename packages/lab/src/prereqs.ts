import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { run } from './exec';

/*
 * What the lab needs on the machine. `up` installs missing packages with apt when it can
 * (root + apt-get), and otherwise stops with a message naming what is missing.
 */

export interface Prerequisite {
  name: string;
  /** Debian package that provides it. */
  aptPackage: string;
  present: boolean;
  path?: string;
}

export interface PrerequisiteReport {
  ok: boolean;
  isRoot: boolean;
  missing: Prerequisite[];
  all: Prerequisite[];
}

const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Looks a binary up on PATH plus the sbin dirs (sudo-less shells often lack them). */
export function which(bin: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), ...SYSTEM_PATH].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const BINARIES: { name: string; aptPackage: string }[] = [
  { name: 'ip', aptPackage: 'iproute2' },
  { name: 'keepalived', aptPackage: 'keepalived' },
  { name: 'nginx', aptPackage: 'nginx-light' },
  { name: 'curl', aptPackage: 'curl' },
  { name: 'java', aptPackage: 'tomcat10' },
];

export function checkPrerequisites(): PrerequisiteReport {
  const all: Prerequisite[] = BINARIES.map((b) => {
    const path = which(b.name);
    return { ...b, present: path !== undefined, ...(path ? { path } : {}) };
  });
  const catalina = '/usr/share/tomcat10/bin/catalina.sh';
  all.push({
    name: 'tomcat10',
    aptPackage: 'tomcat10',
    present: existsSync(catalina),
    path: catalina,
  });
  const isRoot = process.geteuid?.() === 0;
  const missing = all.filter((p) => !p.present);
  return { ok: isRoot && missing.length === 0, isRoot, missing, all };
}

/** Installs what is missing if we are root with apt; otherwise throws a clear message. */
export async function ensurePrerequisites(log: (line: string) => void): Promise<void> {
  let report = checkPrerequisites();
  if (!report.isRoot)
    throw new Error('the lab needs root (network namespaces, keepalived): run it with sudo');
  if (report.missing.length === 0) return;
  const pkgs = [...new Set(report.missing.map((m) => m.aptPackage))];
  const names = report.missing.map((m) => m.name).join(', ');
  if (!which('apt-get'))
    throw new Error(`missing: ${names}; install the packages ${pkgs.join(' ')}`);
  log(`missing ${names}: running apt-get install -y --no-install-recommends ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = await run(['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs], {
    env,
    timeoutMs: 600_000,
  });
  if (r.code !== 0) {
    throw new Error(
      `apt-get install ${pkgs.join(' ')} failed (${r.code}): ${r.stderr.trim().slice(-1500)}`,
    );
  }
  report = checkPrerequisites();
  if (report.missing.length > 0) {
    throw new Error(`still missing after apt-get: ${report.missing.map((m) => m.name).join(', ')}`);
  }
}
