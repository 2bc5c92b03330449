import { Type, type Static } from '@sinclair/typebox';
import { ConfigFinding } from '../config/findings';
import { ImportNote } from '../config/import-notes';
import { NeighbourInstance } from '../config/keepalived-rules';
import { ClusterModel } from '../config/model';
import { EpochMs, NodeName } from './common';
import { Strict } from './strict';

/*
 * REST shapes of configuration management (issue 9): the live files, analysis of a draft,
 * pushes, versions (changesets), diffs, rollback and drift. The names fixed by
 * ARCHITECTURE.md's public contracts (GET /clusters/:id/config, POST .../config/push,
 * GET /pushes/:id) keep exactly the fields it lists; everything else is added beside them.
 *
 *   GET  /api/v1/clusters/:id/config             live files per host, drift, live findings
 *   POST /api/v1/clusters/:id/config/analyze     {changes} -> findings + import of the draft
 *   POST /api/v1/clusters/:id/config/render      {model} -> each host's files from a model
 *   GET  /api/v1/clusters/:id/config/drift       per host and file: in sync with the last push?
 *   POST /api/v1/clusters/:id/config/push        {message, changes, dryRun?} -> {pushId}  (operator)
 *   GET  /api/v1/clusters/:id/pushes             pushes, newest first
 *   GET  /api/v1/pushes/:id                      one push with per-host progress
 *   GET  /api/v1/clusters/:id/changesets         versions, newest first
 *   GET  /api/v1/changesets/:id                  one version with every file's content
 *   GET  /api/v1/changesets/diff?from=&to=       unified diff per file (`to` may be `live`)
 *   POST /api/v1/changesets/:id/rollback         the cluster back to that version, as a new push (operator)
 *
 * Progress also arrives on the browser live socket as `push.progress` (the whole PushView,
 * every time it changes).
 */

export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const ConfigComponentKind = Type.Union([Type.Literal('keepalived'), Type.Literal('nginx')]);
export type ConfigComponentKind = Static<typeof ConfigComponentKind>;

const ClusterIdParam = Type.String({ minLength: 1, maxLength: 64 });
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });
/** A complete config file as the editor sends it (the agent refuses more than 1 MiB). */
const FileContent = Type.String({ maxLength: 1024 * 1024 });

export const ConfigClusterParams = Strict({ id: ClusterIdParam });
export type ConfigClusterParams = Static<typeof ConfigClusterParams>;
export const PushParams = Strict({ id: Id });
export const ChangesetParams = Strict({ id: Id });

/** Whether a host's live file still is what the last push installed there. */
export const DriftState = Type.Union([
  /** The live sha256 is the one the last changeset recorded for this host and file. */
  Type.Literal('in_sync'),
  /** Changed on the host since (someone edited it by hand, or another tool). */
  Type.Literal('drifted'),
  /** No push has ever recorded this host's file. */
  Type.Literal('never_pushed'),
  /** The agent has not reported the file (offline, unreadable). */
  Type.Literal('unknown'),
]);
export type DriftState = Static<typeof DriftState>;

export const FileDrift = Type.Object({
  state: DriftState,
  /** The changeset whose file the live one is compared with. */
  changesetId: Type.Optional(Type.String()),
  pushedSha256: Type.Optional(Type.String()),
  liveSha256: Type.Optional(Type.String()),
  /** When the agent last reported the live file. */
  observedAt: Type.Optional(EpochMs),
});
export type FileDrift = Static<typeof FileDrift>;

/** A file the main config includes, as the agent read it. */
export const IncludedFile = Type.Object({
  path: Type.String(),
  sha256: Type.String(),
  content: Type.String(),
});
export type IncludedFile = Static<typeof IncludedFile>;

export const LiveConfigFile = Type.Object({
  component: ConfigComponentKind,
  path: Type.String(),
  sha256: Type.String(),
  content: Type.String(),
  includes: Type.Optional(Type.Array(IncludedFile)),
  /** The last `keepalived -t` / `nginx -t` the agent ran on it. */
  test: Type.Optional(
    Type.Object({
      ok: Type.Boolean(),
      code: Type.Union([Type.Integer(), Type.Null()]),
      output: Type.String(),
    }),
  ),
  observedAt: EpochMs,
  drift: FileDrift,
});
export type LiveConfigFile = Static<typeof LiveConfigFile>;

export const HostConfig = Type.Object({
  host: Type.String(),
  online: Type.Boolean(),
  /** The host's VRRP role now (kernel VIP holder first): the push order follows it. */
  role: Type.Union([Type.Literal('master'), Type.Literal('backup'), Type.Literal('unknown')]),
  files: Type.Array(LiveConfigFile),
});
export type HostConfig = Static<typeof HostConfig>;

/** GET /clusters/:id/config */
export const ClusterConfigResponse = Type.Object({
  clusterId: Type.String(),
  hosts: Type.Array(HostConfig),
  /** The newest changeset of the cluster, if any push succeeded. */
  currentChangesetId: Type.Optional(Type.String()),
  /** true when any host's file drifted from the last push. */
  drifted: Type.Boolean(),
  /** Analysis of the live files (config/ANALYSIS.md), in both languages. */
  findings: Type.Array(ConfigFinding),
  /** Other clusters' VRRP instances: a draft's analysis checks VR-1 against them too. */
  neighbours: Type.Optional(Type.Array(NeighbourInstance)),
  /** A push running on the cluster now. */
  runningPushId: Type.Optional(Type.String()),
});
export type ClusterConfigResponse = Static<typeof ClusterConfigResponse>;

/** One file to change. `baseHash`: the sha256 the editor loaded; a stale one is a 409. */
export const ConfigChangeInput = Strict({
  host: NodeName,
  component: ConfigComponentKind,
  content: FileContent,
  baseHash: Type.Optional(Sha256Hex),
});
export type ConfigChangeInput = Static<typeof ConfigChangeInput>;

const Changes = Type.Array(ConfigChangeInput, { maxItems: 32 });

/** POST /clusters/:id/config/analyze: the live files with `changes` laid over them. */
export const AnalyzeRequest = Strict({ changes: Changes });
export type AnalyzeRequest = Static<typeof AnalyzeRequest>;

export const AnalyzeResponse = Type.Object({
  findings: Type.Array(ConfigFinding),
  /** The draft as a cluster model (absent when it describes no VRRP instance). */
  model: Type.Optional(ClusterModel),
  /** What the model could not hold, per host and file. */
  notes: Type.Array(ImportNote),
});
export type AnalyzeResponse = Static<typeof AnalyzeResponse>;

/** POST /clusters/:id/config/render: each load balancer's files from a model. */
export const RenderRequest = Strict({ model: ClusterModel });
export type RenderRequest = Static<typeof RenderRequest>;

export const RenderResponse = Type.Object({
  hosts: Type.Array(
    Type.Object({
      host: Type.String(),
      files: Type.Array(
        Type.Object({
          component: ConfigComponentKind,
          /** The live file's path on that host when known. */
          path: Type.Optional(Type.String()),
          content: Type.String(),
        }),
      ),
    }),
  ),
  findings: Type.Array(ConfigFinding),
});
export type RenderResponse = Static<typeof RenderResponse>;

export const PushRequest = Strict({
  message: Type.String({ minLength: 1, maxLength: 500 }),
  changes: Type.Array(ConfigChangeInput, { minItems: 1, maxItems: 32 }),
  /** Validate only (keepalived -t / nginx -t on every host); nothing is installed. */
  dryRun: Type.Optional(Type.Boolean()),
});
export type PushRequest = Static<typeof PushRequest>;

export const PushAccepted = Type.Object({ pushId: Type.String() });
export type PushAccepted = Static<typeof PushAccepted>;

export const PushStatus = Type.Union([
  Type.Literal('running'),
  Type.Literal('succeeded'),
  /** Stopped before or at a host with nothing left changed, or a rollback failed (summary says). */
  Type.Literal('failed'),
  /** A host was changed, failed its checks and was put back: the cluster runs the old version. */
  Type.Literal('rolled_back'),
  /** The server stopped mid-push; each host's status says what it had reached. */
  Type.Literal('interrupted'),
]);
export type PushStatus = Static<typeof PushStatus>;

export const PushHostStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('validating'),
  Type.Literal('validated'),
  Type.Literal('applying'),
  /** Applied; the health gate (VRRP stable, nginx healthy, requests served) runs. */
  Type.Literal('verifying'),
  Type.Literal('applied'),
  /** Nothing to change on this host (or the push stopped before it). */
  Type.Literal('skipped'),
  Type.Literal('failed'),
  Type.Literal('rolled_back'),
  Type.Literal('interrupted'),
]);
export type PushHostStatus = Static<typeof PushHostStatus>;

export const PushStep = Type.Object({
  at: EpochMs,
  /** e.g. `validate keepalived`, `apply nginx`, `gate: VIP served`, `rollback nginx`. */
  step: Type.String(),
  ok: Type.Boolean(),
  detail: Type.Optional(Type.String()),
});
export type PushStep = Static<typeof PushStep>;

export const PushHost = Type.Object({
  host: Type.String(),
  status: PushHostStatus,
  /** The exact error text (the agent's validation output, the failed gate) when it failed. */
  error: Type.Optional(Type.String()),
  /** Its VRRP role when the rollout was ordered. */
  role: Type.Union([Type.Literal('master'), Type.Literal('backup'), Type.Literal('unknown')]),
  /** Position in the rollout (0 = first). */
  order: Type.Integer({ minimum: 0 }),
  components: Type.Array(ConfigComponentKind),
  steps: Type.Array(PushStep),
  startedAt: Type.Optional(EpochMs),
  finishedAt: Type.Optional(EpochMs),
});
export type PushHost = Static<typeof PushHost>;

export const PushView = Type.Object({
  id: Type.String(),
  clusterId: Type.String(),
  status: PushStatus,
  hosts: Type.Array(PushHost),
  /** One sentence: what happened, and where it stopped and why. */
  summary: Type.String(),
  message: Type.String(),
  author: Type.String(),
  dryRun: Type.Boolean(),
  createdAt: EpochMs,
  finishedAt: Type.Optional(EpochMs),
  /** The version this push made (succeeded real pushes only). */
  changesetId: Type.Optional(Type.String()),
  /** Set when the push rolls the cluster back to an earlier changeset. */
  rollbackOf: Type.Optional(Type.String()),
});
export type PushView = Static<typeof PushView>;

export const PushList = Type.Object({ pushes: Type.Array(PushView) });
export type PushList = Static<typeof PushList>;

export const ChangesetFileRef = Type.Object({
  host: Type.String(),
  component: ConfigComponentKind,
  path: Type.String(),
  sha256: Type.String(),
  /** true when this changeset changed the file (false: carried over unchanged). */
  changed: Type.Boolean(),
});
export type ChangesetFileRef = Static<typeof ChangesetFileRef>;

/** One version of the whole cluster: every load balancer's files after a push. */
export const ChangesetSummary = Type.Object({
  id: Type.String(),
  clusterId: Type.String(),
  author: Type.String(),
  createdAt: EpochMs,
  message: Type.String(),
  /** The push that made it (absent for the baseline recorded before the first push). */
  pushId: Type.Optional(Type.String()),
  rollbackOf: Type.Optional(Type.String()),
  files: Type.Array(ChangesetFileRef),
});
export type ChangesetSummary = Static<typeof ChangesetSummary>;

export const ChangesetList = Type.Object({ changesets: Type.Array(ChangesetSummary) });
export type ChangesetList = Static<typeof ChangesetList>;

export const ChangesetDetail = Type.Composite([
  ChangesetSummary,
  Type.Object({
    contents: Type.Array(
      Type.Object({
        host: Type.String(),
        component: ConfigComponentKind,
        path: Type.String(),
        sha256: Type.String(),
        content: Type.String(),
      }),
    ),
  }),
]);
export type ChangesetDetail = Static<typeof ChangesetDetail>;

export const DiffQuery = Strict({
  from: Id,
  /** A changeset id, or `live` for what the agents observe now. */
  to: Id,
});
export type DiffQuery = Static<typeof DiffQuery>;

export const FileDiff = Type.Object({
  host: Type.String(),
  component: ConfigComponentKind,
  path: Type.String(),
  status: Type.Union([
    Type.Literal('same'),
    Type.Literal('changed'),
    Type.Literal('added'),
    Type.Literal('removed'),
  ]),
  fromSha256: Type.Optional(Type.String()),
  toSha256: Type.Optional(Type.String()),
  /** Unified diff (the `diff` package's createTwoFilesPatch); empty when the same. */
  patch: Type.String(),
});
export type FileDiff = Static<typeof FileDiff>;

export const DiffResponse = Type.Object({
  from: Type.String(),
  to: Type.String(),
  files: Type.Array(FileDiff),
});
export type DiffResponse = Static<typeof DiffResponse>;

export const RollbackRequest = Strict({
  message: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  dryRun: Type.Optional(Type.Boolean()),
});
export type RollbackRequest = Static<typeof RollbackRequest>;

export const DriftResponse = Type.Object({
  clusterId: Type.String(),
  currentChangesetId: Type.Optional(Type.String()),
  hosts: Type.Array(
    Type.Object({
      host: Type.String(),
      files: Type.Array(
        Type.Composite([
          Type.Object({ component: ConfigComponentKind, path: Type.Optional(Type.String()) }),
          FileDrift,
        ]),
      ),
    }),
  ),
});
export type DriftResponse = Static<typeof DriftResponse>;

/** Live socket: a push changed (sent whole, each time; the page replaces what it had). */
export const LivePushProgress = Type.Object({
  type: Type.Literal('push.progress'),
  at: EpochMs,
  push: PushView,
});
export type LivePushProgress = Static<typeof LivePushProgress>;
