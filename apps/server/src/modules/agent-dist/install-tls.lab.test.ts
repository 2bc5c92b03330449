import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import { loadConfig } from '../../config';
import { testConfig } from '../../testing/test-app';
import { selfSigned } from '../../testing/self-signed';

/*
 * Issue 7 item 7, end to end on loopback: the install one-liner over https with the
 * certificate pin, against the server serving its own self-signed TLS. Every download
 * (install.sh, manifest, the agent bundle) goes through curl's --pinnedpubkey; the agent
 * here is a stand-in bundle that records its arguments (the real enroll is the agent's
 * own lab test). Root only (install.sh refuses otherwise): the lab project.
 */

const run = promisify(execFile);

const FAKE_AGENT = `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify('ARGS')}, JSON.stringify(process.argv.slice(2)) + '\\n');
`;

describe('the install one-liner over https with a pin (loopback)', () => {
  let dir = '';
  let app: FastifyInstance;
  let panel = '';
  let pin = '';
  let fingerprint = '';
  let argsFile = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kwse-install-'));
    const files = selfSigned(dir);
    const dist = join(dir, 'dist');
    mkdirSync(dist);
    argsFile = join(dir, 'agent-args.jsonl');
    writeFileSync(
      join(dist, 'keepwatch-agent.mjs'),
      FAKE_AGENT.replace('"ARGS"', JSON.stringify(argsFile)),
    );
    const loaded = loadConfig({
      KEEPWATCH_DATA: join(dir, 'data'),
      KEEPWATCH_TLS_CERT: files.cert,
      KEEPWATCH_TLS_KEY: files.key,
    });
    if (!loaded.tls) throw new Error('no tls');
    pin = loaded.tls.pin;
    fingerprint = loaded.tls.fingerprint;
    app = await buildApp({
      config: testConfig({ tls: loaded.tls, agentDist: dist }),
      dbPath: ':memory:',
      logger: false,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    panel = `https://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The one-liner as the panel shows it (apps/web install-command.ts), with sudo left out (we are root). */
  const oneLiner = (p: string, extra: string) =>
    `curl -fsSL --proto =https -k --pinnedpubkey '${p}' '${panel}/api/v1/agent-dist/install.sh' | sh -s -- --server '${panel}' --token kwe_test --pin '${p}' --fingerprint '${fingerprint}' ${extra}`;

  it('installs with the pin on every download and hands the agent its fingerprint', async () => {
    const prefix = join(dir, 'prefix');
    const config = join(dir, 'etc', 'agent.json');
    const { stdout } = await run(
      'sh',
      ['-c', oneLiner(pin, `--prefix '${prefix}' --config '${config}' --no-service`)],
      { timeout: 60_000 },
    );
    expect(stdout).toContain('keepwatch-agent.mjs sha256');
    expect(stdout).toContain('keepwatch install: done');
    const calls = readFileSync(argsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    expect(calls[0]).toEqual([
      'enroll',
      '--server',
      panel,
      '--token',
      'kwe_test',
      '--config',
      config,
      '--fingerprint',
      fingerprint,
    ]);
  });

  it('a wrong pin downloads nothing: the one-liner and the installer both stop', async () => {
    const wrong = `sha256//${Buffer.alloc(32, 9).toString('base64')}`;
    await expect(
      run(
        'bash',
        ['-o', 'pipefail', '-c', oneLiner(wrong, `--prefix '${join(dir, 'p2')}' --no-service`)],
        {
          timeout: 60_000,
        },
      ),
    ).rejects.toThrow(/public key/i);
    expect(existsSync(join(dir, 'p2'))).toBe(false);
    // The installer itself, fetched by hand and given a wrong pin, refuses its manifest download.
    const script = join(dir, 'install.sh');
    writeFileSync(script, (await app.inject({ url: '/api/v1/agent-dist/install.sh' })).body);
    const refused = await run(
      'sh',
      [
        script,
        '--server',
        panel,
        '--token',
        'kwe_test',
        '--pin',
        wrong,
        '--prefix',
        join(dir, 'p3'),
        '--no-service',
      ],
      { timeout: 60_000 },
    ).catch((err: { stderr: string; code: number }) => err);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toContain('cannot download');
  });

  it('plain http to another host needs --allow-insecure, and then warns', async () => {
    const script = join(dir, 'install.sh');
    writeFileSync(script, (await app.inject({ url: '/api/v1/agent-dist/install.sh' })).body);
    const args = [
      '--server',
      'http://10.90.0.1:9',
      '--token',
      'kwe_test',
      '--prefix',
      join(dir, 'p4'),
      '--no-service',
    ];
    const refused = await run('sh', [script, ...args], { timeout: 30_000 }).catch(
      (err: { stderr: string; code: number }) => err,
    );
    expect((refused as { stderr: string }).stderr).toContain(
      'refusing plain http to http://10.90.0.1:9',
    );
    const allowed = await run('sh', [script, ...args, '--allow-insecure'], {
      timeout: 30_000,
    }).catch((err: { stderr: string; code: number }) => err);
    // It goes on (and fails to connect: nothing listens there), after the warning.
    expect((allowed as { stderr: string }).stderr).toContain(
      'WARNING: plain http to http://10.90.0.1:9 (--allow-insecure)',
    );
  });
});
