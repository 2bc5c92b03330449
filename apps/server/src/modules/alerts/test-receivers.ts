import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/* Real local receivers for the alert tests (127.0.0.1, port 0). Test-only. */

export interface Captured {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
  at: number;
}

export interface HttpReceiver {
  url: string;
  got: Captured[];
  /** Status codes for the next requests, in order; afterwards 200. */
  failNext(...codes: number[]): void;
  /** JSON answered with a 200 (robot APIs: {errcode: 0}). */
  answer: string;
  waitFor(pred: (c: Captured) => boolean, timeoutMs?: number): Promise<Captured>;
  close(): Promise<void>;
}

function waiter<T>(list: T[], notify: Array<() => void>) {
  return (pred: (c: T) => boolean, timeoutMs = 5000): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`receiver: timed out; got ${JSON.stringify(list).slice(0, 2000)}`)),
        timeoutMs,
      );
      const check = (): void => {
        const found = list.find(pred);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else notify.push(check);
      };
      check();
    });
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const got: Captured[] = [];
  const notify: Array<() => void> = [];
  const failures: number[] = [];
  const receiver = { answer: '{"errcode":0,"errmsg":"ok"}' } as HttpReceiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const code = failures.shift();
      if (code !== undefined) {
        res.writeHead(code).end('receiver says no');
        return;
      }
      const body = Buffer.concat(chunks).toString();
      const url = new URL(req.url ?? '/', 'http://x');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      got.push({
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
        at: Date.now(),
      });
      for (const n of notify.splice(0)) n();
      res.writeHead(200, { 'content-type': 'application/json' }).end(receiver.answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    got,
    failNext: (...codes: number[]) => void failures.push(...codes),
    waitFor: waiter(got, notify),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

export interface SmtpSink {
  port: number;
  mails: { from: string; to: string[]; data: string }[];
  waitFor(pred: (m: { data: string }) => boolean, timeoutMs?: number): Promise<{ data: string }>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SmtpSink['mails'] = [];
  const notify: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString(),
        });
        for (const n of notify.splice(0)) n();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    waitFor: waiter(mails, notify),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
