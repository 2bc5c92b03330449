import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildApp } from './app';
import { loadConfig } from './config';
import { selfSigned } from './testing/self-signed';
import { login, testConfig } from './testing/test-app';

/*
 * Issue 7 item 7: the server serves TLS itself (KEEPWATCH_TLS_CERT / KEEPWATCH_TLS_KEY). A
 * self-signed certificate made by openssl in a temp dir; real https and wss on loopback.
 */

function get(port: number, path: string, ca: string | undefined, headers = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers, ...(ca ? { ca } : { rejectUnauthorized: true }) },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS served by the server (KEEPWATCH_TLS_CERT / KEEPWATCH_TLS_KEY)', () => {
  let dir = '';
  let files: { cert: string; key: string };
  let other: { cert: string; key: string };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kwse-tls-'));
    files = selfSigned(dir);
    other = selfSigned(dir, 'other');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env = (over: Record<string, string>) => ({ KEEPWATCH_DATA: join(dir, 'data'), ...over });

  it('loadConfig: a clear error for a missing, unreadable, non-PEM or mismatched file, or only one of the two', () => {
    const bad = (over: Record<string, string>) => () => loadConfig(env(over));
    expect(bad({ KEEPWATCH_TLS_CERT: files.cert })).toThrow(
      'KEEPWATCH_TLS_CERT and KEEPWATCH_TLS_KEY go together',
    );
    expect(bad({ KEEPWATCH_TLS_KEY: files.key })).toThrow('go together');
    expect(
      bad({ KEEPWATCH_TLS_CERT: join(dir, 'nope.crt'), KEEPWATCH_TLS_KEY: files.key }),
    ).toThrow(`KEEPWATCH_TLS_CERT=${join(dir, 'nope.crt')} cannot be read (ENOENT)`);
    mkdirSync(join(dir, 'a-folder'));
    expect(
      bad({ KEEPWATCH_TLS_CERT: files.cert, KEEPWATCH_TLS_KEY: join(dir, 'a-folder') }),
    ).toThrow('cannot be read (EISDIR)');
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n');
    expect(
      bad({ KEEPWATCH_TLS_CERT: join(dir, 'junk.pem'), KEEPWATCH_TLS_KEY: files.key }),
    ).toThrow('is not a PEM certificate');
    expect(
      bad({ KEEPWATCH_TLS_CERT: files.cert, KEEPWATCH_TLS_KEY: join(dir, 'junk.pem') }),
    ).toThrow('is not a PEM private key');
    expect(bad({ KEEPWATCH_TLS_CERT: files.cert, KEEPWATCH_TLS_KEY: other.key })).toThrow(
      `KEEPWATCH_TLS_KEY=${other.key} does not belong to the certificate in KEEPWATCH_TLS_CERT=${files.cert}`,
    );
    expect(loadConfig(env({})).tls).toBeUndefined();
  });

  it("loadConfig: the certificate's fingerprint (as openssl prints it) and curl's public-key pin", () => {
    const tls = loadConfig(
      env({ KEEPWATCH_TLS_CERT: files.cert, KEEPWATCH_TLS_KEY: files.key }),
    ).tls;
    const openssl = execFileSync('openssl', [
      'x509',
      '-in',
      files.cert,
      '-noout',
      '-fingerprint',
      '-sha256',
    ])
      .toString()
      .trim()
      .replace(/^.*=/, '');
    expect(tls?.fingerprint).toBe(openssl);
    expect(tls?.pin).toMatch(/^sha256\/\/[A-Za-z0-9+/]{43}=$/);
  });

  describe('a server with TLS', () => {
    let app: FastifyInstance;
    let port = 0;
    let ca = '';
    let pin = '';
    beforeAll(async () => {
      const loaded = loadConfig(
        env({ KEEPWATCH_TLS_CERT: files.cert, KEEPWATCH_TLS_KEY: files.key }),
      );
      if (!loaded.tls) throw new Error('no tls');
      ca = loaded.tls.cert;
      pin = loaded.tls.pin;
      app = await buildApp({
        config: testConfig({ tls: loaded.tls }),
        dbPath: ':memory:',
        logger: false,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      port = (app.server.address() as { port: number }).port;
    });
    afterAll(() => app.close());

    it('answers https with that certificate; an unknown certificate is refused by a verifying client', async () => {
      const res = await get(port, '/api/v1/agent-dist/install.sh', ca);
      expect(res.status).toBe(200);
      expect(res.body.startsWith('#!/bin/sh')).toBe(true);
      await expect(get(port, '/api/v1/agent-dist/install.sh', undefined)).rejects.toThrow(
        /self[- ]signed/i,
      );
    });

    it('the login cookie is Secure over its own TLS, and the live feed is wss', async () => {
      const res = await new Promise<{ status: number; cookie: string; body: string }>(
        (resolve, reject) => {
          const body = JSON.stringify({ username: 'admin', password: 'correct horse battery' });
          const req = request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: '/api/v1/auth/login',
              ca,
              headers: {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
              },
            },
            (r) => {
              let text = '';
              r.on('data', (c: Buffer) => (text += c.toString()));
              r.on('end', () =>
                resolve({
                  status: r.statusCode ?? 0,
                  cookie: String(r.headers['set-cookie']),
                  body: text,
                }),
              );
            },
          );
          req.on('error', reject);
          req.end(body);
        },
      );
      expect(res.status).toBe(200);
      expect(res.cookie).toMatch(/kw_session=[^;]+;.*Secure/i);
      const token = JSON.parse(res.body) as { token: string };
      const ws = new WebSocket(`wss://127.0.0.1:${port}/api/v1/live?token=${token.token}`, { ca });
      const first = await new Promise<string>((resolve, reject) => {
        ws.once('message', (m: Buffer) => resolve(m.toString()));
        ws.once('error', reject);
      });
      ws.terminate();
      expect(JSON.parse(first)).toMatchObject({ type: 'hello' });
    });

    it("curl pins the server's public key: the right pin downloads, a wrong one is refused", async () => {
      // Asynchronous: the server answering is in this process.
      const run = promisify(execFile);
      const url = `https://127.0.0.1:${port}/api/v1/agent-dist/install.sh`;
      const ok = await run(
        'curl',
        ['-fsS', '--proto', '=https', '-k', '--pinnedpubkey', pin, url],
        {
          timeout: 20_000,
        },
      );
      expect(ok.stdout.startsWith('#!/bin/sh')).toBe(true);
      const wrong = `sha256//${Buffer.alloc(32, 7).toString('base64')}`;
      await expect(
        run('curl', ['-fsS', '-k', '--pinnedpubkey', wrong, url], { timeout: 20_000 }),
      ).rejects.toThrow(/public key/i);
    });

    it('GET /agent-dist/trust gives an admin the fingerprint and pin for the one-liner', async () => {
      const token = await login(app);
      const trust = await app.inject({
        url: '/api/v1/agent-dist/trust',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(trust.json()).toEqual({
        fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) as unknown,
        pin,
      });
      expect((await app.inject({ url: '/api/v1/agent-dist/trust' })).statusCode).toBe(401);
    });
  });
});
