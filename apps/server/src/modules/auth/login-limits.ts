import { LoginLimiter } from './login-limiter';

/*
 * LOGIN LIMITS. Every attempt is counted when it starts, before the (deliberately slow,
 * ~0.1 s, 32 MiB) password hash, so parallel attempts cannot all slip past a check that
 * only learns of failures afterwards.
 *
 *   in flight, per client IP   2   more at once: 429 at once, no hash
 *   in flight, overall         4   more at once: 503 at once (bounds CPU and memory: 4 × 32 MiB,
 *                                  and the guessing rate of a botnet to ~4 hashes at a time)
 *   per client IP              10 attempts a minute, then 429 until the minute ends
 *   per client IP + username   5 attempts in 15 minutes, then 429 for that pair only
 *
 * A success gives its attempt back and clears the IP + username pair. There is no lock on
 * a username as such: a stranger failing as `admin` from any number of addresses locks
 * only those addresses out, never the real admin at another one. Unknown and real
 * usernames are counted alike, so the answers reveal nothing about which names exist.
 */

export interface LoginLimitsTuning {
  inFlightPerIp: number;
  inFlightTotal: number;
  perIp: { max: number; windowMs: number };
  perIpUser: { max: number; windowMs: number };
}

export const LOGIN_LIMITS: LoginLimitsTuning = {
  inFlightPerIp: 2,
  inFlightTotal: 4,
  perIp: { max: 10, windowMs: 60_000 },
  perIpUser: { max: 5, windowMs: 15 * 60_000 },
};

export type LoginAdmission =
  | { ok: true; done: (succeeded: boolean) => void }
  | { ok: false; status: 429 | 503; retryAfterS: number; reason: 'busy' | 'ip' | 'ip_user' };

export class LoginLimits {
  private readonly byIp: LoginLimiter;
  private readonly byIpUser: LoginLimiter;
  private readonly inFlight = new Map<string, number>();
  private inFlightTotal = 0;

  constructor(
    now: () => number,
    private readonly tuning: LoginLimitsTuning = LOGIN_LIMITS,
  ) {
    this.byIp = new LoginLimiter(now, tuning.perIp.max, tuning.perIp.windowMs);
    this.byIpUser = new LoginLimiter(now, tuning.perIpUser.max, tuning.perIpUser.windowMs);
  }

  /** Admits one attempt (counting it now) or says why not; call done() exactly once. */
  begin(ip: string, username: string): LoginAdmission {
    const pair = `${ip}\u0000${username.toLowerCase()}`;
    const ipWait = this.byIp.blockedFor(ip);
    if (ipWait > 0) return { ok: false, status: 429, retryAfterS: ipWait, reason: 'ip' };
    const pairWait = this.byIpUser.blockedFor(pair);
    if (pairWait > 0) return { ok: false, status: 429, retryAfterS: pairWait, reason: 'ip_user' };
    const mine = this.inFlight.get(ip) ?? 0;
    if (mine >= this.tuning.inFlightPerIp)
      return { ok: false, status: 429, retryAfterS: 1, reason: 'busy' };
    if (this.inFlightTotal >= this.tuning.inFlightTotal)
      return { ok: false, status: 503, retryAfterS: 1, reason: 'busy' };
    this.byIp.add(ip);
    this.byIpUser.add(pair);
    this.inFlight.set(ip, mine + 1);
    this.inFlightTotal++;
    let finished = false;
    return {
      ok: true,
      done: (succeeded) => {
        if (finished) return;
        finished = true;
        this.inFlightTotal--;
        const left = (this.inFlight.get(ip) ?? 1) - 1;
        if (left > 0) this.inFlight.set(ip, left);
        else this.inFlight.delete(ip);
        if (succeeded) {
          this.byIp.refund(ip);
          this.byIpUser.reset(pair);
        }
      },
    };
  }
}
