import { readFileSync } from 'node:fs';
import { readFile, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecFn } from './exec';
import { parseJsonDump } from './json-dump-parser';
import type { DumpInstance } from './keepalived-types';
import { parseTextDump } from './text-dump-parser';
import { sleep } from './timing';

/*
 * Finding "our" keepalived and asking it for its state. Every lab host shares one PID
 * namespace, so the daemon is found only through its pid file (never pidof or a /proc scan),
 * and /proc/<pid>/cmdline must name keepalived (a stale pid file may point at a reused pid).
 */

export type PidCheck = { running: true; pid: number } | { running: false; detail: string };

// Synchronous reads on purpose: this runs every second, the files are a few bytes in /proc
// and /run (never block), and async readFiles cost thread-pool round trips.
export function checkKeepalivedPid(pidFile: string): Promise<PidCheck> {
  return Promise.resolve(readPidCheck(pidFile));
}

/** pid file -> the pid whose cmdline was checked, and that process's start time. */
const verified = new Map<string, { pid: number; start: string }>();

/** State letter and start time (clock ticks since boot) from /proc/<pid>/stat. */
function procStat(pid: number): { state: string; start: string } | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is the first, starttime the 20th.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const start = rest[19];
  return state && start ? { state, start } : undefined;
}

function readPidCheck(pidFile: string): PidCheck {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return { running: false, detail: 'process not running (no pid file)' };
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 1)
    return { running: false, detail: 'process not running (bad pid file)' };
  try {
    const st = procStat(pid);
    if (!st) return { running: false, detail: 'process not running' };
    if (st.state === 'Z' || st.state === 'X')
      return { running: false, detail: 'process not running (zombie)' };
    // The cmdline is read once per process (same pid and start time): a stale pid file
    // whose pid was reused by another program is still caught, as the start time differs.
    const known = verified.get(pidFile);
    if (known?.pid !== pid || known.start !== st.start) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('keepalived')) {
        verified.delete(pidFile);
        return { running: false, detail: 'process not running (stale pid file)' };
      }
      verified.set(pidFile, { pid, start: st.start });
    }
  } catch {
    return { running: false, detail: 'process not running' };
  }
  return { running: true, pid };
}

/** Signal numbers from `keepalived --signum=NAME` (they vary by build); undefined if unknown. */
export async function lookupSignum(
  exec: ExecFn,
  binary: string,
  name: 'JSON' | 'DATA',
): Promise<number | undefined> {
  const r = await exec([binary, `--signum=${name}`], { timeoutMs: 3000 });
  const n = Number.parseInt(r.stdout.trim(), 10);
  return r.code === 0 && Number.isInteger(n) && n > 0 ? n : undefined;
}

export interface DumpRequest {
  pid: number;
  signum: number;
  dir: string;
  format: 'json' | 'text';
  deadlineMs?: number;
  pollMs?: number;
  kill?: (pid: number, signal: number) => void;
}

// keepalived.data, or keepalived.<instance>.data with data_use_instance; never the parent's.
const TEXT_DUMP = /^keepalived(\.[^/]+)?\.data$/;

async function dumpFiles(req: DumpRequest): Promise<string[]> {
  if (req.format === 'json') return [join(req.dir, 'keepalived.json')];
  const names = await readdir(req.dir).catch(() => [] as string[]);
  return names.filter((n) => TEXT_DUMP.test(n)).map((n) => join(req.dir, n));
}

/**
 * keepalived writes dumps in place (fopen "w"), so a reader can see a partial file:
 * delete, signal, then poll until the file parses (JSON) or stops growing (text).
 */
export async function requestDump(req: DumpRequest): Promise<DumpInstance[] | undefined> {
  await Promise.all((await dumpFiles(req)).map((f) => unlink(f).catch(() => undefined)));
  (req.kill ?? process.kill)(req.pid, req.signum);
  const deadline = Date.now() + (req.deadlineMs ?? 1000);
  const lastSize = new Map<string, number>();
  while (Date.now() < deadline) {
    await sleep(req.pollMs ?? 15);
    for (const file of await dumpFiles(req)) {
      const parsed = await tryParse(file, req.format, lastSize);
      if (parsed) return parsed;
    }
  }
  return undefined;
}

/**
 * The raw SIGUSR1/DATA text dump of the VRRP process (keepalived.data or
 * keepalived.<instance>.data), for facts the JSON dump lacks (loaded vrrp_scripts).
 */
export async function requestTextDump(
  req: Omit<DumpRequest, 'format'>,
): Promise<string | undefined> {
  const full: DumpRequest = { ...req, format: 'text' };
  if ((await requestDump(full)) === undefined) return undefined;
  const files = await dumpFiles(full);
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')));
  return texts.join('\n');
}

async function tryParse(
  file: string,
  format: 'json' | 'text',
  lastSize: Map<string, number>,
): Promise<DumpInstance[] | undefined> {
  try {
    if (format === 'json') return parseJsonDump(await readFile(file, 'utf8'));
    const size = (await stat(file)).size;
    const prev = lastSize.get(file);
    lastSize.set(file, size);
    if (size === 0 || prev !== size) return undefined;
    return parseTextDump(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}
