import './maintenance.css';
import { useState, type FormEvent } from 'react';
import { useServices } from '../../app/services';
import { useCan } from '../../app/use-app';
import { useI18n } from '../../i18n/i18n-context';
import { Modal } from '../../ui/modal';

/**
 * The operator's "Maintenance…" button and its dialog (ui/modal: focus moves into it and stays
 * there, Escape closes it, focus returns to the button). Viewers do not see the button.
 */
export function MaintenanceButton({
  clusterId,
  nodes,
  node,
}: {
  clusterId: string;
  /** Hosts offered besides the whole cluster. */
  nodes: readonly string[];
  /** Preselected host (the host page). */
  node?: string;
}) {
  const { t } = useI18n();
  const { api } = useServices();
  const can = useCan('operator');
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState(node ?? '');
  const [minutes, setMinutes] = useState(60);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!can) return null;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    api
      .startMaintenance({
        clusterId,
        ...(target !== '' && { node: target }),
        durationMinutes: minutes,
        reason: reason.trim(),
      })
      .then(
        () => {
          setError(null);
          setReason('');
          setOpen(false);
        },
        (err: unknown) => setError(t.maintenance.failed((err as Error).message)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <>
      <button
        type="button"
        className="ghost"
        data-testid="maintenance-open"
        onClick={() => {
          setTarget(node ?? '');
          setError(null);
          setOpen(true);
        }}
      >
        {t.maintenance.start}
      </button>
      {open && (
        <Modal
          title={t.maintenance.dialogTitle(target === '' ? clusterId : target)}
          onClose={() => setOpen(false)}
          testId="maintenance-dialog"
        >
          <form onSubmit={submit}>
            <label>
              {t.maintenance.target}
              <select
                value={target}
                onChange={(e) => setTarget(e.target.value)}
                data-testid="maintenance-target"
              >
                <option value="">{t.maintenance.wholeCluster}</option>
                {nodes.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t.maintenance.duration}
              <input
                type="number"
                min={1}
                max={7 * 24 * 60}
                required
                value={minutes}
                onChange={(e) => setMinutes(Math.max(1, Math.round(Number(e.target.value) || 1)))}
                data-testid="maintenance-minutes"
              />
            </label>
            <label>
              {t.maintenance.reason}
              <input
                required
                maxLength={500}
                value={reason}
                placeholder={t.maintenance.reasonPlaceholder}
                onChange={(e) => setReason(e.target.value)}
                data-testid="maintenance-reason"
              />
            </label>
            {error && <p className="form-error">{error}</p>}
            <div className="dialog-actions">
              <button type="button" className="ghost" onClick={() => setOpen(false)}>
                {t.maintenance.cancel}
              </button>
              <button
                type="submit"
                className="primary"
                disabled={busy}
                data-testid="maintenance-submit"
              >
                {t.maintenance.submit}
              </button>
            </div>
          </form>
        </Modal>
      )}
    </>
  );
}
