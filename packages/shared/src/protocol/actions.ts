import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Seq, ServiceName } from './common';
import { ProbeRunParams, ProbeStopParams } from './probe';
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

/*
 * What an agent can do to its own host for a drill, each undone by drill.restore or by the
 * agent itself when restoreAfterMs passes (dead-man switch):
 *   stop-nginx / stop-keepalived / stop-backend  service manager stop → start
 *   kill-keepalived    SIGKILL of every keepalived process (a crash: no goodbye advert, the
 *                      VIP stays in this kernel) → service manager start
 *   freeze-nginx       SIGSTOP of the nginx master and workers (connections hang) → SIGCONT
 *   blackhole-backend  nft drop of the backend port from other hosts (connects hang) → delete
 *   link-down          `ip link set dev IF down` (the agent's own link may go too) → up
 *   block-vrrp         nft drop of incoming VRRP (split brain) → delete
 */
export const DrillFaultKind = Type.Union([
  Type.Literal('stop-nginx'),
  Type.Literal('stop-keepalived'),
  Type.Literal('stop-backend'),
  Type.Literal('block-vrrp'),
  Type.Literal('kill-keepalived'),
  Type.Literal('freeze-nginx'),
  Type.Literal('blackhole-backend'),
  Type.Literal('link-down'),
]);
export type DrillFaultKind = Static<typeof DrillFaultKind>;

/** A kernel interface name (IFNAMSIZ - 1 = 15 bytes). */
export const InterfaceName = Type.String({
  minLength: 1,
  maxLength: 15,
  pattern: '^[A-Za-z0-9._@-]+$',
});

export const DrillFaultParams = Strict({
  drillId: Type.String({ minLength: 1, maxLength: 64 }),
  fault: DrillFaultKind,
  /** Dead-man switch: the agent restores by itself this long after applying the fault. */
  restoreAfterMs: Type.Integer({ minimum: 1000, maximum: 600_000 }),
  /** link-down: the interface to take down (the VRRP interface of the instance). */
  interface: Type.Optional(InterfaceName),
  /** blackhole-backend: the TCP port to drop; default the port of the agent's tomcat probe. */
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
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
  Strict({ ...Req, action: Type.Literal('probe.run'), params: ProbeRunParams }),
  Strict({ ...Req, action: Type.Literal('probe.stop'), params: ProbeStopParams }),
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
      /** Agent clock when the step started (drills place the fault on the timeline with it). */
      at: Type.Optional(EpochMs),
    }),
    { maxItems: 64 },
  ),
  startedAt: EpochMs,
  finishedAt: EpochMs,
});
export type ActionResult = Static<typeof ActionResult>;
