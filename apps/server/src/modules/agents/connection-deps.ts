import type { FastifyBaseLogger } from 'fastify';
import type { ServerToAgent } from '@keepwatch/shared';
import type { EventBus } from '../../plugins/event-bus';
import type { AgentIngest } from './agent-ingest';
import type { HelloAdmission } from './hello-admission';
import type { IngestBudget } from './ingest-budget';
import type { IngestHooks } from './ingest-hooks';

export const HELLO_TIMEOUT_MS = 10_000;
export const PING_INTERVAL_MS = 5_000;
export const PONG_TIMEOUT_MS = 15_000;
/** Not in the shared CloseCode set: only the server decides a peer went silent. */
export const CLOSE_PONG_TIMEOUT = 4408;

/** Admission (hello-admission.ts: credential, node binding, names) plus what a socket needs. */
export interface AgentConnectionDeps extends HelloAdmission {
  ingest: AgentIngest;
  /** Per-agent frame and byte budget (ingest-budget.ts), charged for every frame after the hello. */
  budget: IngestBudget;
  /** Agent times later than receive time + this are clamped (the original is kept). */
  clockSkewMs: number;
  /** For agent.logs only; every ingest event goes through `hooks` (which fan out on the bus). */
  bus: EventBus;
  /** The declared ingest order (ingest-hooks.ts, SPEC.md IH-*). */
  hooks: IngestHooks;
  now: () => number;
  log: FastifyBaseLogger;
  /** Overrides for tests; defaults are the protocol's 10 s / 5 s / 15 s. */
  timing?: { helloMs?: number; pingMs?: number; pongMs?: number };
}

/** What the parts of one connection (data path, heartbeat) act through. */
export interface ConnectionPort {
  /** The agent of this socket ('' before its hello). */
  agentId(): string;
  send(msg: ServerToAgent): void;
  close(code: number, reason: string): void;
  /** Drops the TCP connection at once (a peer that will not finish a closing handshake). */
  terminate(): void;
}
