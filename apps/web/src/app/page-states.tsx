import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Link } from 'wouter';
import { useI18n } from '../i18n/i18n-context';

/* The loading, empty, error, not-found and forbidden states every page shares. */

export function Loading({ text }: { text?: string }) {
  const { t } = useI18n();
  return (
    <p className="state state-loading muted" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {text ?? t.shell.loading}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty muted">{children}</p>;
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="state state-error" role="alert">
      <p>{t.shell.loadFailed(message)}</p>
      {onRetry && (
        <button type="button" className="ghost" onClick={onRetry}>
          {t.shell.retry}
        </button>
      )}
    </div>
  );
}

export function NotFound() {
  const { t } = useI18n();
  return (
    <section className="state state-notfound" data-testid="not-found">
      <h1>{t.shell.notFoundTitle}</h1>
      <p className="muted">{t.shell.notFoundText}</p>
      <Link href="/">{t.shell.backToOverview}</Link>
    </section>
  );
}

export function Forbidden({ role }: { role: string }) {
  const { t } = useI18n();
  return (
    <section className="state state-forbidden" data-testid="forbidden">
      <h1>{t.shell.forbiddenTitle}</h1>
      <p className="muted">{t.shell.forbiddenText(t.shell.role[role] ?? role)}</p>
      <Link href="/">{t.shell.backToOverview}</Link>
    </section>
  );
}

/** A page that throws (or whose chunk fails to load) shows a message, not a blank app. */
export class PageErrorBoundary extends Component<
  { fallback: ReactNode; children: ReactNode },
  { failed: boolean }
> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('[page] render failed', error, info.componentStack);
  }
  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
