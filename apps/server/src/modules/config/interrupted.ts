import type { PushView } from '@keepwatch/shared';

/*
 * PU-9: a push a previous process left running, as it is marked on start: interrupted, with
 * what each host reached. Never resumed blind, never silently half-applied.
 */
export function interrupted(view: PushView, now: number): PushView {
  const hosts = view.hosts.map((h) => ({ ...h }));
  const applied = hosts.filter((h) => h.status === 'applied').map((h) => h.host);
  const midway = hosts.filter((h) => ['applying', 'verifying', 'validating'].includes(h.status));
  for (const h of midway) {
    h.status = 'interrupted';
    h.error =
      'the server stopped during this step: the agent finished or rolled back by itself; its live file (GET config) says which';
  }
  for (const h of hosts)
    if (h.status === 'pending' || h.status === 'validated') h.status = 'skipped';
  return {
    ...view,
    hosts,
    status: 'interrupted',
    finishedAt: now,
    summary:
      `interrupted: the server stopped mid-push. ` +
      (applied.length > 0 ? `Applied on ${applied.join(', ')}; ` : 'No host was changed by it; ') +
      (midway.length > 0
        ? `${midway.map((h) => h.host).join(', ')} was mid-step (see its live file); `
        : '') +
      'the other hosts were not touched.',
  };
}
