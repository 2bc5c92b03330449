import { createHash, randomUUID } from 'node:crypto';
import type { PushView } from '@keepwatch/shared';
import type { ChangesetFile, ConfigRepository } from '../../storage/config-repository';
import type { LiveFile } from './live-files';
import type { PlannedChange } from './push-runner';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * PU-8: a succeeded push's changeset, every load balancer's files after it (untouched ones
 * carried over); a baseline first when it is the cluster's first. The changeset's id.
 */
export async function recordChangeset(
  store: Pick<ConfigRepository, 'latestChangeset' | 'addChangeset'>,
  now: () => number,
  clusterId: string,
  view: PushView,
  planned: readonly PlannedChange[],
  before: readonly LiveFile[],
  author: string,
  rollbackOf: string | undefined,
): Promise<string> {
  const files: ChangesetFile[] = before.map((f) => ({
    host: f.node,
    component: f.component,
    path: f.path,
    sha256: f.sha256,
    content: f.content,
    changed: false,
  }));
  if (!(await store.latestChangeset(clusterId)))
    await store.addChangeset({
      id: `cs-${randomUUID()}`,
      clusterId,
      createdAt: view.createdAt - 1,
      author: 'system',
      message: 'as found before the first push',
      files,
    });
  const after = files.map((f) => {
    const c = planned.find((x) => x.host === f.host && x.component === f.component);
    return c ? { ...f, content: c.content, sha256: sha256(c.content), changed: true } : f;
  });
  for (const c of planned)
    if (!after.some((f) => f.host === c.host && f.component === c.component))
      after.push({
        host: c.host,
        component: c.component,
        path: `${c.component}.conf`,
        content: c.content,
        sha256: sha256(c.content),
        changed: true,
      });
  const id = `cs-${randomUUID()}`;
  await store.addChangeset({
    id,
    clusterId,
    createdAt: now(),
    author,
    message: view.message,
    pushId: view.id,
    ...(rollbackOf !== undefined && { rollbackOf }),
    files: after,
  });
  return id;
}
