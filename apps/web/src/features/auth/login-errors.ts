import type { Messages } from '../../i18n/dictionary';
import { ApiRequestError } from '../../lib/api-client';

/** Turns a failed login into one sentence the operator can act on. */
export function loginErrorText(err: unknown, t: Messages): string {
  if (!(err instanceof ApiRequestError)) return t.loginUnreachable;
  const f = err.failure;
  switch (f.kind) {
    case 'unauthorized':
      return t.loginBadCredentials;
    case 'rate-limited':
      return t.loginRateLimited(f.retryAfterSec);
    case 'network':
      return t.loginUnreachable;
    case 'forbidden':
      return t.loginServerError(f.status);
    case 'http':
      // A proxy in front of a stopped server answers 502/503/504: that is "unreachable".
      return f.status >= 502 && f.status <= 504 ? t.loginUnreachable : t.loginServerError(f.status);
    case 'bad-response':
      return t.loginServerError(f.status);
  }
}
