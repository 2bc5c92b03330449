import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n-context';
import {
  CHANNEL_TYPES,
  MASK,
  type ChannelDraft,
  type DraftErrors,
  type DraftField,
  type StartTls,
} from './channel-form';

/* The add/edit form, presentational: draft, errors and callbacks in. */

export const TEMPLATE_PLACEHOLDERS = [
  'event',
  'cluster',
  'rule',
  'severity',
  'message',
  'key',
  'firingAt',
  'resolvedAt',
  'time',
  'title',
  'text',
] as const;

interface ChannelFormProps {
  draft: ChannelDraft;
  /** Shown once the user tried to save. */
  errors: DraftErrors;
  /** Editing a stored channel: the kind is fixed, masked secrets are kept. */
  editing: string | null;
  saving: boolean;
  serverError: string | null;
  onChange: (draft: ChannelDraft) => void;
  onSubmit: () => void;
  onCancel: () => void;
}

type Bind = <F extends DraftField>(
  field: F,
) => { draft: ChannelDraft; field: F; error: DraftErrors[F]; onChange: (d: ChannelDraft) => void };

interface FieldProps {
  draft: ChannelDraft;
  field: DraftField;
  error: DraftErrors[DraftField];
  onChange: (d: ChannelDraft) => void;
  label: string;
  kind?: 'text' | 'password' | 'number' | 'area';
  wide?: boolean;
  hint?: ReactNode;
}

function Field({ draft, field, error, onChange, label, kind = 'text', wide, hint }: FieldProps) {
  const { t } = useI18n();
  const value = String(draft[field]);
  const set = (v: string): void => onChange({ ...draft, [field]: v });
  const id = `ch-${field}`;
  const common = {
    id,
    name: field,
    value,
    'aria-invalid': error !== undefined,
    onChange: (e: { target: { value: string } }) => set(e.target.value),
  };
  return (
    <div className={`field${wide ? ' field-wide' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {kind === 'area' ? (
        <textarea {...common} rows={4} className="mono" spellCheck={false} />
      ) : (
        <input
          {...common}
          type={kind === 'password' ? 'text' : kind}
          autoComplete="off"
          spellCheck={false}
          className={kind === 'password' ? 'mono' : undefined}
        />
      )}
      {hint}
      {error !== undefined && (
        <span className="field-error" role="alert">
          {t.alerts.errors[error]}
        </span>
      )}
    </div>
  );
}

function SecretHint({ value }: { value: string }) {
  const { t } = useI18n();
  return value === MASK ? <span className="field-hint">{t.alerts.secretKept}</span> : null;
}

function KindFields({ bind }: { bind: Bind }) {
  const { t } = useI18n();
  const a = t.alerts;
  const d = bind('url').draft;
  switch (d.type) {
    case 'webhook':
      return (
        <>
          <Field {...bind('url')} label={a.fieldWebhookUrl} wide />
          <Field
            {...bind('headers')}
            label={a.fieldHeaders}
            kind="area"
            wide
            hint={<SecretHint value={d.headers.includes(MASK) ? MASK : ''} />}
          />
          <Field
            {...bind('template')}
            label={a.fieldTemplate}
            kind="area"
            wide
            hint={
              <span className="field-hint">
                {a.templatePlaceholders}{' '}
                <span className="mono">
                  {TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')}
                </span>
              </span>
            }
          />
        </>
      );
    case 'dingtalk':
    case 'feishu': {
      const ding = d.type === 'dingtalk';
      return (
        <>
          <Field {...bind('url')} label={ding ? a.fieldDingTalkUrl : a.fieldFeishuUrl} wide />
          <Field
            {...bind('secret')}
            label={ding ? a.fieldDingTalkSecret : a.fieldFeishuSecret}
            kind="password"
            wide
            hint={<SecretHint value={d.secret} />}
          />
        </>
      );
    }
    case 'wecom':
      return (
        <>
          <Field
            {...bind('key')}
            label={a.fieldWeComKey}
            kind="password"
            wide
            hint={<SecretHint value={d.key} />}
          />
          <Field {...bind('url')} label={a.fieldWeComUrl} wide />
        </>
      );
    case 'email':
      return <EmailFields bind={bind} />;
  }
}

function EmailFields({ bind }: { bind: Bind }) {
  const { t } = useI18n();
  const a = t.alerts;
  const { draft: d, onChange } = bind('secure');
  return (
    <>
      <Field {...bind('host')} label={a.fieldHost} />
      <Field {...bind('port')} label={a.fieldPort} kind="number" />
      <div className="field">
        <label htmlFor="ch-starttls">{a.fieldStartTls}</label>
        <select
          id="ch-starttls"
          value={d.starttls}
          disabled={d.secure}
          onChange={(e) => onChange({ ...d, starttls: e.target.value as StartTls })}
        >
          {(['opportunistic', 'required', 'off'] as const).map((s) => (
            <option key={s} value={s}>
              {a.startTls[s]}
            </option>
          ))}
        </select>
      </div>
      <label className="field check">
        <input
          type="checkbox"
          checked={d.secure}
          onChange={(e) => onChange({ ...d, secure: e.target.checked })}
        />
        {a.fieldSecure}
      </label>
      <Field {...bind('user')} label={a.fieldUser} />
      <Field
        {...bind('pass')}
        label={a.fieldPass}
        kind="password"
        hint={<SecretHint value={d.pass} />}
      />
      <Field {...bind('from')} label={a.fieldFrom} />
      <Field {...bind('to')} label={a.fieldTo} />
    </>
  );
}

export function ChannelForm({
  draft,
  errors,
  editing,
  saving,
  serverError,
  onChange,
  onSubmit,
  onCancel,
}: ChannelFormProps) {
  const { t } = useI18n();
  const a = t.alerts;
  const bind: Bind = (field) => ({ draft, field, error: errors[field], onChange });
  const formRef = useRef<HTMLFormElement>(null);
  // The form opens below the firing alerts: bring it into view once, when it opens.
  useEffect(() => {
    formRef.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <form
      ref={formRef}
      className="channel-form"
      data-testid="channel-form"
      onSubmit={submit}
      noValidate
    >
      <h2>{editing === null ? a.formAddTitle : a.formEditTitle(editing)}</h2>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="ch-type">{a.fieldKind}</label>
          <select
            id="ch-type"
            value={draft.type}
            disabled={editing !== null}
            onChange={(e) => onChange({ ...draft, type: e.target.value as ChannelDraft['type'] })}
          >
            {CHANNEL_TYPES.map((k) => (
              <option key={k} value={k}>
                {a.kinds[k]}
              </option>
            ))}
          </select>
        </div>
        <Field {...bind('name')} label={a.fieldName} />
        <label className="field check">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(e) => onChange({ ...draft, enabled: e.target.checked })}
          />
          {a.fieldEnabled}
        </label>
        <KindFields bind={bind} />
      </div>
      {serverError && (
        <p className="form-error" role="alert">
          {serverError}
        </p>
      )}
      <div className="enroll-actions">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? a.saving : a.save}
        </button>
        <button type="button" className="ghost" onClick={onCancel}>
          {a.cancel}
        </button>
      </div>
    </form>
  );
}
