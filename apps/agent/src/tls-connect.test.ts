import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { postJson } from './cli/http-post';
import { transportOptions, wsClientOptions } from './tls-connect';

/* Pinning and CA trust against a real TLS server on 127.0.0.1 with a certificate made here. */

let dir: string;
let server: Server;
let port: number;
let fingerprint: string;
let certFile: string;

function openOnce(url: string, opts: WebSocket.ClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { handshakeTimeout: 5000, ...opts });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('error', (err) => resolve(err.message));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kw-tls-'));
  certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      certFile,
    ],
    { timeout: 20_000, stdio: 'pipe' },
  );
  const cert = readFileSync(certFile);
  fingerprint = new X509Certificate(cert).fingerprint256;
  server = createServer({ cert, key: readFileSync(join(dir, 'key.pem')) }, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  new WebSocketServer({ server });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('wss trust', () => {
  it('connects with the right pinned fingerprint (self-signed, no CA)', async () => {
    const t = await transportOptions({
      url: `wss://127.0.0.1:${port}`,
      fingerprint: fingerprint.replace(/:/g, '').toLowerCase(),
    });
    expect(await openOnce(`wss://127.0.0.1:${port}/`, wsClientOptions(t))).toBe('open');
    expect(await postJson(`https://127.0.0.1:${port}/x`, {}, t)).toEqual({
      status: 200,
      body: { ok: true },
    });
  });

  it('refuses a wrong fingerprint with a clear message', async () => {
    const t = await transportOptions({
      url: `wss://127.0.0.1:${port}`,
      fingerprint: 'ab'.repeat(32),
    });
    const result = await openOnce(`wss://127.0.0.1:${port}/`, wsClientOptions(t));
    expect(result).toContain(
      `server certificate fingerprint ${fingerprint} does not match the pinned AB:AB`,
    );
    await expect(postJson(`https://127.0.0.1:${port}/x`, {}, t)).rejects.toThrow(
      /does not match the pinned/,
    );
  });

  it('verifies with a CA file, and refuses the self-signed cert without one', async () => {
    const t = await transportOptions({ url: `wss://localhost:${port}`, caFile: certFile });
    expect(await openOnce(`wss://localhost:${port}/`, wsClientOptions(t))).toBe('open');
    expect(await openOnce(`wss://localhost:${port}/`, {})).toMatch(/self-signed certificate/);
  });

  it('refuses plain ws:// to a non-loopback address before connecting', async () => {
    await expect(transportOptions({ url: 'ws://10.83.0.1:8470' })).rejects.toThrow(
      /refusing plain ws:\/\//,
    );
  });
});
