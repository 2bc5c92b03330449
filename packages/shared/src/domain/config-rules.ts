import { configMismatch as mismatchRule, weightTooSmall as weightRule } from '../config/pair-rules';
import type { ConfigFinding } from '../config/findings';
import type { NodeKeepalived } from '../config/pair-rules';
import type { RuleContext, RuleHit } from './cluster-rules';

/*
 * The status rules over the lbs' keepalived.conf files (SPEC.md WT-1, CM-1..CM-4). The
 * rules themselves live in config/pair-rules.ts, shared with draft analysis; here they
 * run on what the agents last observed and imply the `at_risk` verdict. They hold whether
 * or not the agents are online: a wrong weight is wrong before the failure that would reveal it.
 */

function observed(ctx: RuleContext): NodeKeepalived[] {
  return ctx.lbs.flatMap((n) =>
    n.keepalivedConfig ? [{ node: n.name, config: n.keepalivedConfig }] : [],
  );
}

function toHit(f: ConfigFinding): RuleHit {
  return {
    implies: 'at_risk',
    // Config analysis words its findings in both languages itself (NL-2: `text`).
    finding: {
      rule: f.rule,
      severity: f.severity,
      message: f.message.en,
      nodes: f.nodes,
      code: f.id,
      text: f.message,
    },
  };
}

/** WT-1: one failed tracked script never lets the BACKUP win. */
export function weightTooSmall(ctx: RuleContext): RuleHit[] {
  return weightRule(observed(ctx)).map(toHit);
}

/** CM-*: the lbs' definitions of one instance disagree. */
export function configMismatch(ctx: RuleContext): RuleHit[] {
  return mismatchRule(observed(ctx)).map(toHit);
}
