import type { TimelineDrillData, TimelinePushData } from '@keepwatch/shared';
import type { Messages } from '../../i18n/dictionary';
import type { TimelineKind, TimelineRow } from './timeline-model';

/* The words of the server's own timeline entries (config pushes, drills) and the row icons. */

/** A glyph per kind, beside its name (decorative: the kind is also written out). */
export const KIND_ICON: Record<TimelineKind, string> = {
  vrrp: '⇄',
  vip: '◎',
  health: '♥',
  upstream: '↧',
  config: '≡',
  action: '▶',
  push: '⇪',
  drill: '⚡',
  alert: '⚠',
  other: '•',
};

const word = <K extends string>(table: Record<K, string>, key: string): string =>
  (table as Record<string, string>)[key] ?? key;

/** The row in the reader's language, or null when it is not a push or drill entry. */
export function describeActivity(row: TimelineRow, t: Messages): string | null {
  const e = t.cluster.events;
  if (row.kind === 'push') {
    const d = row.data as TimelinePushData;
    const state = word(t.config.progress.state, d.status);
    switch (row.type) {
      case 'push.started':
        return d.rollbackOf ? e.rollbackStarted(d.author) : e.pushStarted(d.message, d.author);
      case 'push.host':
        return e.pushHost(
          d.host ?? row.node,
          word(t.config.progress.host, d.status),
          d.error ?? '',
        );
      case 'push.finished':
        return e.pushFinished(state);
    }
  }
  if (row.kind === 'drill') {
    const d = row.data as TimelineDrillData;
    switch (row.type) {
      case 'drill.started':
        return e.drillStarted(word(t.drills.kinds, d.kind), d.startedBy);
      case 'drill.phase':
        return e.drillPhase(d.phase ?? '');
      case 'drill.result': {
        const head = e.drillResult(word(t.drills.status, d.status));
        const figures =
          d.downtimeMs === undefined
            ? ''
            : `: ${e.drillDowntime(Math.round(d.downtimeMs), d.failedRequests ?? 0, d.totalRequests ?? 0)}`;
        return `${head}${figures}${d.error ? ` (${d.error})` : ''}`;
      }
    }
  }
  return null;
}
