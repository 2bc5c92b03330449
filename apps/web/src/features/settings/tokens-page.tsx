import { useCallback, useState, type FormEvent } from 'react';
import type { ApiTokenInfo } from '@keepwatch/shared';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { useConfirm } from '../../ui/confirm';
import { ListPage, ResourceTable, type Column } from '../../ui/resource-table';
import { useLoad } from './use-load';

/** The signed-in user's API tokens (an admin sees all): create (secret shown once), revoke. */
export default function TokensPage() {
  const { api } = useServices();
  const { t, fmt } = useI18n();
  const state = useLoad(useCallback(() => api.apiTokens(), [api]));
  const { confirm, dialog } = useConfirm();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const fail = (err: unknown): void => setProblem(t.settings.failed((err as Error).message));
  const create = (e: FormEvent): void => {
    e.preventDefault();
    api.createApiToken({ name }).then((tok) => {
      setCreated(tok.token);
      setName('');
      state.reload();
    }, fail);
  };
  const revoke = async (tok: ApiTokenInfo): Promise<void> => {
    const yes = await confirm({
      message: t.settings.confirmRevoke(tok.name),
      confirmLabel: t.settings.revoke,
      danger: true,
    });
    if (yes) api.deleteApiToken(tok.id).then(state.reload, fail);
  };
  const columns: Column<ApiTokenInfo>[] = [
    { head: t.settings.colName, cell: (tok) => tok.name },
    { head: t.settings.colRole, cell: (tok) => t.shell.role[tok.role] ?? tok.role },
    { head: t.settings.colOwner, cell: (tok) => tok.owner },
    { head: t.settings.colCreated, cell: (tok) => fmt.dateTime(tok.createdAt), className: 'small' },
    {
      head: t.settings.colExpires,
      cell: (tok) => (tok.expiresAt === null ? t.settings.noExpiry : fmt.dateTime(tok.expiresAt)),
      className: 'small',
    },
    {
      head: t.settings.colLastUsed,
      cell: (tok) => (tok.lastUsedAt === null ? t.settings.never : fmt.dateTime(tok.lastUsedAt)),
      className: 'small',
    },
    {
      cell: (tok) => (
        <button type="button" className="ghost danger" onClick={() => void revoke(tok)}>
          {t.settings.revoke}
        </button>
      ),
    },
  ];
  return (
    <ListPage
      id="tokens"
      title={t.settings.tokensTitle}
      problem={problem}
      create={
        <>
          <form className="inline-form" onSubmit={create}>
            <input
              aria-label={t.settings.tokenName}
              placeholder={t.settings.tokenName}
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              data-testid="token-name"
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
        </>
      }
    >
      <ResourceTable
        state={state}
        columns={columns}
        rowKey={(tok) => tok.id}
        rowProps={(tok) => ({ 'data-token': tok.name })}
        empty={t.settings.empty}
        testId="tokens-table"
      />
      {dialog}
    </ListPage>
  );
}
