import { describe, expect, it } from 'vitest';
import { dictionaries } from '../../i18n/dictionary';
import { ApiRequestError } from '../../lib/api-client';
import { loginErrorText } from './login-errors';

const t = dictionaries.en;

describe('loginErrorText', () => {
  it('names each failure the operator can act on', () => {
    expect(
      loginErrorText(new ApiRequestError({ kind: 'unauthorized', status: 401, body: null }), t),
    ).toBe(t.loginBadCredentials);
    expect(
      loginErrorText(
        new ApiRequestError({ kind: 'rate-limited', status: 429, retryAfterSec: 42, body: null }),
        t,
      ),
    ).toContain('42');
    expect(loginErrorText(new ApiRequestError({ kind: 'network', message: 'x' }), t)).toBe(
      t.loginUnreachable,
    );
    expect(loginErrorText(new ApiRequestError({ kind: 'http', status: 502, body: null }), t)).toBe(
      t.loginUnreachable,
    );
    expect(
      loginErrorText(new ApiRequestError({ kind: 'http', status: 500, body: null }), t),
    ).toContain('500');
  });
});
