/** Small pieces both hall screens use: the language toggle, the link banner, the clock. */
import { useEffect, useState } from 'react';
import type { HallLinkState } from './hall-transport.js';
import type { HallI18n } from './messages.js';

export function LangToggle({ i18n }: { readonly i18n: HallI18n }) {
  return (
    <button type="button" className="hall-lang" onClick={i18n.toggleLang} lang={i18n.lang === 'zh' ? 'en' : 'zh-CN'}>
      {i18n.t('langToggle')}
    </button>
  );
}

/** The banner over a screen while the hub is not reachable. */
export function LinkBanner({ state, i18n }: { readonly state: HallLinkState; readonly i18n: HallI18n }) {
  if (state === 'open' || state === 'refused') return null;
  return (
    <div className="hall-link-banner" role="status">
      {i18n.t(state === 'connecting' ? 'connecting' : 'reconnecting')}
    </div>
  );
}

/** Seconds-precise wall clock for a screen, ticking on the second. */
export function useClock(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      setNow(new Date());
      timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
    };
    timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
    return () => clearTimeout(timer);
  }, []);
  return now;
}

export function formatTime(at: Date | string, lang: 'zh' | 'en', seconds = false): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  return date.toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hour12: false });
}
