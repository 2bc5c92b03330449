import { useCallback, useEffect, useState } from 'react';
import type { AlertChannel } from '@keepwatch/shared';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { useConfirm } from '../../ui/confirm';
import {
  draftFromChannel,
  draftToInput,
  emptyDraft,
  validateDraft,
  type ChannelDraft,
} from './channel-form';
import { ChannelForm } from './channel-form-view';
import { ChannelTable, type TestState } from './channel-table';

/* Admin-only: notification channels, with the add/edit form and per-channel test sends. */

interface Editing {
  /** null: a new channel. */
  channel: AlertChannel | null;
  draft: ChannelDraft;
  showErrors: boolean;
  saving: boolean;
  serverError: string | null;
}

export function ChannelsSection() {
  const { api } = useServices();
  const { t } = useI18n();
  const [channels, setChannels] = useState<AlertChannel[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [tests, setTests] = useState<ReadonlyMap<number, TestState>>(new Map());
  const { confirm, dialog } = useConfirm();

  const load = useCallback(() => {
    api.alertChannels().then(
      (list) => {
        setChannels(list);
        setError(null);
      },
      (err: unknown) => setError(t.alerts.channelsLoadError((err as Error).message)),
    );
  }, [api, t]);
  useEffect(load, [load]);

  const open = (channel: AlertChannel | null): void =>
    setEditing({
      channel,
      draft: channel ? draftFromChannel(channel) : emptyDraft(),
      showErrors: false,
      saving: false,
      serverError: null,
    });

  const save = (): void => {
    if (!editing) return;
    if (Object.keys(validateDraft(editing.draft)).length > 0)
      return setEditing({ ...editing, showErrors: true });
    const body = draftToInput(editing.draft);
    setEditing({ ...editing, saving: true, serverError: null });
    const request = editing.channel
      ? api.updateAlertChannel(editing.channel.id, body)
      : api.createAlertChannel(body);
    request.then(
      () => {
        setEditing(null);
        load();
      },
      (err: unknown) =>
        setEditing(
          (e) =>
            e && { ...e, saving: false, serverError: t.alerts.actionError((err as Error).message) },
        ),
    );
  };

  const remove = async (c: AlertChannel): Promise<void> => {
    const yes = await confirm({
      message: t.alerts.channelDeleteConfirm(c.name),
      confirmLabel: t.alerts.channelDelete,
      danger: true,
    });
    if (!yes) return;
    api
      .deleteAlertChannel(c.id)
      .then(load, (err: unknown) => setError(t.alerts.actionError((err as Error).message)));
  };

  const setTest = (id: number, s: TestState): void => setTests((m) => new Map(m).set(id, s));
  const test = (c: AlertChannel): void => {
    setTest(c.id, { kind: 'sending' });
    api.testAlertChannel(c.id).then(
      (result) => setTest(c.id, { kind: 'done', result }),
      (err: unknown) =>
        setTest(c.id, {
          kind: 'done',
          result: { ok: false, error: (err as Error).message, durationMs: 0 },
        }),
    );
  };

  return (
    <section
      className="alerts-section"
      aria-labelledby="channels-title"
      data-testid="channels-section"
    >
      <div className="agents-head">
        <div>
          <h2 id="channels-title">{t.alerts.channelsTitle}</h2>
          <p className="muted small section-help">{t.alerts.channelsHelp}</p>
        </div>
        {editing === null && (
          <button
            type="button"
            className="primary"
            data-testid="add-channel"
            onClick={() => open(null)}
          >
            {t.alerts.channelAdd}
          </button>
        )}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {editing && (
        <ChannelForm
          draft={editing.draft}
          errors={editing.showErrors ? validateDraft(editing.draft) : {}}
          editing={editing.channel?.name ?? null}
          saving={editing.saving}
          serverError={editing.serverError}
          onChange={(draft) => setEditing({ ...editing, draft })}
          onSubmit={save}
          onCancel={() => setEditing(null)}
        />
      )}
      {channels === null ? null : channels.length === 0 ? (
        <p className="muted small">{t.alerts.channelsEmpty}</p>
      ) : (
        <ChannelTable
          channels={channels}
          tests={tests}
          onEdit={open}
          onDelete={(c) => void remove(c)}
          onTest={test}
        />
      )}
      {dialog}
    </section>
  );
}
