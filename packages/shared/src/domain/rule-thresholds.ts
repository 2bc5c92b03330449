/** The tunable limits of the time-based rules (SPEC.md CS-1, SA-1, FL-1). */
export interface RuleThresholds {
  /** |agent clock − server clock| above this is CLOCK_SKEW: cross-node event order breaks. */
  clockSkewMs: number;
  /**
   * No frame (data or pong) for this long is AGENT_STALE: 3 × the 5 s ping/heartbeat
   * interval, the dead-man limit for a frozen host whose socket still looks open.
   */
  staleAfterMs: number;
  /** This many VRRP state changes of one instance on one node within flapWindowMs is FLAPPING. */
  flapCount: number;
  flapWindowMs: number;
}

export const DEFAULT_THRESHOLDS: RuleThresholds = {
  clockSkewMs: 500,
  staleAfterMs: 15_000,
  flapCount: 4,
  flapWindowMs: 5 * 60_000,
};
