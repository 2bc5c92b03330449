import { connect, type Socket } from 'node:net';
import type { HttpProbeConfig, ServiceHealth, ServiceName } from '@keepwatch/shared';
import type { Logger } from './log';
import type { Emit } from './observations';
import { sleepToBoundary } from './timing';

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

const MAX_HEAD = 16 * 1024;
const MAX_BODY = 256 * 1024;

interface Target {
  host: string;
  port: number;
  request: Buffer;
}

function target(url: string, keepAlive: boolean): Target {
  const u = new URL(url);
  if (u.protocol !== 'http:')
    throw new Error(`only http:// URLs can be probed (got ${u.protocol})`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const request =
    `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
    `User-Agent: keepwatch-agent\r\nAccept: */*\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`;
  return { host, port: Number(u.port || 80), request: Buffer.from(request, 'latin1') };
}

type Framing =
  | { kind: 'length'; remaining: number }
  | { kind: 'chunked'; state: 'size' | 'data' | 'crlf' | 'trailer'; remaining: number }
  | { kind: 'close' };

/** Where a response stands while it is read from one connection. */
class ResponseReader {
  private head = '';
  status: number | undefined;
  private framing: Framing | undefined;
  private keepAlive = true;
  private bodyBytes = 0;
  private buffered = '';
  done = false;
  /** The connection can carry another request after this response. */
  reusable = false;

  /** Feeds bytes; returns an error text when the response is malformed. */
  feed(chunk: string): string | undefined {
    if (this.status === undefined) {
      this.head += chunk;
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) return this.head.length > MAX_HEAD ? 'response headers too large' : undefined;
      const err = this.parseHead(this.head.slice(0, end));
      if (err) return err;
      chunk = this.head.slice(end + 4);
      this.head = '';
    }
    return this.body(chunk);
  }

  private parseHead(head: string): string | undefined {
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
    if (!m) return 'not an HTTP response';
    this.status = Number(m[2]);
    let length: number | undefined;
    let chunked = false;
    this.keepAlive = m[1] === '1';
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding')
        chunked = value.split(',').some((v) => v.trim() === 'chunked');
      else if (name === 'connection') {
        if (value.includes('close')) this.keepAlive = false;
        else if (value.includes('keep-alive')) this.keepAlive = true;
      }
    }
    const noBody =
      this.status === 204 || this.status === 304 || (this.status >= 100 && this.status < 200);
    if (noBody) this.framing = { kind: 'length', remaining: 0 };
    else if (chunked) this.framing = { kind: 'chunked', state: 'size', remaining: 0 };
    else if (length !== undefined && Number.isInteger(length) && length >= 0)
      this.framing = { kind: 'length', remaining: length };
    else this.framing = { kind: 'close' };
    return undefined;
  }

  private body(chunk: string): string | undefined {
    const f = this.framing;
    if (!f) return undefined;
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > MAX_BODY) return this.finish(false);
    if (f.kind === 'close') return undefined; // ends with the connection
    if (f.kind === 'length') {
      f.remaining -= chunk.length;
      if (f.remaining < 0) return 'more bytes than Content-Length';
      if (f.remaining === 0) this.finish(this.keepAlive);
      return undefined;
    }
    this.buffered += chunk;
    for (;;) {
      if (f.state === 'data') {
        const take = Math.min(f.remaining, this.buffered.length);
        this.buffered = this.buffered.slice(take);
        f.remaining -= take;
        if (f.remaining > 0) return undefined;
        f.state = 'crlf';
      }
      const eol = this.buffered.indexOf('\r\n');
      if (eol < 0) return this.buffered.length > MAX_HEAD ? 'bad chunked encoding' : undefined;
      const line = this.buffered.slice(0, eol);
      this.buffered = this.buffered.slice(eol + 2);
      if (f.state === 'crlf') {
        if (line !== '') return 'bad chunked encoding';
        f.state = 'size';
      } else if (f.state === 'size') {
        const size = Number.parseInt(line.split(';')[0] ?? '', 16);
        if (!Number.isInteger(size) || size < 0) return 'bad chunked encoding';
        if (size === 0) f.state = 'trailer';
        else {
          f.state = 'data';
          f.remaining = size;
        }
      } else if (line === '') {
        // The empty line after the (usually absent) trailers ends the message.
        if (this.buffered.length > 0) return 'bytes after the end of the response';
        this.finish(this.keepAlive);
        return undefined;
      }
    }
  }

  private finish(reusable: boolean): undefined {
    this.done = true;
    this.reusable = reusable;
    return undefined;
  }
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
      this.target = target(url, keepAlive);
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
  let t: URL;
  try {
    t = new URL(url);
    if (t.protocol !== 'http:') return Promise.resolve(undefined);
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const sock = connect({
      host: t.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(t.port || 80),
    });
    const done = (text: string | undefined): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(text);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.once('connect', () =>
      sock.write(
        `GET ${t.pathname}${t.search} HTTP/1.0\r\nHost: ${t.host}\r\nUser-Agent: keepwatch-agent\r\n\r\n`,
      ),
    );
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

export interface ProbeCollectorOptions {
  service: ServiceName;
  probe: HttpProbeConfig;
  log: Logger;
  emit: Emit;
}

/** Probes one service forever; the next probe starts only after the previous one ended. */
export class ProbeCollector {
  private loop: Promise<void> | undefined;
  private readonly prober: HttpProber;
  constructor(private readonly opts: ProbeCollectorOptions) {
    this.prober = new HttpProber(opts.probe.url);
  }

  start(signal: AbortSignal): void {
    this.loop = this.run(signal);
  }

  async stopped(): Promise<void> {
    await this.loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { probe, service } = this.opts;
    let last: boolean | undefined;
    while (!signal.aborted) {
      const health = await this.prober.probe(probe.timeoutMs);
      if (signal.aborted) break;
      if (health.healthy !== last) {
        this.opts.log.info(`${service} is ${health.healthy ? 'healthy' : 'UNHEALTHY'}`, {
          detail: health.detail,
        });
        last = health.healthy;
      }
      this.opts.emit({ kind: 'health', service, health });
      await sleepToBoundary(probe.intervalMs, signal);
    }
    this.prober.close();
  }
}
