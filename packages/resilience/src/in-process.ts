import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { agentAuthorization } from '@keepwatch/shared';
import { buildApp, type ServerConfig } from '@keepwatch/server';

/*
 * The real server app in this process on 127.0.0.1 (an in-memory database), and the raw
 * clients the resilience tests speak to it with: plain HTTP (so bodies go as bytes, not as
 * a client library cleans them) and ws.
 */

export const ADMIN_PASSWORD = 'correct horse battery';
export const AGENT_TOKEN = 'resilience-agent-token';

export interface Running {
  app: FastifyInstance;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startApp(over: Partial<ServerConfig> = {}): Promise<Running> {
  const app = await buildApp({
    config: {
      port: 0,
      hosts: ['127.0.0.1'],
      dataDir: '/nonexistent-keepwatch-resilience',
      adminPassword: ADMIN_PASSWORD,
      agentToken: AGENT_TOKEN,
      allowSharedAgentToken: true,
      webDist: '/nonexistent-keepwatch-web',
      logLevel: 'silent',
      ...over,
    },
    dbPath: ':memory:',
    logger: false,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: ADMIN_PASSWORD },
  });
  const token = res.json<{ token: string }>().token;
  return { app, port, token, close: () => app.close() };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 4 });

/**
 * One HTTP request with `body` as raw bytes. Resolves with the response, or rejects on a
 * timeout (a hang) or when the connection fails before any response arrived. A server may
 * answer (413) before it read an oversized body and reset the rest: a response received
 * counts, the write error after it does not.
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string | undefined,
  timeoutMs = 5_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        // Node sends a DELETE body without a length (nor chunked): always say how long it is.
        headers:
          body === undefined
            ? headers
            : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: keepAlive,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          settled = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', () => undefined);
      },
    );
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => {
      if (settled) return;
      // Give a response that is already on its way a moment to be read.
      setTimeout(() => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      }, 200);
    });
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** Frames and the close of one ws client, recorded from the first byte. */
export interface Recorded {
  ws: WebSocket;
  frames: string[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
}

export function record(ws: WebSocket): Recorded {
  const frames: string[] = [];
  ws.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  opened.catch(() => undefined);
  return { ws, frames, opened, closed };
}

export const agentWs = (port: number, agentId: string): Recorded =>
  record(
    new WebSocket(`ws://127.0.0.1:${port}/api/v1/agent/ws`, {
      perMessageDeflate: false,
      headers: { authorization: agentAuthorization(agentId, AGENT_TOKEN) },
      // The fuzzer sends frames larger than the server takes; the client must not refuse first.
      maxPayload: 64 * 1024 * 1024,
    }),
  );

export const liveWs = (port: number, token: string): Recorded =>
  record(
    new WebSocket(`ws://127.0.0.1:${port}/api/v1/live?token=${token}`, {
      perMessageDeflate: false,
    }),
  );

/** Resolves with `p`, or with 'timeout' after `ms`. */
export function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    }),
  ]);
}
