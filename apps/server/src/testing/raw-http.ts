import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/*
 * HTTP clients that send a request-target exactly as given (no normalisation of dot
 * segments, encodings or slashes, unlike fetch/URL), for the access tests.
 */

export interface RawResponse {
  status: number;
  body: string;
}

export interface RawClient {
  send(
    method: string,
    path: string,
    headers?: Record<string, string>,
    body?: string,
  ): Promise<RawResponse>;
  close(): void;
}

/** A keep-alive client for 127.0.0.1:port. */
export function rawClient(port: number): RawClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  return {
    send: (method, path, headers = {}, body) =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            agent,
            headers: {
              ...(body !== undefined && {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
              }),
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
            res.on('error', reject);
          },
        );
        // The server dropping the connection (its parser refused the request) is an answer.
        req.on('error', (err) => resolve({ status: 0, body: err.message }));
        req.setTimeout(5000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/**
 * Asks for a WebSocket upgrade of `path` on a fresh connection and returns the status of the
 * answer's first line (101 = upgraded), then drops the connection.
 */
export function upgradeStatus(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let head = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer to the upgrade of ${path}`));
    }, 5000);
    const done = (status: number): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(status);
    };
    sock.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (m) done(Number(m[1]));
    });
    sock.on('error', () => done(0));
    // A connection closed without a status line is a refusal too (the parser rejected it).
    sock.on('close', () => done(0));
    // A `host` entry in `headers` replaces the usual one (the DNS rebinding tests).
    const { host = `127.0.0.1:${port}`, ...rest } = headers;
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: ${host}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      ...Object.entries(rest).map(([k, v]) => `${k}: ${v}`),
    ];
    sock.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}
