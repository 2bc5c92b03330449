import { createTwoFilesPatch } from 'diff';
import type { ConfigComponentKind, FileDiff } from '@keepwatch/shared';

/* Unified diffs between two versions of a cluster's files (changesets, or the live files). */

export interface VersionFile {
  host: string;
  component: ConfigComponentKind;
  path: string;
  sha256: string;
  content: string;
}

const key = (f: { host: string; component: string }): string => `${f.host}\u0000${f.component}`;

/** One entry per host and component present on either side, sorted by host then component. */
export function diffVersions(
  from: readonly VersionFile[],
  to: readonly VersionFile[],
  labels: { from: string; to: string },
): FileDiff[] {
  const a = new Map(from.map((f) => [key(f), f]));
  const b = new Map(to.map((f) => [key(f), f]));
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.map((k): FileDiff => {
    const x = a.get(k);
    const y = b.get(k);
    const any = (x ?? y) as VersionFile;
    const status = !x ? 'added' : !y ? 'removed' : x.sha256 === y.sha256 ? 'same' : 'changed';
    const patch =
      status === 'same'
        ? ''
        : createTwoFilesPatch(
            `${any.host}:${x?.path ?? any.path}`,
            `${any.host}:${y?.path ?? any.path}`,
            x?.content ?? '',
            y?.content ?? '',
            labels.from,
            labels.to,
          );
    return {
      host: any.host,
      component: any.component,
      path: y?.path ?? any.path,
      status,
      ...(x && { fromSha256: x.sha256 }),
      ...(y && { toSha256: y.sha256 }),
      patch,
    };
  });
}
