import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Seq, ServiceName } from './common';
import { Strict } from './strict';

/*
 * The closed set of actions a server may ask an agent for (server -> agent
 * `action.request`, agent -> server `action.result`). An agent runs one only if its own
 * host config grants the matching control ('config' or 'drills'); otherwise it answers
 * ok=false with error.code 'not_permitted' and logs the refusal.
 */

export const ConfigComponent = Type.Union([Type.Literal('keepalived'), Type.Literal('nginx')]);
export type ConfigComponent = Static<typeof ConfigComponent>;

export const ConfigApplyParams = Strict({
  component: ConfigComponent,
  /** The complete new file. */
  content: Type.String({ maxLength: 1024 * 1024 }),
  /** sha256 (hex) of the file the server based its change on; refused if it changed since. */
  baseHash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  /** Only validate (keepalived -t / nginx -t) and report; do not install. */
  dryRun: Type.Optional(Type.Boolean()),
});
export type ConfigApplyParams = Static<typeof ConfigApplyParams>;

export const DrillFaultKind = Type.Union([
  Type.Literal('stop-nginx'),
  Type.Literal('stop-keepalived'),
  Type.Literal('stop-backend'),
  Type.Literal('block-vrrp'),
]);
export type DrillFaultKind = Static<typeof DrillFaultKind>;

export const DrillFaultParams = Strict({
  drillId: Type.String({ minLength: 1, maxLength: 64 }),
  fault: DrillFaultKind,
  /** Dead-man switch: the agent restores by itself this long after applying the fault. */
  restoreAfterMs: Type.Integer({ minimum: 1000, maximum: 600_000 }),
});
export type DrillFaultParams = Static<typeof DrillFaultParams>;

export const DrillRestoreParams = Strict({
  drillId: Type.String({ minLength: 1, maxLength: 64 }),
});
export type DrillRestoreParams = Static<typeof DrillRestoreParams>;

export const ServiceStatusParams = Strict({ service: ServiceName });

const Req = {
  type: Type.Literal('action.request'),
  /** Correlates the result; unique per server. */
  id: Type.String({ minLength: 1, maxLength: 64 }),
};

export const ActionRequest = Type.Union([
  Strict({ ...Req, action: Type.Literal('config.apply'), params: ConfigApplyParams }),
  Strict({ ...Req, action: Type.Literal('drill.fault'), params: DrillFaultParams }),
  Strict({ ...Req, action: Type.Literal('drill.restore'), params: DrillRestoreParams }),
  Strict({ ...Req, action: Type.Literal('service.status'), params: ServiceStatusParams }),
]);
export type ActionRequest = Static<typeof ActionRequest>;
export type ActionName = ActionRequest['action'];

export const ActionResult = Strict({
  type: Type.Literal('action.result'),
  seq: Seq,
  ts: EpochMs,
  id: Type.String({ minLength: 1, maxLength: 64 }),
  action: Type.String({ maxLength: 32 }),
  ok: Type.Boolean(),
  error: Type.Optional(
    Strict({
      /** not_permitted | invalid | validation_failed | conflict | timeout | failed | rolled_back | rollback_failed */
      code: Type.String({ maxLength: 32 }),
      message: Type.String({ maxLength: 4096 }),
    }),
  ),
  /** Per-step record: what ran (argv), exit code, duration, trimmed output. */
  steps: Type.Array(
    Strict({
      step: Type.String({ maxLength: 64 }),
      ok: Type.Boolean(),
      argv: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 64 })),
      code: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
      durationMs: Type.Optional(Type.Number({ minimum: 0 })),
      output: Type.Optional(Type.String({ maxLength: 8192 })),
    }),
    { maxItems: 64 },
  ),
  startedAt: EpochMs,
  finishedAt: EpochMs,
});
export type ActionResult = Static<typeof ActionResult>;
