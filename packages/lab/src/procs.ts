import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sleep } from './wait';

/*
 * Process inspection for a machine where every lab host shares one PID namespace: never
 * look processes up by name (pidof would find another host's nginx). Pids come from pid
 * files, state.json or `ip netns pids`, and are checked against /proc/<pid>/cmdline
 * before any signal, so a recycled pid is never hit.
 */

export type CmdlineMatcher = (argv: string[]) => boolean;

export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function cmdlineOf(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const argv = raw.split('\0');
    while (argv.length > 0 && argv.at(-1) === '') argv.pop();
    // nginx rewrites its title into one space-separated argv[0] ("nginx: worker process").
    return argv.length === 1 && argv[0] !== undefined ? argv[0].split(' ') : argv;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (a zombie has exited; only its parent has not reaped it yet). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function matches(pid: number, matcher: CmdlineMatcher): boolean {
  const argv = cmdlineOf(pid);
  return argv !== undefined && argv.length > 0 && isAlive(pid) && matcher(argv);
}

/** The program name of argv[0] without path or nginx's "nginx:" title suffix. */
export function programOf(argv: string[]): string {
  return basename(argv[0] ?? '').replace(/:$/, '');
}

export const isKeepalived =
  (configFile: string): CmdlineMatcher =>
  (argv) =>
    programOf(argv) === 'keepalived' && argv.includes(configFile);

/** nginx master ("nginx: master process nginx ... -c conf") or a worker ("nginx: worker process"). */
export const isNginx: CmdlineMatcher = (argv) => programOf(argv) === 'nginx';

export const isTomcat =
  (catalinaBase: string): CmdlineMatcher =>
  (argv) =>
    programOf(argv) === 'java' && argv.includes(`-Dcatalina.base=${catalinaBase}`);

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of the pids is alive; returns those still alive at the deadline. */
export async function waitExit(pids: number[], timeoutMs: number, stepMs = 25): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  const maxSteps = Math.ceil(timeoutMs / stepMs) + 1;
  let alive = pids.filter(isAlive);
  for (let i = 0; i < maxSteps && alive.length > 0 && Date.now() < deadline; i++) {
    await sleep(stepMs);
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** SIGTERM, wait, then SIGKILL whatever is left and wait again. Returns pids that survived. */
export async function terminate(pids: number[], graceMs: number): Promise<number[]> {
  const targets = pids.filter(isAlive);
  for (const pid of targets) signal(pid, 'SIGTERM');
  const left = await waitExit(targets, graceMs);
  for (const pid of left) signal(pid, 'SIGKILL');
  return waitExit(left, 3000);
}
