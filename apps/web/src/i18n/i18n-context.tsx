import { createContext, useContext, useSyncExternalStore } from 'react';
import { dictionaries, type Lang, type Messages } from './dictionary';
import type { LangStore } from './lang-store';

export const LangStoreContext = createContext<LangStore | null>(null);

export interface I18n {
  lang: Lang;
  t: Messages;
  setLang: (lang: Lang) => void;
}

export function useI18n(): I18n {
  const store = useContext(LangStoreContext);
  if (!store) throw new Error('useI18n outside LangStoreContext');
  const lang = useSyncExternalStore(store.subscribe, store.get);
  return { lang, t: dictionaries[lang], setLang: store.set };
}
