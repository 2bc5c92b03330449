import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Seq } from './common';
import { Strict } from './strict';

/*
 * The client probe of a drill: HTTP GETs through the VIP (and, slower, to each load
 * balancer's own address), each on a fresh TCP connection the way a new client arrives.
 * It runs on the server by default, or on a chosen agent (`probe.run`, which needs the
 * agent's 'drills' control) when the server cannot reach the VIP. An agent streams what it
 * measured as durable `probe.samples` batches and stops by itself after durationMs.
 */

export const ProbeTarget = Strict({
  /** Short name shown in the report: "vip" or a node name. */
  name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
  url: Type.String({ minLength: 8, maxLength: 512, pattern: '^http://' }),
  /** One request starts every intervalMs, whether or not the previous one finished. */
  intervalMs: Type.Integer({ minimum: 10, maximum: 5000 }),
  /** A request not answered (status line and headers) within this counts as failed. */
  timeoutMs: Type.Integer({ minimum: 20, maximum: 10_000 }),
});
export type ProbeTarget = Static<typeof ProbeTarget>;

export const ProbeRunParams = Strict({
  probeId: Type.String({ minLength: 1, maxLength: 64 }),
  targets: Type.Array(ProbeTarget, { minItems: 1, maxItems: 8 }),
  /** Hard bound: the agent stops by itself this long after starting. */
  durationMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
});
export type ProbeRunParams = Static<typeof ProbeRunParams>;

export const ProbeStopParams = Strict({
  probeId: Type.String({ minLength: 1, maxLength: 64 }),
});
export type ProbeStopParams = Static<typeof ProbeStopParams>;

/**
 * What one request found: an HTTP status (200, 502…) or why there was none: refused,
 * timeout, reset, unreachable, closed (connection ended before a status line), error.
 */
export const ProbeResult = Type.Union([
  Type.Integer({ minimum: 100, maximum: 599 }),
  Type.Union([
    Type.Literal('refused'),
    Type.Literal('timeout'),
    Type.Literal('reset'),
    Type.Literal('unreachable'),
    Type.Literal('closed'),
    Type.Literal('error'),
  ]),
]);
export type ProbeResult = Static<typeof ProbeResult>;

/**
 * One request, compact on the wire: [start (epoch ms, the prober's clock), latency ms,
 * result, load balancer that answered (its X-Keepwatch-LB header) or null].
 */
export const ProbeSampleTuple = Type.Tuple([
  EpochMs,
  Type.Number({ minimum: 0 }),
  ProbeResult,
  Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
]);
export type ProbeSampleTuple = Static<typeof ProbeSampleTuple>;

/** agent -> server, durable (seq): a batch of one target's samples; `final` ends the run. */
export const ProbeSamples = Strict({
  type: Type.Literal('probe.samples'),
  seq: Seq,
  ts: EpochMs,
  probeId: Type.String({ minLength: 1, maxLength: 64 }),
  target: Type.String({ minLength: 1, maxLength: 64 }),
  samples: Type.Array(ProbeSampleTuple, { maxItems: 2000 }),
  final: Type.Optional(Type.Boolean()),
});
export type ProbeSamples = Static<typeof ProbeSamples>;
