import type { ProbeResult } from '@keepwatch/shared';
import { exchange, peerOf, type Exchange, type Peer, type Transport } from './tcp-exchange';

/*
 * The drill's client probe: one HTTP/1.0 GET on a fresh TCP connection every intervalMs,
 * the way a new client arrives (a kept-alive connection would hide a VIP move, or die with
 * the old MASTER). Requests start on a fixed grid whether or not the previous one finished,
 * so a hanging connect (no VIP holder, a frozen nginx) costs its own timeout and nothing
 * else: downtime is resolved to one interval. A request is done at the end of the response
 * headers (status line + X-Keepwatch-LB): the body tells nothing about failover.
 *
 * Not node:http, nor net.Socket unless it must (tcp-exchange.ts): at 50 requests a second
 * the client's machinery is most of the cost, and `pnpm bench drill` holds the server to 5 %
 * of a core while it probes. For the same reason there is no timer per request: the grid's
 * tick sweeps the deadlines (a late answer is a timeout all the same: it is checked when it
 * arrives), and no Promise per request.
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
  /** Node's TCP handle or net.Socket (tcp-exchange.ts); default the handle where it loads. */
  transport?: Transport;
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

function resultOf(code: string): ProbeResult {
  if (code === 'EOF') return 'closed';
  return RESULT_OF_CODE[code] ?? 'error';
}

/** The named header's regex, compiled once (not once per response). */
const headerRe = new Map<string, RegExp>();

/** Status and the named header from a response head (latin1 text up to the blank line). */
export function parseHead(
  head: string,
  header: string,
): { status: number; lb: string | null } | undefined {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!m) return undefined;
  let re = headerRe.get(header);
  if (!re) headerRe.set(header, (re = new RegExp(`\\r\\n${header}:[ \\t]*([^\\r\\n]*)`, 'i')));
  const lb = re.exec(head)?.[1]?.trim().slice(0, 64) ?? null;
  return { status: Number(m[1]), lb: lb || null };
}

interface Target {
  peer: Peer;
  request: Buffer;
}

function targetOf(url: string): Target {
  const u = new URL(url);
  if (u.protocol !== 'http:') throw new Error(`the client probe speaks http:// only, not ${url}`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const request = `GET ${u.pathname}${u.search} HTTP/1.0\r\nHost: ${u.host}\r\nUser-Agent: keepwatch-drill-probe\r\n\r\n`;
  return { peer: peerOf(host, Number(u.port || 80)), request: Buffer.from(request, 'latin1') };
}

interface Pending {
  deadline: number;
  finish: (r: ProbeResult, lb?: string | null) => void;
  ex?: Exchange;
}

export interface ProbeGroupTarget {
  name: string;
  url: string;
  intervalMs: number;
  timeoutMs: number;
}

export interface ProbeGroupOptions {
  targets: readonly ProbeGroupTarget[];
  onSample: (target: string, s: ProbeSample) => void;
  /** Called on every tick of the group's timer, after the requests it started. */
  onTick?: () => void;
  lbHeader?: string;
  now?: () => number;
  transport?: Transport;
}

interface Slot extends Target {
  name: string;
  intervalMs: number;
  timeoutMs: number;
  /** The target's next grid slot (performance.now() ms). */
  next: number;
  skipped: number;
  sent: number;
}

/**
 * Several targets on one timer (a drill probes the VIP every 20 ms and each load balancer
 * every 250 ms): the timer runs on the shortest interval's grid, and every target keeps its
 * own grid, started by the first tick at or after its slot less half a tick (a 250 ms target
 * on a 20 ms grid goes at 240 or 260 ms, 250 on average). One wakeup serves every target due.
 */
export class ProbeGroup {
  private readonly slots: Slot[];
  private readonly now: () => number;
  private readonly header: string;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private running = false;
  private readonly inFlight = new Set<Pending>();
  private drained: (() => void) | undefined;

  constructor(private readonly opts: ProbeGroupOptions) {
    if (opts.targets.length === 0) throw new Error('a probe group needs a target');
    this.slots = opts.targets.map((t) => ({
      ...targetOf(t.url),
      name: t.name,
      intervalMs: t.intervalMs,
      timeoutMs: t.timeoutMs,
      next: 0,
      skipped: 0,
      sent: 0,
    }));
    this.tickMs = Math.min(...opts.targets.map((t) => t.intervalMs));
    this.now = opts.now ?? (() => performance.timeOrigin + performance.now());
    this.header = (opts.lbHeader ?? 'x-keepwatch-lb').replace(/[^A-Za-z0-9-]/g, '');
  }

  /** Requests started and grid slots skipped (the event loop was late: never bunched up). */
  counts(target: string): { sent: number; skipped: number } {
    const s = this.slots.find((x) => x.name === target);
    return { sent: s?.sent ?? 0, skipped: s?.skipped ?? 0 };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.next = performance.now();
    for (const s of this.slots) s.next = this.next;
    this.tick();
  }

  /** Stops starting requests and waits for those in flight (each ends by its timeout). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight.size > 0) {
      let last = 0;
      for (const p of this.inFlight) last = Math.max(last, p.deadline);
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        this.timer = setTimeout(resolve, Math.max(0, last - performance.now()) + 1);
      });
      clearTimeout(this.timer);
      this.timer = undefined;
      this.drained = undefined;
      this.sweep(performance.now());
    }
  }

  /** Ends the requests past their deadline as timeouts. */
  private sweep(now: number): void {
    for (const p of this.inFlight) if (now >= p.deadline) p.finish('timeout');
  }

  private tick(): void {
    if (!this.running) return;
    const now = performance.now();
    this.sweep(now);
    for (const s of this.slots) {
      if (now < s.next - this.tickMs / 2) continue;
      this.once(s, now);
      s.next += s.intervalMs;
      const late = now - s.next;
      if (late > s.intervalMs) {
        // A blocked event loop: resume on a fresh grid rather than fire the missed slots at once.
        const missed = Math.floor(late / s.intervalMs);
        s.skipped += missed;
        s.next += missed * s.intervalMs;
      }
    }
    this.opts.onTick?.();
    this.next += this.tickMs;
    const late = now - this.next;
    if (late > this.tickMs) this.next += Math.floor(late / this.tickMs) * this.tickMs;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.next - performance.now()));
  }

  private once(slot: Slot, p0: number): void {
    slot.sent++;
    const t = this.now();
    const { timeoutMs, name } = slot;
    let head = '';
    const pending: Pending = {
      deadline: p0 + timeoutMs,
      finish: (r, lb = null) => {
        if (!this.inFlight.delete(pending)) return;
        pending.ex?.close();
        const elapsed = performance.now() - p0;
        // A timeout is reported at its deadline, whenever the sweep or a late answer saw it.
        const timedOut = r === 'timeout' || elapsed > timeoutMs;
        const ms = timedOut ? Math.min(elapsed, timeoutMs) : elapsed;
        this.opts.onSample(name, {
          t,
          ms: Math.round(ms * 100) / 100,
          r: timedOut ? 'timeout' : r,
          lb,
        });
        if (this.inFlight.size === 0) this.drained?.();
      },
    };
    this.inFlight.add(pending);
    pending.ex = exchange(
      slot.peer,
      slot.request,
      {
        data: (chunk) => {
          head += chunk;
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) {
            if (head.length > MAX_HEAD) pending.finish('error');
            return;
          }
          const parsed = parseHead(head.slice(0, end), this.header);
          if (parsed && parsed.status >= 100 && parsed.status <= 599)
            pending.finish(parsed.status, parsed.lb);
          else pending.finish('error');
        },
        end: (code) => pending.finish(resultOf(code)),
      },
      this.opts.transport,
    );
  }
}

/** One target on its own timer. */
export class ClientProbe {
  private readonly group: ProbeGroup;

  constructor(opts: ClientProbeOptions) {
    this.group = new ProbeGroup({
      targets: [
        { name: 'probe', url: opts.url, intervalMs: opts.intervalMs, timeoutMs: opts.timeoutMs },
      ],
      onSample: (_name, s) => opts.onSample(s),
      ...(opts.lbHeader !== undefined && { lbHeader: opts.lbHeader }),
      ...(opts.now !== undefined && { now: opts.now }),
      ...(opts.transport !== undefined && { transport: opts.transport }),
    });
  }

  /** Grid slots skipped because the event loop was late (reported, never bunched up). */
  get skipped(): number {
    return this.group.counts('probe').skipped;
  }

  get sent(): number {
    return this.group.counts('probe').sent;
  }

  start(): void {
    this.group.start();
  }

  /** Stops starting requests and waits for those in flight (each ends by its timeout). */
  stop(): Promise<void> {
    return this.group.stop();
  }
}
