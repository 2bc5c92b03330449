import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '@keepwatch/shared';
import { login, testApp } from '../../../server/src/testing/test-app';
import { dispatch } from './dispatch';

/* `keepwatch-agent enroll` against the real server, in process, over loopback HTTP. */

let app: Awaited<ReturnType<typeof testApp>>;
let base: string;
let dir: string;

async function token(): Promise<string> {
  const admin = await login(app);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/agents/enrollment-tokens',
    headers: { authorization: `Bearer ${admin}` },
    payload: {},
  });
  return res.json<{ token: string }>().token;
}

beforeAll(async () => {
  app = await testApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'kw-enroll-'));
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('keepwatch-agent enroll', () => {
  it('writes a 0600 config holding the credential, keeping an existing config’s other settings', async () => {
    const config = join(dir, 'etc', 'agent.json');
    const code = await dispatch(
      [
        'enroll',
        '--server',
        base,
        '--token',
        await token(),
        '--name',
        'web1',
        '--cluster',
        'prod',
        '--role',
        'backend',
        '--config',
        config,
        '--state-dir',
        join(dir, 'state'),
      ],
      {},
    );
    expect(code).toBe(0);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const parsed = parseAgentConfig(JSON.parse(readFileSync(config, 'utf8')));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value).toMatchObject({
      node: { name: 'web1', role: 'backend', cluster: { id: 'prod' } },
      server: { url: base.replace('http', 'ws') },
    });
    expect(parsed.value.agentId).toMatch(/^web1-/);
    expect(parsed.value.server.token).toMatch(/^kwa_/);
    // The server accepts exactly this credential, as exactly the node the config names.
    const { agentId, node, server } = parsed.value;
    expect(await app.agentCredentials.admit({ agentId, token: server.token, node })).toEqual({
      ok: true,
      via: 'credential',
    });

    // Re-enrolling keeps the operator's additions.
    writeFileSync(config, JSON.stringify({ ...parsed.value, control: ['drills'] }));
    expect(
      await dispatch(
        [
          'enroll',
          '--server',
          base,
          '--token',
          await token(),
          '--name',
          'web1',
          '--config',
          config,
        ],
        {},
      ),
    ).toBe(0);
    const again = JSON.parse(readFileSync(config, 'utf8')) as {
      control: string[];
      agentId: string;
    };
    expect(again.control).toEqual(['drills']);
    expect(again.agentId).not.toBe(parsed.value.agentId);
  });

  it('fails with the panel’s reason on a used token and writes nothing', async () => {
    const config = join(dir, 'used.json');
    const t = await token();
    expect(
      await dispatch(
        ['enroll', '--server', base, '--token', t, '--config', join(dir, 'first.json')],
        {},
      ),
    ).toBe(0);
    expect(await dispatch(['enroll', '--server', base, '--token', t, '--config', config], {})).toBe(
      1,
    );
    expect(() => statSync(config)).toThrow();
  });

  it('writes the panel’s other replicas (--replicas) as ws URLs, held to the same transport rule', async () => {
    const config = join(dir, 'replicas.json');
    const replicas = 'http://127.0.0.1:18471, http://127.0.0.2:18472/';
    expect(
      await dispatch(
        [
          'enroll',
          '--server',
          base,
          '--token',
          await token(),
          '--config',
          config,
          '--name',
          'lb7',
          '--replicas',
          replicas,
        ],
        {},
      ),
    ).toBe(0);
    const parsed = parseAgentConfig(JSON.parse(readFileSync(config, 'utf8')));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.server.replicas).toEqual(['ws://127.0.0.1:18471', 'ws://127.0.0.2:18472']);

    // A plain-http replica off loopback is refused before the token is spent.
    const refusedConfig = join(dir, 'replicas-refused.json');
    const t = await token();
    expect(
      await dispatch(
        [
          'enroll',
          '--server',
          base,
          '--token',
          t,
          '--config',
          refusedConfig,
          '--name',
          'lb8',
          '--replicas',
          'http://10.83.0.2:8470',
        ],
        {},
      ),
    ).toBe(1);
    expect(() => statSync(refusedConfig)).toThrow();
    expect(
      await dispatch(
        ['enroll', '--server', base, '--token', t, '--config', refusedConfig, '--name', 'lb8'],
        {},
      ),
    ).toBe(0);
  });

  it('refuses plain http to a non-loopback panel without --allow-insecure', async () => {
    expect(
      await dispatch(
        [
          'enroll',
          '--server',
          'http://10.83.0.1:8470',
          '--token',
          'x',
          '--config',
          join(dir, 'x.json'),
        ],
        {},
      ),
    ).toBe(1);
  });

  it('prints the version and rejects unknown commands', async () => {
    expect(await dispatch(['version'], {})).toBe(0);
    expect(await dispatch(['frobnicate'], {})).toBe(2);
    expect(await dispatch(['enroll', '--server', base], {})).toBe(2);
  });
});
