import type {
  ChangesetSummary,
  ConfigFinding,
  PushHost,
  PushStatus,
  PushView,
} from '@keepwatch/shared';
import type { PushChange } from './config-draft';

/*
 * The rules of the push panel, as pure functions: a real push is offered only after a dry
 * run of exactly the same changes passed, never with a critical finding in the draft, never
 * while another push runs; progress rows follow the rollout order (BACKUP first); a newer
 * `push.progress` never loses to an older one.
 */

/** Identifies a set of changes: a dry run counts for a push only with the same signature. */
export function changesSignature(changes: readonly PushChange[]): string {
  return JSON.stringify(
    [...changes]
      .sort((a, b) => `${a.host}/${a.component}`.localeCompare(`${b.host}/${b.component}`))
      .map((c) => [c.host, c.component, c.baseHash ?? '', c.content]),
  );
}

export const isFinished = (status: PushStatus): boolean => status !== 'running';

export type PushBlock =
  'no-changes' | 'critical-findings' | 'push-running' | 'no-message' | 'need-dry-run';

export interface PushGateInput {
  changes: readonly PushChange[];
  findings: readonly ConfigFinding[];
  message: string;
  /** The push currently shown (a dry run or a real one), if any. */
  current: PushView | null;
  /** Signature of the changes the last passed dry run validated. */
  dryRunPassedFor: string | null;
  /** Another push running on the cluster (from GET config's runningPushId). */
  runningElsewhere: boolean;
}

/** Why a dry run cannot start now (null: it can). */
export function dryRunBlock(g: PushGateInput): PushBlock | null {
  if (g.changes.length === 0) return 'no-changes';
  if (g.runningElsewhere || (g.current && !isFinished(g.current.status))) return 'push-running';
  if (g.message.trim() === '') return 'no-message';
  return null;
}

/** Why the real push cannot start now (null: it can). */
export function pushBlock(g: PushGateInput): PushBlock | null {
  const dry = dryRunBlock(g);
  if (dry) return dry;
  if (g.findings.some((f) => f.severity === 'critical')) return 'critical-findings';
  if (g.dryRunPassedFor !== changesSignature(g.changes)) return 'need-dry-run';
  return null;
}

/** The push shown: a progress message replaces it only if it is the same push and not older. */
export function mergeProgress(current: PushView | null, incoming: PushView): PushView | null {
  if (!current || current.id !== incoming.id) return current;
  const done = (p: PushView): number => p.hosts.reduce((n, h) => n + h.steps.length, 0);
  if (isFinished(current.status) && !isFinished(incoming.status)) return current;
  if (!isFinished(incoming.status) && done(incoming) < done(current)) return current;
  return incoming;
}

/**
 * The push to show after a `push.progress` arrives: a newer view of the one shown, or a push
 * that started on the cluster (ours before its POST answered, or another operator's) once
 * the shown one has finished; otherwise what is shown stays.
 */
export function nextShownPush(current: PushView | null, incoming: PushView): PushView | null {
  if (current?.id === incoming.id) return mergeProgress(current, incoming);
  const startedNow = !isFinished(incoming.status);
  return (current === null || isFinished(current.status)) && startedNow ? incoming : current;
}

/** Hosts in rollout order (the server orders BACKUP first). */
export function rolloutRows(push: PushView): PushHost[] {
  return [...push.hosts].sort((a, b) => a.order - b.order || a.host.localeCompare(b.host));
}

/** A host's error text, or the detail of its failed step, exactly as the server sent it. */
export function hostError(h: PushHost): string | null {
  if (h.error) return h.error;
  const failed = [...h.steps].reverse().find((s) => !s.ok);
  return failed?.detail ?? null;
}

/** The version before `id` in a newest-first list (null for the oldest). */
export function previousChangeset(
  list: readonly ChangesetSummary[],
  id: string,
): ChangesetSummary | null {
  const at = list.findIndex((c) => c.id === id);
  return at < 0 ? null : (list[at + 1] ?? null);
}

/**
 * Why a push was refused, as the form tells it: `conflict` (a live file changed since the page
 * loaded: reload), `busy` (a push or a drill of the cluster is running, on this replica or
 * another: config SPEC PU-14, PU-15) or anything else (its message as the server said it).
 */
export type PushRefusal = 'conflict' | 'busy' | 'other';

export function pushRefusal(status: number | undefined, code: string | undefined): PushRefusal {
  if (status !== 409) return 'other';
  return code === 'conflict' ? 'conflict' : code === 'busy' ? 'busy' : 'other';
}
