import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../../packages/stack/src/stack';

/*
 * The "Add an agent" path on real parts: a lab host downloads install.sh from the panel at
 * <subnet>.1, which fetches the agent build from the same panel, checks its sha256 against
 * the manifest, enrolls with a one-time token and runs; the panel then lists it online with
 * an enrolled credential.
 */
const PREFIX = 'kwn';
const SUBNET = '10.83.0';
const HOST = 'web2';
const agentDir = fileURLToPath(new URL('../..', import.meta.url));

let stack: Stack;
let dir: string;
let agent: ChildProcess | undefined;

interface AgentInfo {
  agentId: string;
  nodeName: string | null;
  online: boolean;
  enrolled: boolean;
  revoked: boolean;
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${stack.url}/api/v1${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${stack.token}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('enroll through the panel one-liner in a lab host', () => {
  beforeAll(async () => {
    if (!existsSync(join(agentDir, 'dist', 'keepwatch-agent.mjs'))) {
      await new Promise<void>((resolve, reject) => {
        const b = spawn(process.execPath, [join(agentDir, 'build.mjs')], {
          stdio: 'ignore',
          timeout: 60_000,
        });
        b.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`agent build exited ${code}`)),
        );
      });
    }
    dir = mkdtempSync(join(tmpdir(), 'kwn-enroll-'));
    stack = await startStack({ prefix: PREFIX, subnet: SUBNET });
  }, 180_000);

  afterAll(async () => {
    agent?.kill('SIGTERM');
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('downloads, verifies, enrolls and shows up online with its own credential', async () => {
    const { token } = await api<{ token: string }>('/agents/enrollment-tokens', {
      method: 'POST',
      body: JSON.stringify({ note: 'lab' }),
    });
    const script = join(dir, 'install.sh');
    const get = await stack.lab.exec(
      HOST,
      ['curl', '-fsSL', '-o', script, `${stack.url}/api/v1/agent-dist/install.sh`],
      { timeoutMs: 20_000 },
    );
    expect(get.code, get.stderr).toBe(0);
    const config = join(dir, 'agent.json');
    const install = await stack.lab.exec(
      HOST,
      [
        'sh',
        script,
        '--server',
        stack.url,
        '--token',
        token,
        '--name',
        'enrolled1',
        '--cluster',
        PREFIX,
        '--role',
        'backend',
        '--prefix',
        dir,
        '--config',
        config,
        '--state-dir',
        join(dir, 'state'),
        '--allow-insecure',
        '--no-service',
      ],
      { timeoutMs: 120_000 },
    );
    expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);
    expect(install.stdout).toMatch(/sha256 [0-9a-f]{64} verified/);
    expect(statSync(config).mode & 0o777).toBe(0o600);

    const ns = `${PREFIX}-${HOST}`;
    agent = spawn(
      'ip',
      ['netns', 'exec', ns, join(dir, 'bin', 'keepwatch-agent'), 'run', '--config', config],
      { stdio: 'ignore' },
    );
    const row = await waitFor(
      'enrolled1 online',
      async () =>
        (await api<{ agents: AgentInfo[] }>('/agents')).agents.find(
          (a) => a.nodeName === 'enrolled1' && a.online,
        ),
      30_000,
    );
    expect(row).toMatchObject({ enrolled: true, revoked: false });

    // Used once: the same token cannot enroll a second host.
    const again = await stack.lab.exec(
      HOST,
      [
        'sh',
        script,
        '--server',
        stack.url,
        '--token',
        token,
        '--prefix',
        dir,
        '--config',
        join(dir, 'second.json'),
        '--allow-insecure',
        '--no-service',
      ],
      { timeoutMs: 120_000 },
    );
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already used');
  }, 240_000);
});
