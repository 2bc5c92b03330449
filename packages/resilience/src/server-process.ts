import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The server as users run it: its bundle (apps/server/dist/server.mjs, built here from the
 * working tree with the package's own build script) in a child process, configured by
 * environment only, on a fixed port and data folder that survive restarts.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SERVER_BUNDLE = join(root, 'apps/server/dist/server.mjs');

/** Builds the server bundle from the current sources (esbuild, a second or two). */
export function buildServerBundle(): void {
  const b = spawnSync(process.execPath, [join(root, 'apps/server/build.mjs')], {
    cwd: join(root, 'apps/server'),
    encoding: 'utf8',
  });
  if (b.status !== 0) throw new Error(`server build failed: ${b.stderr}`);
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.end(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export class ServerProcess {
  child: ChildProcess | undefined;
  readonly stderr: string[] = [];

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts the bundle and resolves once it accepts connections (at most `timeoutMs`). */
  async start(timeoutMs = 30_000): Promise<number> {
    const child = spawn(process.execPath, [SERVER_BUNDLE], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...this.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr.push(d.toString());
      if (this.stderr.length > 200) this.stderr.shift();
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `server exited (${child.exitCode ?? child.signalCode}): ${this.stderr.join('')}`,
        );
      if (await portOpen(this.port)) return child.pid ?? 0;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`server did not listen on ${this.port} within ${timeoutMs} ms`);
  }

  /** SIGKILL: no shutdown hook runs, no buffer is flushed, nothing is said to the agents. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM (graceful), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
    await this.signal('SIGTERM');
    clearTimeout(timer);
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(sig);
    await exited;
  }
}
