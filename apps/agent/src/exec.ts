import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/*
 * The only place the agent starts child processes. Always an argv array (no shell),
 * always a timeout for one-shot commands, always a structured result.
 */

export interface ExecResult {
  /** Exit code, or null when killed by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Set when the process could not run (ENOENT), timed out or was aborted. */
  error?: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Bytes kept per stream; the rest is dropped so a chatty child cannot grow memory. */
  maxOutput?: number;
  /** Written to the child's stdin, which is then closed (e.g. `nft -f -`). */
  input?: string;
}

export type ExecFn = (argv: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** Runs argv[0] with the rest as arguments and resolves (never rejects) with what happened. */
export const run: ExecFn = (argv, opts = {}) => {
  const started = performance.now();
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('exec: empty argv'));
  const timeoutMs = opts.timeoutMs ?? 5000;
  const max = opts.maxOutput ?? 1024 * 1024;
  return new Promise((resolve) => {
    const stdin = opts.input !== undefined ? 'pipe' : 'ignore';
    const child = spawn(file, args, { stdio: [stdin, 'pipe', 'pipe'], signal: opts.signal });
    if (opts.input !== undefined && child.stdin) {
      // A child that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
    const out: string[] = [];
    const err: string[] = [];
    let outLen = 0;
    let errLen = 0;
    let error: string | undefined;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      if (outLen < max) out.push(d);
      outLen += d.length;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (errLen < max) err.push(d);
      errLen += d.length;
    });
    const timer = setTimeout(() => {
      error = `timeout after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.name === 'AbortError' ? 'aborted' : e.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: out.join('').slice(0, max),
        stderr: err.join('').slice(0, max),
        durationMs: performance.now() - started,
        ...(error !== undefined ? { error } : {}),
      });
    });
  });
};

export interface StreamHandle {
  pid: number | undefined;
  /** Resolves when the child has exited (or failed to start). */
  done: Promise<ExecResult>;
}

export interface StreamOptions {
  signal: AbortSignal;
  /** Called for each stdout line with the time it was read (epoch ms). */
  onLine: (line: string, ts: number) => void;
}

/** Starts a long-running child (e.g. `ip -o monitor address`) and streams its stdout lines. */
export function spawnLines(argv: readonly string[], opts: StreamOptions): StreamHandle {
  const started = performance.now();
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('exec: empty argv');
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
  const err: string[] = [];
  let error: string | undefined;
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (err.length < 64) err.push(d);
  });
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) =>
    opts.onLine(line, Date.now()),
  );
  child.on('error', (e: NodeJS.ErrnoException) => {
    error ??= e.name === 'AbortError' ? 'aborted' : e.message;
  });
  const done = new Promise<ExecResult>((resolve) => {
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout: '',
        stderr: err.join(''),
        durationMs: performance.now() - started,
        ...(error !== undefined ? { error } : {}),
      }),
    );
  });
  return { pid: child.pid, done };
}
