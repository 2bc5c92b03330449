import type { AlertChannel, AlertDeliveryResult } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { ResourceTable, type Column } from '../../ui/resource-table';
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
  const columns: Column<AlertChannel>[] = [
    { head: t.alerts.colName, cell: (c) => c.name, className: 'agent-name' },
    { head: t.alerts.colKind, cell: (c) => kindLabel(c.type), className: 'nowrap' },
    {
      head: t.alerts.colTarget,
      cell: (c) => channelTarget(c) || '—',
      className: 'mono small channel-target',
    },
    {
      head: t.alerts.colEnabled,
      cell: (c) => (
        <span className={`agent-pill ${c.enabled ? 'agent-pill-on' : 'agent-pill-revoked'}`}>
          {c.enabled ? t.alerts.enabled : t.alerts.disabled}
        </span>
      ),
    },
    {
      cell: (c) => (
        <>
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
        </>
      ),
    },
  ];
  return (
    <ResourceTable
      state={{ value: channels, error: null }}
      columns={columns}
      rowKey={(c) => c.id}
      rowProps={(c) => ({ 'data-channel-id': c.id })}
      empty={t.alerts.channelsEmpty}
      testId="channels-table"
    />
  );
}
