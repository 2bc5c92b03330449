import type { DrillLogLine, DrillTransition, ProbeSampleTuple } from '@keepwatch/shared';
import { isGood } from '@keepwatch/probe';

/*
 * What a running drill has seen so far, every time on the server clock: the probe's samples
 * per target ("vip" and each LB's own address), the transitions, both hosts' log lines.
 */

const MAX_LOG_LINES = 2000;

export class DrillObservation {
  readonly samples = new Map<string, ProbeSampleTuple[]>();
  readonly transitions: DrillTransition[] = [];
  readonly logs: DrillLogLine[] = [];

  addSamples(target: string, tuples: readonly ProbeSampleTuple[]): void {
    let list = this.samples.get(target);
    if (!list) this.samples.set(target, (list = []));
    list.push(...tuples);
  }

  addLog(line: DrillLogLine): void {
    if (this.logs.length < MAX_LOG_LINES) this.logs.push(line);
  }

  vipServedOnce(): boolean {
    return (this.samples.get('vip') ?? []).some((s) => isGood(s[2]));
  }

  /** RN-10: how long the VIP has been unserved right now (trailing failures). */
  unservedMs(now: number): number {
    const vip = this.samples.get('vip') ?? [];
    let since: number | null = null;
    for (let i = vip.length - 1; i >= 0; i--) {
      const s = vip[i];
      if (!s) break;
      if (isGood(s[2])) break;
      since = s[0];
    }
    return since === null ? 0 : now - since;
  }

  sortedSamples(target: string): ProbeSampleTuple[] {
    return [...(this.samples.get(target) ?? [])].sort((a, b) => a[0] - b[0]);
  }

  allSamples(): Record<string, ProbeSampleTuple[]> {
    return Object.fromEntries([...this.samples.keys()].map((k) => [k, this.sortedSamples(k)]));
  }

  sortedTransitions(): DrillTransition[] {
    return [...this.transitions].sort((a, b) => a.at - b.at);
  }

  sortedLogs(): DrillLogLine[] {
    return [...this.logs].sort((a, b) => a.at - b.at);
  }
}
