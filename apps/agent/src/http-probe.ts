import { connect, type Socket } from 'node:net';
import type { ServiceHealth } from '@keepwatch/shared';
import { ResponseReader } from './http-response-reader';

/*
 * HTTP health probes over a bare TCP socket: one GET, healthy = 2xx/3xx, latency = time to
 * the status line. Node's http client costs several times more CPU per request than this
 * (ClientRequest, agent, parser, streams); an agent that probes every second on every load
 * balancer must stay near zero at idle (the target is 0.5 % of a core; see `pnpm bench agent`).
 *
 * An HttpProber keeps its connection between probes (keep-alive). It reads each response
 * to its end (Content-Length, chunked, or until close) before reusing the socket, and it
 * still sees a dead listener at once: the server's FIN or RST drops the socket, and the next
 * probe connects afresh (ECONNREFUSED). A reused socket that fails before any byte of a
 * response (the server closed an idle connection just as we wrote) is retried once on a
 * new connection, so that race never reads as "unhealthy".
 */

interface Target {
  host: string;
  port: number;
  request: Buffer;
}

/**
 * Where to connect and the bytes of one GET. `http/1.0` asks for an unchunked answer that
 * ends with the connection (fetchText); `keep-alive`/`close` are HTTP/1.1 probes.
 */
function target(url: string, mode: 'keep-alive' | 'close' | 'http/1.0'): Target {
  const u = new URL(url);
  if (u.protocol !== 'http:')
    throw new Error(`only http:// URLs can be probed (got ${u.protocol})`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const request =
    mode === 'http/1.0'
      ? `GET ${u.pathname}${u.search} HTTP/1.0\r\nHost: ${u.host}\r\nUser-Agent: keepwatch-agent\r\n\r\n`
      : `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
        `User-Agent: keepwatch-agent\r\nAccept: */*\r\nConnection: ${mode}\r\n\r\n`;
  return { host, port: Number(u.port || 80), request: Buffer.from(request, 'latin1') };
}

function describeError(err: NodeJS.ErrnoException): string {
  return err.syscall && err.code ? `${err.syscall} ${err.code}` : (err.code ?? err.message);
}

/** Probes one URL again and again over one kept-alive connection. */
export class HttpProber {
  private readonly target: Target | undefined;
  private readonly badUrl: string | undefined;
  private socket: Socket | undefined;
  private idle = false;
  /** Connections opened so far (for tests and diagnostics). */
  connections = 0;

  constructor(
    readonly url: string,
    private readonly keepAlive = true,
  ) {
    try {
      this.target = target(url, keepAlive ? 'keep-alive' : 'close');
    } catch (err) {
      this.badUrl = `bad probe url: ${(err as Error).message}`;
    }
  }

  async probe(timeoutMs: number): Promise<ServiceHealth> {
    const checkedAt = Date.now();
    const started = performance.now();
    if (!this.target) return { healthy: false, detail: this.badUrl ?? 'bad probe url', checkedAt };
    const reused = this.socket !== undefined && this.idle;
    let r = await this.once(this.target, timeoutMs);
    if (r.retry && reused)
      r = await this.once(this.target, timeoutMs - (performance.now() - started));
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    return { healthy: r.healthy, detail: r.detail, latencyMs, checkedAt };
  }

  private unwatchIdle: (() => void) | undefined;

  private watchIdle(sock: Socket): void {
    const gone = (): void => {
      unwatch();
      if (this.socket === sock) {
        this.socket = undefined;
        this.idle = false;
      }
      sock.destroy();
    };
    const unwatch = (): void => {
      sock.off('close', gone);
      sock.off('error', gone);
      sock.off('end', gone);
      sock.off('data', gone);
      this.unwatchIdle = undefined;
    };
    // FIN (end), RST (error), or bytes nobody asked for: this connection is done.
    sock.on('close', gone);
    sock.on('error', gone);
    sock.on('end', gone);
    sock.on('data', gone);
    this.unwatchIdle = unwatch;
  }

  close(): void {
    this.unwatchIdle?.();
    this.socket?.destroy();
    this.socket = undefined;
    this.idle = false;
  }

  private open(t: Target): Socket {
    this.close();
    const s = connect({ host: t.host, port: t.port });
    s.setNoDelay(true);
    this.connections++;
    this.socket = s;
    return s;
  }

  /**
   * One request on the idle kept socket, or on a new one. `retry` is set when a reused
   * socket failed before any response byte arrived.
   */
  private once(
    t: Target,
    timeoutMs: number,
  ): Promise<{ healthy: boolean; detail: string; retry?: boolean }> {
    const reusing = this.socket !== undefined && this.idle;
    const sock = reusing && this.socket ? this.socket : this.open(t);
    this.idle = false;
    this.unwatchIdle?.();
    return new Promise((resolve) => {
      const reader = new ResponseReader();
      let answered = false;
      let gotBytes = false;
      const cleanup = (): void => {
        clearTimeout(timer);
        sock.off('data', onData);
        sock.off('error', onError);
        sock.off('close', onClose);
        sock.off('connect', onConnect);
      };
      const answer = (healthy: boolean, detail: string, retry = false): void => {
        if (answered) return;
        answered = true;
        resolve({ healthy, detail, ...(retry ? { retry } : {}) });
      };
      /** The exchange on this socket is over: keep it for the next probe, or drop it. */
      const settle = (keep: boolean): void => {
        cleanup();
        if (keep && this.socket === sock && this.keepAlive) {
          this.idle = true;
          // An idle kept socket must notice the server going away (FIN/RST) by itself.
          this.watchIdle(sock);
        } else {
          sock.destroy();
          if (this.socket === sock) this.socket = undefined;
        }
      };
      const timer = setTimeout(
        () => {
          answer(false, `timeout after ${Math.max(0, Math.round(timeoutMs))} ms`);
          settle(false);
        },
        Math.max(1, timeoutMs),
      );
      const onConnect = (): void => void sock.write(t.request);
      const onData = (chunk: Buffer): void => {
        gotBytes = true;
        const err = reader.feed(chunk.toString('latin1'));
        if (err) {
          answer(false, err);
          return settle(false);
        }
        if (reader.status !== undefined)
          answer(reader.status >= 200 && reader.status < 400, `HTTP ${reader.status}`);
        if (reader.done) settle(reader.reusable);
      };
      const onError = (err: NodeJS.ErrnoException): void => {
        answer(false, describeError(err), reusing && !gotBytes);
        settle(false);
      };
      const onClose = (): void => {
        if (reader.status !== undefined)
          answer(reader.status >= 200 && reader.status < 400, `HTTP ${reader.status}`);
        else answer(false, 'connection closed before a response', reusing && !gotBytes);
        settle(false);
      };
      sock.on('data', onData);
      sock.on('error', onError);
      sock.on('close', onClose);
      if (reusing) sock.write(t.request);
      else sock.once('connect', onConnect);
    });
  }
}

/**
 * One GET on a new connection (Connection: close) with a hard deadline. Never rejects:
 * failures are described ("connect ECONNREFUSED", "HTTP 502", "timeout after 400 ms").
 */
export async function probeHttp(url: string, timeoutMs: number): Promise<ServiceHealth> {
  const prober = new HttpProber(url, false);
  try {
    return await prober.probe(timeoutMs);
  } finally {
    prober.close();
  }
}

/**
 * The body of a small GET (stub_status and the like), or undefined on any failure or a
 * status ≥ 400. An HTTP/1.0 request: the server answers unchunked and closes, so the body
 * is simply everything after the headers. Bounded by `maxBytes` and the deadline.
 */
export function fetchText(
  url: string,
  timeoutMs: number,
  maxBytes = 64 * 1024,
): Promise<string | undefined> {
  let t: Target;
  try {
    t = target(url, 'http/1.0');
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const sock = connect({ host: t.host, port: t.port });
    const done = (text: string | undefined): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(text);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.once('connect', () => sock.write(t.request));
    sock.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) return done(undefined);
      parts.push(c);
    });
    sock.on('error', () => done(undefined));
    sock.on('close', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      const end = raw.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0);
      done(end >= 0 && status >= 200 && status < 400 ? raw.slice(end + 4) : undefined);
    });
  });
}
