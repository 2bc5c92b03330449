import { LoginLimiter } from '../auth/login-limiter';

/*
 * ENROLL LIMITS. POST /agents/enroll is public (the one-time token is the credential), so a
 * stranger may guess tokens and, with every refusal audited, grow the audit table at will.
 *
 *   refused attempts per client IP   10 in 15 minutes, then 429 (Retry-After) until the
 *                                    window ends; a refused attempt is counted, a success not
 *   audit rows of refusals, overall  100 in 15 minutes, then one row saying the rest of the
 *                                    window is not recorded one by one; 429s are never audited
 *
 * Tokens are 32 random bytes, so guessing is hopeless anyway; the limits bound the work and
 * the rows. No state survives a restart.
 */

export interface EnrollLimitsTuning {
  perIp: { max: number; windowMs: number };
  audit: { max: number; windowMs: number };
}

export const ENROLL_LIMITS: EnrollLimitsTuning = {
  perIp: { max: 10, windowMs: 15 * 60_000 },
  audit: { max: 100, windowMs: 15 * 60_000 },
};

export type AuditSlot = 'row' | 'last' | 'none';

export class EnrollLimits {
  private readonly byIp: LoginLimiter;
  private auditUsed = 0;
  private auditResetAt = 0;

  constructor(
    private readonly now: () => number,
    readonly tuning: EnrollLimitsTuning = ENROLL_LIMITS,
  ) {
    this.byIp = new LoginLimiter(now, tuning.perIp.max, tuning.perIp.windowMs);
  }

  /** Seconds until this IP may try again, 0 if it may try now. */
  blockedFor(ip: string): number {
    return this.byIp.blockedFor(ip);
  }

  /** Counts a refused attempt of this IP. */
  refused(ip: string): void {
    this.byIp.add(ip);
  }

  /** May a refusal write its own audit row ('last': the budget's final row, say so)? */
  auditSlot(): AuditSlot {
    const now = this.now();
    if (now >= this.auditResetAt) {
      this.auditUsed = 0;
      this.auditResetAt = now + this.tuning.audit.windowMs;
    }
    this.auditUsed += 1;
    if (this.auditUsed < this.tuning.audit.max) return 'row';
    return this.auditUsed === this.tuning.audit.max ? 'last' : 'none';
  }

  /** When the current audit window ends (ms epoch). */
  get auditWindowEnd(): number {
    return this.auditResetAt;
  }
}
