import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/*
 * The one way this package starts child processes: argv arrays (never shell strings),
 * a timeout on everything we wait for, and a structured result instead of throwing.
 */

export interface ExecResult {
  argv: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
}

const MAX_CAPTURE = 4 * 1024 * 1024;

export function run(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('run: empty argv');
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (d: Buffer) => {
      if (stdout.length < MAX_CAPTURE) stdout += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < MAX_CAPTURE) stderr += d.toString('utf8');
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 15_000);
    const finish = (code: number | null, signal: NodeJS.Signals | null, extra = ''): void => {
      clearTimeout(timer);
      resolve({
        argv,
        code,
        signal,
        stdout,
        stderr: stderr + extra,
        timedOut,
        durationMs: Date.now() - started,
      });
    };
    child.on('error', (err) => finish(127, null, String(err)));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** Like run(), but a non-zero exit becomes an Error that quotes the command and its stderr. */
export async function runOk(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    const why = r.timedOut ? 'timed out' : `exited ${r.code ?? r.signal}`;
    throw new Error(`${argv.join(' ')} ${why}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
  }
  return r;
}

/**
 * Starts a long-running daemon in its own session (setsid) with stdout/stderr appended to
 * a log file, and lets this process exit while it runs. Returns its pid.
 */
export function spawnDetached(
  argv: string[],
  opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<number> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('spawnDetached: empty argv');
  const fd = openSync(opts.logFile, 'a', 0o644);
  return new Promise((resolve, reject) => {
    try {
      const child = spawn(cmd, args, {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: opts.env ?? process.env,
        cwd: opts.cwd,
      });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        if (child.pid === undefined) reject(new Error(`no pid for ${cmd}`));
        else resolve(child.pid);
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    } finally {
      closeSync(fd);
    }
  });
}

/** Runs argv with this process's stdio (for `pnpm lab exec`) and resolves to its exit code. */
export function runInteractive(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('runInteractive: empty argv');
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('close', (code, sig) => resolve(code ?? (sig ? 128 + 9 : 1)));
  });
}
