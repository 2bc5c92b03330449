import { LANGS, type Lang } from './dictionary';

const STORAGE_KEY = 'keepwatch.lang';

/** Picks the UI language: a remembered choice wins, then the browser's first language. */
export function resolveInitialLang(stored: string | null, browserLangs: readonly string[]): Lang {
  if (stored !== null && (LANGS as readonly string[]).includes(stored)) return stored as Lang;
  const first = browserLangs[0]?.toLowerCase() ?? '';
  return first.startsWith('zh') ? 'zh-CN' : 'en';
}

export interface LangStore {
  get: () => Lang;
  set: (lang: Lang) => void;
  subscribe: (listener: () => void) => () => void;
}

/** The language as a tiny external store, so React reads it with useSyncExternalStore. */
export function createLangStore(win: Window): LangStore {
  const storage = safeStorage(win);
  const browserLangs = win.navigator.languages.length
    ? win.navigator.languages
    : [win.navigator.language];
  let lang = resolveInitialLang(storage?.getItem(STORAGE_KEY) ?? null, browserLangs);
  const listeners = new Set<() => void>();
  const apply = (): void => {
    win.document.documentElement.lang = lang;
  };
  apply();
  return {
    get: () => lang,
    set(next) {
      if (next === lang) return;
      lang = next;
      storage?.setItem(STORAGE_KEY, next);
      apply();
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

// localStorage throws in some privacy modes; the language then just isn't remembered.
function safeStorage(win: Window): Storage | null {
  try {
    return win.localStorage;
  } catch {
    return null;
  }
}
