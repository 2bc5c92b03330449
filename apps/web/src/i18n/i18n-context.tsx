import { createContext, useContext, useMemo, useSyncExternalStore } from 'react';
import { dictionaries, type Lang, type Messages } from './dictionary';
import { createFormat, type Format } from './format';
import type { LangStore } from './lang-store';

export const LangStoreContext = createContext<LangStore | null>(null);

export interface I18n {
  lang: Lang;
  t: Messages;
  fmt: Format;
  setLang: (lang: Lang) => void;
}

const formats = new Map<Lang, Format>();
function formatFor(lang: Lang): Format {
  let f = formats.get(lang);
  if (!f) {
    f = createFormat(lang, dictionaries[lang]);
    formats.set(lang, f);
  }
  return f;
}

export function useI18n(): I18n {
  const store = useContext(LangStoreContext);
  if (!store) throw new Error('useI18n outside LangStoreContext');
  const lang = useSyncExternalStore(store.subscribe, store.get);
  return useMemo(
    () => ({ lang, t: dictionaries[lang], fmt: formatFor(lang), setLang: store.set }),
    [lang, store],
  );
}
