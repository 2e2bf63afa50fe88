/** Language state for the whole UI: zh-CN by default, the clerk's choice kept in localStorage. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ErrorCode } from '../../core/contract/result.js';
import { catalogues, type Lang, type MessageKey } from './messages.js';

const STORAGE_KEY = 'tongda.lang';

export type Vars = Readonly<Record<string, string | number>>;

export interface I18n {
  readonly lang: Lang;
  // Arrow-typed members: screens destructure them (`const { t } = useI18n()`).
  readonly setLang: (lang: Lang) => void;
  readonly t: (key: MessageKey, vars?: Vars) => string;
  readonly errorText: (code: ErrorCode) => string;
  /** Thousands separators as the language writes them ("85,213"). */
  readonly count: (value: number) => string;
}

function initialLang(): Lang {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    // Storage may be disabled in a locked-down browser: fall back to Chinese.
  }
  return 'zh-CN';
}

export function interpolate(template: string, vars: Vars | undefined): string {
  if (vars === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { readonly children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not persisted; the switch still applies to this page.
    }
  }, []);

  const value = useMemo<I18n>(() => {
    const catalogue = catalogues[lang];
    const numbers = new Intl.NumberFormat(lang);
    return {
      lang,
      setLang,
      t: (key, vars) => interpolate(catalogue.messages[key], vars),
      errorText: (code) => catalogue.errors[code],
      count: (n) => numbers.format(n),
    };
  }, [lang, setLang]);

  return <I18nContext value={value}>{children}</I18nContext>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (value === null) throw new Error('useI18n outside I18nProvider');
  return value;
}
