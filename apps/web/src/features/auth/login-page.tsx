import { useRef, useState, type FormEvent } from 'react';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { LangSwitch } from '../../app/lang-switch';
import { loginErrorText } from './login-errors';
import type { LoginNotice } from './session-store';

export function LoginPage({ notice }: { notice: LoginNotice }) {
  const { api, session } = useServices();
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  // Kept as the raw error so switching language re-translates the message.
  const [error, setError] = useState<unknown>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    api.login({ username, password }).then(
      (res) => session.set({ kind: 'authenticated', user: res.user }),
      (err: unknown) => {
        setError(err);
        setPassword('');
        setBusy(false);
        // Straight back to the password: the usual fix is retyping it.
        passwordRef.current?.focus();
      },
    );
  };

  const noticeText =
    notice === 'expired'
      ? t.loginSessionExpired
      : notice === 'unreachable'
        ? t.loginUnreachable
        : null;

  return (
    <main className="login">
      <div className="login-lang">
        <LangSwitch />
      </div>
      <form className="login-card" onSubmit={submit} noValidate={false}>
        <div className="login-brand">
          <span className="brand-mark" aria-hidden="true" />
          <div>
            <h1>{t.appName}</h1>
            <p className="muted">{t.loginSubtitle}</p>
          </div>
        </div>
        <h2>{t.loginTitle}</h2>
        {error !== null ? (
          <p className="form-error" role="alert" data-testid="login-error">
            {loginErrorText(error, t)}
          </p>
        ) : noticeText ? (
          <p className="form-notice" role="status">
            {noticeText}
          </p>
        ) : null}
        <label>
          <span>{t.loginUsername}</span>
          <input
            name="username"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          <span>{t.loginPassword}</span>
          <input
            ref={passwordRef}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t.loginSubmitting : t.loginSubmit}
        </button>
      </form>
    </main>
  );
}
