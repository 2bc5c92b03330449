import type { AgentPong } from '@keepwatch/shared';
import { ClockSync } from './clock-sync';
import {
  CLOSE_PONG_TIMEOUT,
  PING_INTERVAL_MS,
  PONG_TIMEOUT_MS,
  type AgentConnectionDeps,
  type ConnectionPort,
} from './connection-deps';

/**
 * Ping/pong of one welcomed socket: a ping every interval with `{id, t0}`, the clock offset
 * from each pong (clock-sync.ts, handed to the `clock` ingest hooks), and the socket dropped
 * when pongs stop.
 */
export class AgentHeartbeat {
  private lastPongAt = 0;
  private pingId = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly clock = new ClockSync();

  constructor(
    private readonly deps: Pick<AgentConnectionDeps, 'hooks' | 'now' | 'timing'>,
    private readonly port: ConnectionPort,
  ) {}

  /** From the welcome on; the first ping at once (the offset is worth knowing early). */
  start(at: number): void {
    this.lastPongAt = at;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.deps.timing?.pingMs ?? PING_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  onPong(pong: AgentPong): void {
    const t3 = this.deps.now();
    this.lastPongAt = t3;
    const best = this.clock.add(pong.t0, pong.t1, pong.t2, t3);
    this.deps.hooks.clock({ agentId: this.port.agentId(), ...best });
  }

  private tick(): void {
    const now = this.deps.now();
    const pongMs = this.deps.timing?.pongMs ?? PONG_TIMEOUT_MS;
    if (now - this.lastPongAt > pongMs) {
      this.port.close(CLOSE_PONG_TIMEOUT, `no pong for ${pongMs / 1000} s`);
      // A frozen or cut-off peer never completes the closing handshake; ws would wait ~30 s
      // before 'close' fires. Drop the TCP connection now so the agent shows offline at once.
      this.port.terminate();
      return;
    }
    this.port.send({ type: 'ping', id: ++this.pingId, t0: now });
  }
}
