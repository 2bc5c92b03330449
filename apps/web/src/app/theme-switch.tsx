import { useSyncExternalStore } from 'react';
import { useI18n } from '../i18n/i18n-context';
import { useServices } from './services';
import { THEME_CHOICES, type ThemeChoice } from './theme-store';

/** System / light / dark; "system" follows the OS setting live. */
export function ThemeSwitch() {
  const { theme } = useServices();
  const { t } = useI18n();
  const choice = useSyncExternalStore(theme.subscribe, theme.choice);
  const resolved = useSyncExternalStore(theme.subscribe, theme.resolved);
  return (
    <select
      className="lang-switch"
      data-testid="theme-switch"
      data-theme={resolved}
      aria-label={t.shell.theme.label}
      value={choice}
      onChange={(e) => theme.set(e.target.value as ThemeChoice)}
    >
      {THEME_CHOICES.map((c) => (
        <option key={c} value={c}>
          {t.shell.theme[c]}
        </option>
      ))}
    </select>
  );
}
