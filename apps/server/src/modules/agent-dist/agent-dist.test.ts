import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../testing/test-app';

describe('agent-dist', () => {
  let app: FastifyInstance;
  let dir: string;
  const bundle = 'console.log("agent")\n';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-dist-'));
    writeFileSync(join(dir, 'keepwatch-agent.mjs'), bundle);
    app = await testApp({ agentDist: dir });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves install.sh without a login', async () => {
    const res = await app.inject({ url: '/api/v1/agent-dist/install.sh' });
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith('#!/bin/sh\n')).toBe(true);
    expect(res.body).toContain('sha256 mismatch');
  });

  it('lists only built files in the manifest, one per line, with their sha256 and no secrets', async () => {
    const res = await app.inject({ url: '/api/v1/agent-dist/manifest.json' });
    expect(res.statusCode).toBe(200);
    const sha = createHash('sha256').update(bundle).digest('hex');
    expect(res.json()).toEqual({
      files: [{ name: 'keepwatch-agent.mjs', arch: 'node20', size: bundle.length, sha256: sha }],
    });
    expect(res.body).toContain(
      `{"name":"keepwatch-agent.mjs","arch":"node20","size":${bundle.length},"sha256":"${sha}"}`,
    );
    expect(res.body).not.toContain('test-agent-token');
  });

  it('serves the bundle and says how to build a missing file', async () => {
    const ok = await app.inject({ url: '/api/v1/agent-dist/keepwatch-agent.mjs' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe(bundle);
    const missing = await app.inject({ url: '/api/v1/agent-dist/keepwatch-agent' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ message: string }>().message).toContain(
      'pnpm --filter @keepwatch/agent build:sea',
    );
  });

  it('install.sh is valid POSIX sh', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = join(dir, 'install.sh');
    writeFileSync(script, (await app.inject({ url: '/api/v1/agent-dist/install.sh' })).body);
    expect(() => execFileSync('sh', ['-n', script], { timeout: 5000 })).not.toThrow();
    // Without --token it prints usage and exits 2.
    try {
      execFileSync('sh', [script, '--server', 'http://127.0.0.1:1'], {
        timeout: 5000,
        stdio: 'pipe',
      });
      expect.unreachable();
    } catch (err) {
      expect((err as { status: number }).status).toBe(2);
    }
  });
});
