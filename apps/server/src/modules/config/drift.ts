import type { ChangesetDetail, ConfigComponentKind, FileDrift } from '@keepwatch/shared';
import type { LiveFile } from './live-files';

/*
 * Drift: a host's live file compared with what the cluster's last changeset recorded for it.
 *   no changeset records the file      -> never_pushed
 *   the agent never reported the file  -> unknown
 *   live sha256 == recorded sha256     -> in_sync
 *   otherwise                          -> drifted (edited by hand, or by another tool)
 * A push that is running is not drift: the caller skips hosts the push is changing.
 */
export function fileDrift(
  live: Pick<LiveFile, 'sha256' | 'observedAt'> | undefined,
  last: ChangesetDetail | undefined,
  host: string,
  component: ConfigComponentKind,
): FileDrift {
  const pushed = last?.files.find((f) => f.host === host && f.component === component);
  const observed = live
    ? { liveSha256: live.sha256, observedAt: live.observedAt }
    : ({} as Record<string, never>);
  if (!pushed || !last) return { state: 'never_pushed', ...observed };
  const base = { changesetId: last.id, pushedSha256: pushed.sha256, ...observed };
  if (!live) return { state: 'unknown', ...base };
  return { state: live.sha256 === pushed.sha256 ? 'in_sync' : 'drifted', ...base };
}
