import {
  DRILL_KIND_INFO,
  type DrillKind,
  type DrillOptions,
  type StatusCluster,
} from '@keepwatch/shared';

/*
 * The drill dialog's choices → the options sent to preflight and start (pure):
 *
 *   DL-1 holdMs is the hold in seconds × 1000, rounded and clamped to the schema's
 *        2000–120000 ms; a blank or non-number keeps the kind's default (sent as absent).
 *   DL-2 a fault host can be picked only for kinds aimed at one host: any load balancer for
 *        the MASTER kinds (default: the VIP's MASTER), any backend for the one-backend kinds;
 *        the every-backend and both-LB kinds have no choice. Blank = the server's default.
 *   DL-3 the probe runs on the server unless a host is picked (it needs that agent's
 *        `drills` grant: the preflight says so if it has none); offline hosts are not offered.
 */

export interface DialogChoice {
  kind: DrillKind;
  holdSeconds: number;
  target: string;
  probeFrom: string;
}

export const HOLD_MIN_MS = 2000;
export const HOLD_MAX_MS = 120_000;

export function dialogOptions(
  cluster: StatusCluster,
  choice: DialogChoice,
): { options: DrillOptions; targets: string[]; probeHosts: string[] } {
  const info = DRILL_KIND_INFO[choice.kind];
  const names = (role: 'lb' | 'backend'): string[] =>
    cluster.nodes
      .filter((n) => n.role === role)
      .map((n) => n.name)
      .sort();
  const targets =
    info.target === 'master' ? names('lb') : info.target === 'backend' ? names('backend') : [];
  const probeHosts = cluster.nodes
    .filter((n) => n.online)
    .map((n) => n.name)
    .sort();
  const options: DrillOptions = {};
  const hold = choice.holdSeconds * 1000;
  if (Number.isFinite(hold) && hold > 0 && hold !== info.defaultHoldMs) {
    options.holdMs = Math.min(HOLD_MAX_MS, Math.max(HOLD_MIN_MS, Math.round(hold)));
  }
  if (choice.target !== '' && targets.includes(choice.target)) options.target = choice.target;
  if (choice.probeFrom !== '' && probeHosts.includes(choice.probeFrom)) {
    options.probeFrom = choice.probeFrom;
  }
  return { options, targets, probeHosts };
}
