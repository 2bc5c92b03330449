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
// and /run (never block), and three async readFiles cost ~15 thread-pool round trips.
export function checkKeepalivedPid(pidFile: string): Promise<PidCheck> {
  return Promise.resolve(readPidCheck(pidFile));
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
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('keepalived'))
      return { running: false, detail: 'process not running (stale pid file)' };
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    if (/^State:\s+Z/m.test(status))
      return { running: false, detail: 'process not running (zombie)' };
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
