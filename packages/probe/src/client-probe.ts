import { connect } from 'node:net';
import type { ProbeResult } from '@keepwatch/shared';

/*
 * The drill's client probe: one HTTP/1.0 GET on a fresh TCP connection every intervalMs,
 * the way a new client arrives (a kept-alive connection would hide a VIP move, or die with
 * the old MASTER). Requests start on a fixed grid whether or not the previous one finished,
 * so a hanging connect (no VIP holder, a frozen nginx) costs its own timeout and nothing
 * else: downtime is resolved to one interval. A request is done at the end of the response
 * headers (status line + X-Keepwatch-LB): the body tells nothing about failover.
 *
 * Bare sockets, not node:http: at 50 requests a second the http client's machinery is most
 * of the cost, and `pnpm bench drill` holds the server to 5 % of a core while it probes.
 */

export interface ProbeSample {
  /** When the request started (epoch ms, fractional), on the prober's clock. */
  t: number;
  /** Until the response headers, or until it failed. */
  ms: number;
  r: ProbeResult;
  /** The load balancer that answered (its X-Keepwatch-LB header), if it said. */
  lb: string | null;
}

export interface ClientProbeOptions {
  url: string;
  intervalMs: number;
  timeoutMs: number;
  onSample: (s: ProbeSample) => void;
  /** Response header naming the load balancer; default x-keepwatch-lb. */
  lbHeader?: string;
  /** Epoch ms with sub-ms resolution; default performance.timeOrigin + performance.now(). */
  now?: () => number;
}

const MAX_HEAD = 16 * 1024;

/** Whether a result counts as served: an HTTP 2xx or 3xx. */
export function isGood(r: ProbeResult): boolean {
  return typeof r === 'number' && r >= 200 && r < 400;
}

const RESULT_OF_CODE: Record<string, ProbeResult> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETDOWN: 'unreachable',
  ETIMEDOUT: 'timeout',
};

function resultOf(err: NodeJS.ErrnoException): ProbeResult {
  return RESULT_OF_CODE[err.code ?? ''] ?? 'error';
}

/** Status and the named header from a response head (latin1 text up to the blank line). */
export function parseHead(
  head: string,
  header: string,
): { status: number; lb: string | null } | undefined {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!m) return undefined;
  const re = new RegExp(`\\r\\n${header}:[ \\t]*([^\\r\\n]*)`, 'i');
  const lb = re.exec(head)?.[1]?.trim().slice(0, 64) ?? null;
  return { status: Number(m[1]), lb: lb || null };
}

interface Target {
  host: string;
  port: number;
  request: Buffer;
}

function targetOf(url: string): Target {
  const u = new URL(url);
  if (u.protocol !== 'http:') throw new Error(`the client probe speaks http:// only, not ${url}`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const request = `GET ${u.pathname}${u.search} HTTP/1.0\r\nHost: ${u.host}\r\nUser-Agent: keepwatch-drill-probe\r\n\r\n`;
  return { host, port: Number(u.port || 80), request: Buffer.from(request, 'latin1') };
}

export class ClientProbe {
  private readonly target: Target;
  private readonly now: () => number;
  private readonly header: string;
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Grid slots skipped because the event loop was late (reported, never bunched up). */
  skipped = 0;
  sent = 0;

  constructor(private readonly opts: ClientProbeOptions) {
    this.target = targetOf(opts.url);
    this.now = opts.now ?? (() => performance.timeOrigin + performance.now());
    this.header = (opts.lbHeader ?? 'x-keepwatch-lb').replace(/[^A-Za-z0-9-]/g, '');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.next = performance.now();
    this.tick();
  }

  /** Stops starting requests and waits for those in flight (each ends by its timeout). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([...this.inFlight]);
  }

  private tick(): void {
    if (!this.running) return;
    const p = this.once();
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    this.next += this.opts.intervalMs;
    const late = performance.now() - this.next;
    if (late > this.opts.intervalMs) {
      // A blocked event loop: resume on a fresh grid rather than fire the missed slots at once.
      const missed = Math.floor(late / this.opts.intervalMs);
      this.skipped += missed;
      this.next += missed * this.opts.intervalMs;
    }
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.next - performance.now()));
  }

  private once(): Promise<void> {
    this.sent++;
    const t = this.now();
    const p0 = performance.now();
    return new Promise<void>((resolve) => {
      let head = '';
      let done = false;
      const sock = connect({ host: this.target.host, port: this.target.port });
      const finish = (r: ProbeResult, lb: string | null = null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sock.destroy();
        this.opts.onSample({ t, ms: Math.round((performance.now() - p0) * 100) / 100, r, lb });
        resolve();
      };
      const timer = setTimeout(() => finish('timeout'), this.opts.timeoutMs);
      sock.setNoDelay(true);
      sock.once('connect', () => sock.write(this.target.request));
      sock.setEncoding('latin1');
      sock.on('data', (chunk: string) => {
        head += chunk;
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_HEAD) finish('error');
          return;
        }
        const parsed = parseHead(head.slice(0, end), this.header);
        if (parsed && parsed.status >= 100 && parsed.status <= 599)
          finish(parsed.status, parsed.lb);
        else finish('error');
      });
      sock.once('error', (err: NodeJS.ErrnoException) => finish(resultOf(err)));
      sock.once('close', () => finish('closed'));
    });
  }
}
