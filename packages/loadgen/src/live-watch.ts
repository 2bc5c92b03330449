import WebSocket from 'ws';
import { LiveToBrowser, LoginResponse, createCodec } from '@keepwatch/shared';

/** A ws frame as text (ws hands a Buffer, or Buffer[] for fragmented frames). */
function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

/*
 * A browser's view of the load: logs in, opens the live feed and times each failover from
 * the moment the simulated agents sent it to the patch that shows the VIP on its new
 * holder (kernel view: vips[].holders). Same process and clock as the agents.
 */

const liveCodec = createCodec(LiveToBrowser);
const loginCodec = createCodec(LoginResponse);

export async function login(baseUrl: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (!res.ok) throw new Error(`login: HTTP ${res.status} ${await res.text()}`);
  const body = loginCodec.check(await res.json());
  if (!body.ok) throw new Error(`login response: ${body.error}`);
  return body.value.token;
}

export class LiveWatch {
  /** Failover → patch latencies in ms. */
  readonly latencies: number[] = [];
  /** The same latencies by the tag given to expect() (e.g. 'cross' / 'local' replica). */
  readonly tagged = new Map<string, number[]>();
  patches = 0;
  badFrames = 0;
  lastError = '';
  private readonly pending = new Map<string, { holder: string; sentAt: number; tag: string }>();
  private ws: WebSocket | undefined;
  readonly ready: Promise<void>;

  constructor(wsUrl: string, token: string) {
    this.ready = new Promise((resolve, reject) => {
      const ws = new WebSocket(`${wsUrl}/api/v1/live?token=${encodeURIComponent(token)}`);
      this.ws = ws;
      ws.on('message', (data) => {
        const type = this.onFrame(rawText(data));
        if (type === 'snapshot') resolve();
        // A feed that does not speak the live protocol is a broken run, not a slow one.
        else if (type === undefined) reject(new Error(`live feed: bad frame ${this.lastError}`));
      });
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`live feed closed (${code})`)));
    });
  }

  /** Expect cluster `clusterId`'s VIP to move to `holder`; sentAt = when the agents said so. */
  expect(clusterId: string, holder: string, sentAt: number, tag = ''): void {
    this.pending.set(clusterId, { holder, sentAt, tag });
  }

  /** Failovers sent but never seen in a patch. */
  get unseen(): number {
    return this.pending.size;
  }

  close(): void {
    this.ws?.terminate();
  }

  private onFrame(text: string): string | undefined {
    const r = liveCodec.check(JSON.parse(text) as unknown);
    if (!r.ok) {
      this.badFrames += 1;
      this.lastError = r.error;
      return undefined;
    }
    const m = r.value;
    if (m.type !== 'patch') return m.type;
    this.patches += 1;
    const now = Date.now();
    for (const c of m.upsert) {
      const want = this.pending.get(c.id);
      if (!want) continue;
      const holders = c.vips[0]?.holders ?? [];
      if (holders.length === 1 && holders[0] === want.holder) {
        this.latencies.push(now - want.sentAt);
        const list = this.tagged.get(want.tag) ?? [];
        list.push(now - want.sentAt);
        this.tagged.set(want.tag, list);
        this.pending.delete(c.id);
      }
    }
    return m.type;
  }
}
