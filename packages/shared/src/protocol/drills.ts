import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, NodeName } from './common';
import { DrillKind, DrillTextSchema } from './drills-kinds';
import { ProbeSampleTuple, type ProbeSampleTuple as ProbeSampleTupleType } from './probe';
import { Strict } from './strict';

export * from './drills-kinds';

/*
 * REST and live shapes of /api/v1/drills (the runner: apps/server/src/modules/drills).
 *
 *   POST /drills/preflight {clusterId, kind, options?} -> DrillPreflight   (nothing applied)
 *   POST /drills {clusterId, kind, options?}            -> 201 {id}  | 409/422 with reason
 *   GET  /drills/:id                                    -> Drill
 *   POST /drills/:id/abort                              -> Drill
 *   GET  /drills?clusterId=&limit=                      -> {drills: DrillSummary[]} newest first
 *   GET  /drills/:id/report.md|.html?lang=en|zh-CN      -> the report as a document
 *   GET  /drills/kinds                                  -> {kinds: DrillKindInfo[]}
 *   GET  /drills/proof                                  -> {clusters: DrillProof[]}
 *   GET/POST /drills/schedules, PUT/DELETE /drills/schedules/:id
 *
 * Live socket (/api/v1/live), for every open drill: drill.phase (each phase change and the
 * end), drill.samples (probe batches, about every 250 ms), drill.transition (VRRP, kernel
 * VIP, service and check-script changes as they happen).
 */

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });
const ClusterId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });

export const DrillStatus = Type.Union([
  Type.Literal('running'),
  Type.Literal('passed'),
  Type.Literal('failed'),
  Type.Literal('aborted'),
  Type.Literal('interrupted'),
]);
export type DrillStatus = Static<typeof DrillStatus>;

/** Where a drill is: preflight → baseline → fault → observe → restore → verify → report → done. */
export const DrillPhase = Type.Union([
  Type.Literal('preflight'),
  Type.Literal('baseline'),
  Type.Literal('fault'),
  Type.Literal('observe'),
  Type.Literal('restore'),
  Type.Literal('verify'),
  Type.Literal('report'),
  Type.Literal('done'),
]);
export type DrillPhase = Static<typeof DrillPhase>;

export const DrillOptions = Strict({
  /** How long the fault is held before the server restores it; default per kind. */
  holdMs: Type.Optional(Type.Integer({ minimum: 2000, maximum: 120_000 })),
  /** The host to fault; default the VIP's MASTER (LB kinds) or the first backend. */
  target: Type.Optional(NodeName),
  /** Which VIP, when the cluster has several (dual-master); default the first. */
  vip: Type.Optional(Type.String({ minLength: 3, maxLength: 64 })),
  /** Run the client probe on this agent (needs its `drills` grant); default the server. */
  probeFrom: Type.Optional(NodeName),
  /** Probe interval through the VIP (ms); default 10 (100 req/s). */
  probeIntervalMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 20 })),
  /** A probe request not answered within this counts as failed; default 200. */
  probeTimeoutMs: Type.Optional(Type.Integer({ minimum: 20, maximum: 2000 })),
  /** Automatic abort when the VIP is unserved this long; default 30000. */
  abortUnservedMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 300_000 })),
  /** Probe path; default "/". */
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: '^/' })),
});
export type DrillOptions = Static<typeof DrillOptions>;

export const DrillStartBody = Strict({
  clusterId: ClusterId,
  kind: DrillKind,
  options: Type.Optional(DrillOptions),
});
export type DrillStartBody = Static<typeof DrillStartBody>;

export const DrillStartResponse = Type.Object({ id: Type.String() });
export type DrillStartResponse = Static<typeof DrillStartResponse>;

export const DrillIdParams = Strict({ id: Id });
export const DrillReportParams = Strict({
  id: Id,
  format: Type.Union([Type.Literal('md'), Type.Literal('html')]),
});
export const DrillLangQuery = Strict({
  lang: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('zh-CN')])),
});
export const DrillListQuery = Strict({
  clusterId: Type.Optional(ClusterId),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

/** One preflight check (ids: PF-1… in the runner's SPEC.md). */
export const DrillCheck = Type.Object({
  id: Type.String(),
  ok: Type.Boolean(),
  /** The host it is about, if one. */
  node: Type.Optional(Type.String()),
  text: DrillTextSchema,
});
export type DrillCheck = Static<typeof DrillCheck>;

export const DrillPreflight = Type.Object({
  ok: Type.Boolean(),
  checks: Type.Array(DrillCheck),
  /** Who would be faulted, which VIP, and its current MASTER (when known). */
  plan: Type.Object({
    vip: Type.Union([Type.String(), Type.Null()]),
    master: Type.Union([Type.String(), Type.Null()]),
    targets: Type.Array(Type.String()),
    probeFrom: Type.String(),
    holdMs: Type.Integer(),
  }),
});
export type DrillPreflight = Static<typeof DrillPreflight>;

export const DrillTransitionKind = Type.Union([
  Type.Literal('fault'),
  Type.Literal('restore'),
  Type.Literal('vrrp'),
  Type.Literal('vip-add'),
  Type.Literal('vip-del'),
  Type.Literal('service'),
  Type.Literal('check-script'),
  Type.Literal('split-brain'),
  /** A kernel's VIP copy sits on a link that is down (it cannot answer there), and back up. */
  Type.Literal('link-down'),
  Type.Literal('link-up'),
  Type.Literal('abort'),
]);
export type DrillTransitionKind = Static<typeof DrillTransitionKind>;

/** Something that changed during the drill, on the server's clock (agent clocks corrected). */
export const DrillTransition = Type.Object({
  at: EpochMs,
  node: Type.String(),
  kind: DrillTransitionKind,
  /** e.g. "MASTER", "BACKUP 80", "nginx down", "chk_nginx failing". */
  detail: Type.String(),
});
export type DrillTransition = Static<typeof DrillTransition>;

export const DrillFinding = Type.Object({
  /** Stable id: stale-vip, split-brain, check-script-silent, no-failover, blackholed-requests… */
  code: Type.String(),
  severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
  text: DrillTextSchema,
  at: Type.Optional(EpochMs),
});
export type DrillFinding = Static<typeof DrillFinding>;

export const DrillAdvice = Type.Object({
  /** Stable id: vrrp3-subsecond, check-interval, proxy-next-upstream, proxy-connect-timeout, higher-prio-send-advert, track-file. */
  id: Type.String(),
  text: DrillTextSchema,
  /** The expected effect in words, with figures from the bound where it can. */
  effect: DrillTextSchema,
  /** Expected downtime after the change (ms), where the bound can compute it. */
  expectedMs: Type.Optional(Type.Number()),
});
export type DrillAdvice = Static<typeof DrillAdvice>;

/** The theoretical bound from the live keepalived config (packages/shared/src/config). */
export const DrillBound = Type.Object({
  /** Expected (mid) downtime and the range, ms; null when the kind has no failover. */
  expectedMs: Type.Union([Type.Number(), Type.Null()]),
  lowMs: Type.Union([Type.Number(), Type.Null()]),
  highMs: Type.Union([Type.Number(), Type.Null()]),
  parts: Type.Array(Type.Object({ name: Type.String(), ms: Type.Number(), text: DrillTextSchema })),
  config: Type.Object({
    vrrpVersion: Type.Union([Type.Integer(), Type.Null()]),
    advertIntMs: Type.Union([Type.Number(), Type.Null()]),
    backupPriority: Type.Union([Type.Integer(), Type.Null()]),
    skewMs: Type.Union([Type.Number(), Type.Null()]),
    masterDownMs: Type.Union([Type.Number(), Type.Null()]),
    checkScript: Type.Union([Type.String(), Type.Null()]),
    checkIntervalMs: Type.Union([Type.Number(), Type.Null()]),
    checkFall: Type.Union([Type.Integer(), Type.Null()]),
    higherPrioSendAdvert: Type.Boolean(),
    trackFile: Type.Boolean(),
  }),
});
export type DrillBound = Static<typeof DrillBound>;

export const DrillLogLine = Type.Object({
  at: EpochMs,
  node: Type.String(),
  source: Type.String(),
  text: Type.String(),
});
export type DrillLogLine = Static<typeof DrillLogLine>;

export const DrillCriterionResult = Type.Object({
  id: Type.String(),
  ok: Type.Boolean(),
  text: DrillTextSchema,
  /** Why, with figures. */
  detail: Type.Optional(Type.String()),
});
export type DrillCriterionResult = Static<typeof DrillCriterionResult>;

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/**
 * A probe sample in a REST response: the ProbeSampleTuple type, described as a 4-item array
 * (fast-json-stringify cannot serialise a tuple with a union item).
 */
export const DrillSample = Type.Unsafe<ProbeSampleTupleType>(
  Type.Array(Type.Union([Type.Number(), Type.String(), Type.Null()]), { minItems: 4, maxItems: 4 }),
);

export const DrillReport = Type.Object({
  vip: Type.Union([Type.String(), Type.Null()]),
  /** The MASTER when the drill started, and who was faulted. */
  oldMaster: Type.Union([Type.String(), Type.Null()]),
  targets: Type.Array(Type.String()),
  probeFrom: Type.String(),
  probeIntervalMs: Type.Integer(),
  probeTimeoutMs: Type.Integer(),
  holdMs: Type.Integer(),
  faultAt: NullableNumber,
  restoreAt: NullableNumber,
  /** Client downtime: first failed request to the first good one after it (longest run), ms. */
  downtimeMs: Type.Number(),
  failedRequests: Type.Integer(),
  totalRequests: Type.Integer(),
  /** Requests answered per load balancer (its X-Keepwatch-LB header). */
  answeredBy: Type.Record(Type.String(), Type.Integer()),
  /** fault → the first keepalived transition (or check-script failure) that starts the failover. */
  detectionMs: NullableNumber,
  /** that transition → the VIP in the new MASTER's kernel. */
  takeoverMs: NullableNumber,
  /** the kernel VIP move → the first good request through it. */
  convergenceMs: NullableNumber,
  newMaster: Type.Union([Type.String(), Type.Null()]),
  timeToNewMasterMs: NullableNumber,
  failback: Type.Object({
    /** Disruption while the VIP went back to the original MASTER, ms. */
    disruptionMs: Type.Number(),
    failedRequests: Type.Integer(),
    /** restore → VIP back on the original MASTER, ms. */
    timeMs: NullableNumber,
  }),
  /** The steady state is back: VIP on the original MASTER only, every service up. */
  restored: Type.Boolean(),
  /** Both kernels held the VIP at some time during the drill. */
  splitBrainSeen: Type.Boolean(),
  /** The tracked check script changed the MASTER's priority during the fault. */
  checkScriptFired: Type.Union([Type.Boolean(), Type.Null()]),
  bound: Type.Union([DrillBound, Type.Null()]),
  criteria: Type.Array(DrillCriterionResult),
  findings: Type.Array(DrillFinding),
  advice: Type.Array(DrillAdvice),
  transitions: Type.Array(DrillTransition),
  logs: Type.Array(DrillLogLine),
  /** Probe results (sample tuples on the server clock): "vip" and each LB's own address. */
  samples: Type.Record(Type.String(), Type.Array(DrillSample)),
  /** Agents' measured clock offsets used to correct their timestamps, ms. */
  clockOffsets: Type.Record(Type.String(), Type.Number()),
});
export type DrillReport = Static<typeof DrillReport>;

export const DrillSummary = Type.Object({
  id: Type.String(),
  clusterId: Type.String(),
  kind: DrillKind,
  status: DrillStatus,
  phase: DrillPhase,
  startedBy: Type.String(),
  scheduleId: Type.Union([Type.Integer(), Type.Null()]),
  startedAt: EpochMs,
  endedAt: Type.Union([EpochMs, Type.Null()]),
  downtimeMs: NullableNumber,
  failedRequests: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
});
export type DrillSummary = Static<typeof DrillSummary>;

export const Drill = Type.Object({
  ...DrillSummary.properties,
  options: Type.Record(Type.String(), Type.Unknown()),
  preflight: Type.Union([DrillPreflight, Type.Null()]),
  report: DrillReport,
});
export type Drill = Static<typeof Drill>;

export const DrillList = Type.Object({ drills: Type.Array(DrillSummary) });
export type DrillList = Static<typeof DrillList>;

/** When a cluster's failover was last proven (a passed drill that moved the VIP). */
export const DrillProof = Type.Object({
  clusterId: Type.String(),
  lastProvenAt: Type.Union([EpochMs, Type.Null()]),
  lastProvenKind: Type.Union([DrillKind, Type.Null()]),
  drillId: Type.Union([Type.String(), Type.Null()]),
  /** Not proven within staleAfterMs (KEEPWATCH_DRILL_STALE_DAYS, default 30 days). */
  stale: Type.Boolean(),
  staleAfterMs: Type.Integer(),
});
export type DrillProof = Static<typeof DrillProof>;

export const DrillProofList = Type.Object({ clusters: Type.Array(DrillProof) });

/** A window a scheduled drill must start inside: days of week and local hours. */
export const DrillWindow = Strict({
  /** 0 = Sunday … 6 = Saturday; empty or absent = every day. */
  days: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
  /** "HH:MM" local time in the schedule's time zone; end may be before start (overnight). */
  start: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
  end: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
});
export type DrillWindow = Static<typeof DrillWindow>;

export const DrillScheduleInput = Strict({
  clusterId: ClusterId,
  kind: DrillKind,
  options: Type.Optional(DrillOptions),
  /** Croner expression (5 or 6 fields). */
  cron: Type.String({ minLength: 9, maxLength: 128 }),
  /** IANA time zone, e.g. "Asia/Shanghai"; default UTC. */
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  window: DrillWindow,
  enabled: Type.Optional(Type.Boolean()),
});
export type DrillScheduleInput = Static<typeof DrillScheduleInput>;

export const DrillSchedule = Type.Object({
  id: Type.Integer(),
  clusterId: Type.String(),
  kind: DrillKind,
  options: Type.Record(Type.String(), Type.Unknown()),
  cron: Type.String(),
  timezone: Type.String(),
  window: Type.Object({
    days: Type.Optional(Type.Array(Type.Integer())),
    start: Type.String(),
    end: Type.String(),
  }),
  enabled: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: EpochMs,
  /** Next run the cron gives that falls inside the window; null if none within a year. */
  nextRunAt: Type.Union([EpochMs, Type.Null()]),
  lastRunAt: Type.Union([EpochMs, Type.Null()]),
  lastDrillId: Type.Union([Type.String(), Type.Null()]),
  lastResult: Type.Union([Type.String(), Type.Null()]),
});
export type DrillSchedule = Static<typeof DrillSchedule>;

export const DrillScheduleList = Type.Object({ schedules: Type.Array(DrillSchedule) });
export const DrillScheduleIdParams = Strict({ id: Type.Integer({ minimum: 1 }) });

// ---- live socket (server -> browser) ----

export const LiveDrillPhase = Type.Object({
  type: Type.Literal('drill.phase'),
  drillId: Type.String(),
  clusterId: Type.String(),
  kind: DrillKind,
  phase: DrillPhase,
  status: DrillStatus,
  at: EpochMs,
  /** The fault time once known (the chart's zero). */
  faultAt: Type.Optional(EpochMs),
  message: Type.Optional(Type.String()),
});
export type LiveDrillPhase = Static<typeof LiveDrillPhase>;

export const LiveDrillSamples = Type.Object({
  type: Type.Literal('drill.samples'),
  drillId: Type.String(),
  /** "vip" or a load balancer's name (its own address). */
  target: Type.String(),
  samples: Type.Array(ProbeSampleTuple),
});
export type LiveDrillSamples = Static<typeof LiveDrillSamples>;

export const LiveDrillTransition = Type.Object({
  type: Type.Literal('drill.transition'),
  drillId: Type.String(),
  transition: DrillTransition,
});
export type LiveDrillTransition = Static<typeof LiveDrillTransition>;

export const LiveDrillMessage = Type.Union([LiveDrillPhase, LiveDrillSamples, LiveDrillTransition]);
export type LiveDrillMessage = Static<typeof LiveDrillMessage>;
