import { useCallback, useState, type FormEvent } from 'react';
import { USER_ROLES, type User, type UserRole } from '@keepwatch/shared';
import { useServices } from '../../app/services';
import { useUser } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { ListPage, ResourceTable, type Column } from '../../ui/resource-table';
import { useLoad } from './use-load';

/** Users and their roles (admin): add a user, change a role, disable or enable. */
export default function UsersPage() {
  const { api } = useServices();
  const { t, fmt } = useI18n();
  const me = useUser();
  const state = useLoad(useCallback(() => api.users(), [api]));
  const [problem, setProblem] = useState<string | null>(null);
  const act = (p: Promise<unknown>): void => {
    p.then(
      () => {
        setProblem(null);
        state.reload();
      },
      (err: unknown) => setProblem(t.settings.failed((err as Error).message)),
    );
  };
  const columns: Column<User>[] = [
    { head: t.settings.colUser, cell: (u) => u.username },
    {
      head: t.settings.colRole,
      cell: (u) => (
        <select
          aria-label={`${t.settings.colRole} ${u.username}`}
          value={u.role}
          disabled={u.username === me.username}
          onChange={(e) => act(api.updateUser(u.username, { role: e.target.value as UserRole }))}
        >
          {USER_ROLES.map((r) => (
            <option key={r} value={r}>
              {t.shell.role[r] ?? r}
            </option>
          ))}
        </select>
      ),
    },
    {
      head: t.settings.colStatus,
      cell: (u) => (u.disabled ? t.settings.disabled : t.settings.active),
    },
    { head: t.settings.colCreated, cell: (u) => fmt.dateTime(u.createdAt), className: 'small' },
    {
      cell: (u) =>
        u.username !== me.username && (
          <button
            type="button"
            className="ghost"
            onClick={() => act(api.updateUser(u.username, { disabled: !u.disabled }))}
          >
            {u.disabled ? t.settings.enable : t.settings.disable}
          </button>
        ),
    },
  ];
  return (
    <ListPage
      id="users"
      title={t.settings.usersTitle}
      problem={problem}
      create={
        <AddUser onAdd={(u, p, r) => act(api.createUser({ username: u, password: p, role: r }))} />
      }
    >
      <ResourceTable
        state={state}
        columns={columns}
        rowKey={(u) => u.username}
        rowProps={(u) => ({ 'data-user': u.username })}
        empty={t.settings.empty}
        testId="users-table"
      />
    </ListPage>
  );
}

function AddUser({ onAdd }: { onAdd: (u: string, p: string, r: UserRole) => void }) {
  const { t } = useI18n();
  const [u, setU] = useState('');
  const [p, setP] = useState('');
  const [r, setR] = useState<UserRole>('viewer');
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onAdd(u, p, r);
    setU('');
    setP('');
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <input
        aria-label={t.settings.username}
        placeholder={t.settings.username}
        value={u}
        onChange={(e) => setU(e.target.value)}
        required
      />
      <input
        aria-label={t.settings.password}
        placeholder={t.settings.password}
        type="password"
        value={p}
        onChange={(e) => setP(e.target.value)}
        required
        autoComplete="new-password"
      />
      <select
        aria-label={t.settings.colRole}
        value={r}
        onChange={(e) => setR(e.target.value as UserRole)}
      >
        {USER_ROLES.map((x) => (
          <option key={x} value={x}>
            {t.shell.role[x] ?? x}
          </option>
        ))}
      </select>
      <button type="submit" className="primary">
        {t.settings.add}
      </button>
    </form>
  );
}
