/*
 * Light and dark themes: follows the system (prefers-color-scheme) unless the user picked
 * one, remembered in localStorage. The resolved theme is put on <html data-theme> and the
 * CSS variables in app.css follow it.
 */

export const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'keepwatch.theme';

export interface ThemeStore {
  choice: () => ThemeChoice;
  resolved: () => Theme;
  set: (choice: ThemeChoice) => void;
  subscribe: (listener: () => void) => () => void;
}

export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

export function createThemeStore(win: Window): ThemeStore {
  let storage: Storage | null = null;
  try {
    storage = win.localStorage;
  } catch {
    // Privacy modes: the choice is just not remembered.
  }
  const stored = storage?.getItem(STORAGE_KEY);
  let choice: ThemeChoice = (THEME_CHOICES as readonly string[]).includes(stored ?? '')
    ? (stored as ThemeChoice)
    : 'system';
  const media = win.matchMedia?.('(prefers-color-scheme: dark)');
  const listeners = new Set<() => void>();
  const resolved = (): Theme => resolveTheme(choice, media?.matches ?? false);
  const apply = (): void => {
    const theme = resolved();
    win.document.documentElement.dataset['theme'] = theme;
    win.document.documentElement.style.colorScheme = theme;
    for (const l of listeners) l();
  };
  media?.addEventListener('change', apply);
  apply();
  return {
    choice: () => choice,
    resolved,
    set(next) {
      choice = next;
      storage?.setItem(STORAGE_KEY, next);
      apply();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
