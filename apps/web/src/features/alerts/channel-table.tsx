import type { AlertChannel, AlertDeliveryResult } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { CHANNEL_TYPES } from './channel-form';

/* The channel list with per-row actions; presentational (the page owns the requests). */

export type TestState = { kind: 'sending' } | { kind: 'done'; result: AlertDeliveryResult };

interface ChannelTableProps {
  channels: AlertChannel[];
  tests: ReadonlyMap<number, TestState>;
  onEdit: (c: AlertChannel) => void;
  onDelete: (c: AlertChannel) => void;
  onTest: (c: AlertChannel) => void;
}

/**
 * Where a channel sends to, for the list: the URL without its query (a DingTalk robot's
 * access_token is as good as a password; the edit form still shows it to the admin).
 */
export function channelTarget(c: AlertChannel): string {
  const { url, to, host } = c.config;
  if (typeof url === 'string' && url !== '') return url.replace(/[?#].*$/, '');
  if (Array.isArray(to)) return `${to.join(', ')}${typeof host === 'string' ? ` (${host})` : ''}`;
  return '';
}

function TestResult({ state }: { state: TestState | undefined }) {
  const { t } = useI18n();
  if (!state) return null;
  if (state.kind === 'sending')
    return <span className="muted small">{t.alerts.channelTesting}</span>;
  const { ok, error, durationMs } = state.result;
  const ms = Math.round(durationMs);
  return (
    <span
      className={`test-result ${ok ? 'test-ok' : 'test-failed'}`}
      data-testid="test-result"
      role="status"
    >
      {ok ? t.alerts.testOk(ms) : t.alerts.testFailed(error ?? '?', ms)}
    </span>
  );
}

export function ChannelTable({ channels, tests, onEdit, onDelete, onTest }: ChannelTableProps) {
  const { t } = useI18n();
  const kindLabel = (type: string): string =>
    (CHANNEL_TYPES as readonly string[]).includes(type)
      ? t.alerts.kinds[type as keyof typeof t.alerts.kinds]
      : type;
  return (
    <table className="kw-table" data-testid="channels-table">
      <thead>
        <tr>
          <th>{t.alerts.colName}</th>
          <th>{t.alerts.colKind}</th>
          <th>{t.alerts.colTarget}</th>
          <th>{t.alerts.colEnabled}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {channels.map((c) => (
          <tr key={c.id} data-channel-id={c.id}>
            <td className="agent-name">{c.name}</td>
            <td className="nowrap">{kindLabel(c.type)}</td>
            <td className="mono small channel-target">{channelTarget(c) || '—'}</td>
            <td>
              <span className={`agent-pill ${c.enabled ? 'agent-pill-on' : 'agent-pill-revoked'}`}>
                {c.enabled ? t.alerts.enabled : t.alerts.disabled}
              </span>
            </td>
            <td>
              <div className="row-actions">
                <button
                  type="button"
                  className="ghost"
                  disabled={tests.get(c.id)?.kind === 'sending'}
                  onClick={() => onTest(c)}
                >
                  {t.alerts.channelTest}
                </button>
                <button type="button" className="ghost" onClick={() => onEdit(c)}>
                  {t.alerts.channelEdit}
                </button>
                <button type="button" className="ghost danger" onClick={() => onDelete(c)}>
                  {t.alerts.channelDelete}
                </button>
              </div>
              <TestResult state={tests.get(c.id)} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
