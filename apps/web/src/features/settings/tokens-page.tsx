import { useCallback, useState, type FormEvent } from 'react';
import { Empty, ErrorState, Loading } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { useLoad } from './use-load';

/** The signed-in user's API tokens (an admin sees all): create (secret shown once), revoke. */
export default function TokensPage() {
  const { api } = useServices();
  const { t, fmt } = useI18n();
  const { value, error, reload } = useLoad(useCallback(() => api.apiTokens(), [api]));
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const fail = (err: unknown): void => setProblem(t.settings.failed((err as Error).message));
  const create = (e: FormEvent): void => {
    e.preventDefault();
    api.createApiToken({ name }).then((tok) => {
      setCreated(tok.token);
      setName('');
      reload();
    }, fail);
  };
  return (
    <section aria-labelledby="tokens-title">
      <div className="page-head">
        <h1 id="tokens-title">{t.settings.tokensTitle}</h1>
      </div>
      <form className="inline-form" onSubmit={create}>
        <input
          aria-label={t.settings.tokenName}
          placeholder={t.settings.tokenName}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
        />
        <button type="submit" className="primary">
          {t.settings.add}
        </button>
      </form>
      {created && (
        <p className="form-notice mono" data-testid="token-created">
          {t.settings.created(created)}
        </p>
      )}
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      {error && <ErrorState message={error} onRetry={reload} />}
      {value === null ? (
        !error && <Loading />
      ) : value.length === 0 ? (
        <Empty>{t.settings.empty}</Empty>
      ) : (
        <table className="kw-table" data-testid="tokens-table">
          <thead>
            <tr>
              <th>{t.settings.colName}</th>
              <th>{t.settings.colRole}</th>
              <th>{t.settings.colOwner}</th>
              <th>{t.settings.colCreated}</th>
              <th>{t.settings.colExpires}</th>
              <th>{t.settings.colLastUsed}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {value.map((tok) => (
              <tr key={tok.id}>
                <td>{tok.name}</td>
                <td>{t.shell.role[tok.role] ?? tok.role}</td>
                <td>{tok.owner}</td>
                <td className="small">{fmt.dateTime(tok.createdAt)}</td>
                <td className="small">
                  {tok.expiresAt === null ? t.settings.noExpiry : fmt.dateTime(tok.expiresAt)}
                </td>
                <td className="small">
                  {tok.lastUsedAt === null ? t.settings.never : fmt.dateTime(tok.lastUsedAt)}
                </td>
                <td>
                  <button
                    type="button"
                    className="ghost danger"
                    onClick={() => {
                      if (window.confirm(t.settings.confirmRevoke(tok.name)))
                        api.deleteApiToken(tok.id).then(reload, fail);
                    }}
                  >
                    {t.settings.revoke}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
