import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProber, fetchText, probeHttp } from './http-probe';

describe('probeHttp', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.end('ok');
      else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/bad') res.writeHead(502).end();
      // '/hang': never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('2xx and 3xx are healthy, with latency', async () => {
    const ok = await probeHttp(`${base}/ok`, 1000);
    expect(ok).toMatchObject({ healthy: true, detail: 'HTTP 200' });
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    expect((await probeHttp(`${base}/moved`, 1000)).healthy).toBe(true);
  });
  it('5xx is unhealthy with the status', async () => {
    expect(await probeHttp(`${base}/bad`, 1000)).toMatchObject({
      healthy: false,
      detail: 'HTTP 502',
    });
  });
  it('a refused connection says so', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await probeHttp(`http://127.0.0.1:${port}/`, 1000)).toMatchObject({
      healthy: false,
      detail: 'connect ECONNREFUSED',
    });
  });
  it('a hanging server times out', async () => {
    expect(await probeHttp(`${base}/hang`, 80)).toMatchObject({
      healthy: false,
      detail: 'timeout after 80 ms',
    });
  });
  it('a bad or non-http URL is described, not thrown', async () => {
    expect((await probeHttp('https://127.0.0.1/', 100)).detail).toMatch(/only http:\/\/ URLs/);
    expect((await probeHttp('not a url', 100)).detail).toMatch(/^bad probe url/);
  });
});

/** A raw TCP server that answers every request with `reply(n)` (n = request number). */
async function rawServer(
  reply: (n: number) => string,
  opts: { closeAfter?: boolean } = {},
): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  let n = 0;
  const sockets = new Set<Socket>();
  const srv = createNetServer((sock) => {
    connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n') && !sock.writableEnded) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        sock.write(reply(++n));
        if (opts.closeAfter) sock.end();
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/health?x=1`,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

describe('HttpProber (kept-alive raw probes)', () => {
  const probeN = async (p: HttpProber, times: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < times; i++) {
      const h = await p.probe(1000);
      out.push(`${h.healthy ? 'up' : 'down'} ${h.detail ?? ''}`);
    }
    return out;
  };

  it('reuses one connection across Content-Length responses', async () => {
    const srv = await rawServer(
      () => 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello',
    );
    const p = new HttpProber(srv.url);
    try {
      expect(await probeN(p, 4)).toEqual(Array(4).fill('up HTTP 200'));
      expect(srv.connections()).toBe(1);
    } finally {
      p.close();
      await srv.close();
    }
  });

  it('reads chunked bodies (split across packets, with a trailer) to their end and reuses', async () => {
    const srv = await rawServer(
      (n) =>
        `HTTP/1.1 ${n === 2 ? 503 : 200} X\r\nTransfer-Encoding: chunked\r\n\r\n` +
        '5;ext=1\r\nhello\r\n' +
        'a\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n',
    );
    const p = new HttpProber(srv.url);
    try {
      expect(await probeN(p, 3)).toEqual(['up HTTP 200', 'down HTTP 503', 'up HTTP 200']);
      expect(srv.connections()).toBe(1);
    } finally {
      p.close();
      await srv.close();
    }
  });

  it('a close-delimited (HTTP/1.0) or Connection: close response gets a new connection each time', async () => {
    const srv = await rawServer(() => 'HTTP/1.0 200 OK\r\n\r\nbody until close', {
      closeAfter: true,
    });
    const p = new HttpProber(srv.url);
    try {
      expect(await probeN(p, 3)).toEqual(Array(3).fill('up HTTP 200'));
      expect(srv.connections()).toBe(3);
    } finally {
      p.close();
      await srv.close();
    }
  });

  it('a server that closes the kept connection between probes is not reported down', async () => {
    // Keep-alive in the headers, then the server closes anyway (an idle timeout).
    const srv = await rawServer(() => 'HTTP/1.1 204 No Content\r\n\r\n', { closeAfter: true });
    const p = new HttpProber(srv.url);
    try {
      expect(await probeN(p, 3)).toEqual(Array(3).fill('up HTTP 204'));
    } finally {
      p.close();
      await srv.close();
    }
  });

  it('sees the listener go away: the next probe is refused', async () => {
    const srv = await rawServer(() => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const p = new HttpProber(srv.url);
    try {
      expect(await probeN(p, 2)).toEqual(['up HTTP 200', 'up HTTP 200']);
      await srv.close();
      const after = await p.probe(1000);
      expect(after).toMatchObject({ healthy: false, detail: 'connect ECONNREFUSED' });
    } finally {
      p.close();
    }
  });

  it('garbage is unhealthy and drops the connection', async () => {
    const srv = await rawServer(() => 'SSH-2.0-OpenSSH_9.2\r\n\r\n');
    const p = new HttpProber(srv.url);
    try {
      expect(await p.probe(1000)).toMatchObject({
        healthy: false,
        detail: 'not an HTTP response',
      });
    } finally {
      p.close();
      await srv.close();
    }
  });
});

describe('fetchText', () => {
  it('returns the body of a 2xx, undefined for an error status, a refusal or an oversize body', async () => {
    const srv = createServer((req, res) => {
      if (req.url === '/nginx_status')
        res.end('Active connections: 1 \nserver accepts handled requests\n 5 5 9 \n');
      else if (req.url === '/big') res.end('x'.repeat(10_000));
      else res.writeHead(404).end('nope');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      expect(await fetchText(`${base}/nginx_status`, 1000)).toContain('5 5 9');
      expect(await fetchText(`${base}/missing`, 1000)).toBeUndefined();
      expect(await fetchText(`${base}/big`, 1000, 1000)).toBeUndefined();
      expect(await fetchText('https://127.0.0.1/', 1000)).toBeUndefined();
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
    expect(await fetchText(`${base}/nginx_status`, 1000)).toBeUndefined();
  });
});
