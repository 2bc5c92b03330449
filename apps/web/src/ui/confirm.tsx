import { useCallback, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context';
import { Modal } from './modal';

interface Ask {
  message: string;
  confirmLabel: string;
  danger?: boolean;
}

/**
 * A confirm step for destructive actions, in the dashboard's own modal instead of the
 * browser's window.confirm (which is unstyled, untranslated buttons, and blocks the live
 * feed): `const { confirm, dialog } = useConfirm()`; render `dialog`; `if (await confirm(…))`.
 * Escape or Cancel answers false; focus returns to the button that asked.
 */
export function useConfirm(): {
  confirm: (ask: Ask) => Promise<boolean>;
  dialog: ReactNode;
} {
  const { t } = useI18n();
  const [ask, setAsk] = useState<Ask | null>(null);
  const answer = useRef<((yes: boolean) => void) | null>(null);
  const settle = useCallback((yes: boolean) => {
    answer.current?.(yes);
    answer.current = null;
    setAsk(null);
  }, []);
  const confirm = useCallback((next: Ask) => {
    answer.current?.(false);
    setAsk(next);
    return new Promise<boolean>((resolve) => {
      answer.current = resolve;
    });
  }, []);
  const dialog = ask && (
    <Modal title={t.shell.confirmTitle} onClose={() => settle(false)} testId="confirm-dialog">
      <p className="kw-dialog-text">{ask.message}</p>
      <div className="dialog-actions">
        <button type="button" className="ghost" onClick={() => settle(false)} data-autofocus="">
          {t.shell.cancel}
        </button>
        <button
          type="button"
          className={ask.danger ? 'primary danger-solid' : 'primary'}
          data-testid="confirm-yes"
          onClick={() => settle(true)}
        >
          {ask.confirmLabel}
        </button>
      </div>
    </Modal>
  );
  return { confirm, dialog };
}
