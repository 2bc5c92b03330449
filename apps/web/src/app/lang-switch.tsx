import { dictionaries, LANGS, type Lang } from '../i18n/dictionary';
import { useI18n } from '../i18n/i18n-context';

/** Each language is named in itself, so someone lost in the wrong one can find theirs. */
export function LangSwitch() {
  const { lang, t, setLang } = useI18n();
  return (
    <select
      className="lang-switch"
      data-testid="lang-switch"
      aria-label={t.langSwitchLabel}
      value={lang}
      onChange={(e) => setLang(e.target.value as Lang)}
    >
      {LANGS.map((l) => (
        <option key={l} value={l}>
          {dictionaries[l].langName}
        </option>
      ))}
    </select>
  );
}
