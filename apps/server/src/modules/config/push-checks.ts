import { analyseCluster, type ConfigChangeInput, type ConfigFinding } from '@keepwatch/shared';
import { draftHosts } from './config-view';
import type { LiveFiles } from './live-files';
import { neighboursOf } from './neighbours';

/*
 * PU-11: a push whose draft (the live files with its changes laid over them) has a critical
 * finding the live files do not have is refused before any agent is asked. A file can pass
 * `keepalived -t` and still split the pair (a VRID or auth mismatch, a VRID another cluster
 * uses, asymmetric unicast peers): the page blocks such a push, and so does the API for
 * every other client. Critical findings the cluster already runs with do not block a push
 * (it may be the fix of one of them); a roll back to a version the cluster ran is not checked.
 */

const key = (f: ConfigFinding): string =>
  `${f.id}|${f.instance ?? ''}|${[...f.nodes].sort().join(',')}`;

/** The critical findings `changes` would bring to the cluster's live files. */
export async function newCriticalFindings(
  live: LiveFiles,
  clusterId: string,
  changes: readonly ConfigChangeInput[],
): Promise<ConfigFinding[]> {
  const files = await live.list(clusterId);
  const neighbours = await neighboursOf(live, clusterId);
  const critical = (fs: ConfigFinding[]) => fs.filter((f) => f.severity === 'critical');
  const now = new Set(critical(analyseCluster(draftHosts(files, []), { neighbours })).map(key));
  return critical(analyseCluster(draftHosts(files, changes), { neighbours })).filter(
    (f) => !now.has(key(f)),
  );
}

/** The refusal's message: each finding with its fix, in English (the page words them itself). */
export function criticalFindingsMessage(found: readonly ConfigFinding[]): string {
  return `the changes bring ${found.length} critical finding${found.length === 1 ? '' : 's'} the live files do not have; nothing was sent to any host: ${found
    .map((f) => `${f.id} ${f.rule}: ${f.message.en} Fix: ${f.fix.en}`)
    .join(' | ')}`;
}
