/**
 * The shell of the kiosk and board pages: the device's credential, the link to the hub, and the
 * screens a stranger may meet before the real one (not registered, refused, wrong page).
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { DeviceKind, HallCommandOutput } from '../../../core/hall/contract.js';
import { BoardScreen } from './BoardScreen.js';
import type { CredentialLookup, HallLink, HallLinkState } from './hall-transport.js';
import { LangToggle } from './hall-ui.js';
import { KioskScreen } from './KioskScreen.js';
import { useHallLang, type HallI18n, type HallMessageKey } from './messages.js';

export type HallPage = 'kiosk' | 'board';

/** `/kiosk` or `/board` (a trailing slash too: a browser or a person may add one). */
export function hallPageOf(pathname: string): HallPage | null {
  const match = /^\/(kiosk|board)\/?$/.exec(pathname);
  const page = match?.[1];
  return page === 'kiosk' || page === 'board' ? page : null;
}

export type HallHello = HallCommandOutput<'hall.hello'>;

const kindWords: Readonly<Record<DeviceKind, HallMessageKey>> = { kiosk: 'kindKiosk', board: 'kindBoard', counter: 'kindCounter' };

export interface HallAppProps {
  readonly page: HallPage;
  readonly credential: CredentialLookup;
  /** Null when there is no usable credential. */
  readonly link: HallLink | null;
}

export function HallApp({ page, credential, link }: HallAppProps) {
  const i18n = useHallLang();
  const { t } = i18n;
  const [state, setState] = useState<HallLinkState>(link === null ? 'refused' : 'connecting');
  const [hello, setHello] = useState<HallHello | null>(null);

  useEffect(() => (link === null ? undefined : link.onState(setState)), [link]);

  useEffect(() => {
    if (link === null || state !== 'open' || hello !== null) return;
    let live = true;
    void link.call('hall.hello', {}).then((result) => {
      if (live && result.ok) setHello(result.value);
    });
    return () => {
      live = false;
    };
  }, [link, state, hello]);

  useEffect(() => {
    document.documentElement.lang = i18n.lang === 'zh' ? 'zh-CN' : 'en';
    document.title = hello === null ? t('appTitle') : `${hello.hallName} · ${t('appTitle')}`;
  }, [i18n.lang, hello, t]);

  if (credential.kind !== 'found' || link === null) {
    return (
      <Notice i18n={i18n} page={page} title={t('noCredentialTitle')}>
        {t(credential.kind === 'malformed' ? 'badCredentialBody' : 'noCredentialBody')}
      </Notice>
    );
  }
  if (state === 'refused') {
    return (
      <Notice i18n={i18n} page={page} title={t('refusedTitle')}>
        {t('refusedBody')}
      </Notice>
    );
  }
  if (hello !== null && hello.device.kind !== page) {
    return (
      <Notice i18n={i18n} page={page} title={t('wrongKindTitle')}>
        {t('wrongKindBody', { kind: t(kindWords[hello.device.kind]) })}
      </Notice>
    );
  }
  switch (page) {
    case 'kiosk':
      return <KioskScreen link={link} linkState={state} i18n={i18n} />;
    case 'board':
      return <BoardScreen link={link} linkState={state} i18n={i18n} />;
    default: {
      const unreachable: never = page;
      return unreachable;
    }
  }
}

/** A full-screen message, in both languages' reach (the toggle stays). */
function Notice({ i18n, page, title, children }: { readonly i18n: HallI18n; readonly page: HallPage; readonly title: string; readonly children: ReactNode }) {
  return (
    <div className={`hall-notice hall-notice-${page}`} role="alert">
      <LangToggle i18n={i18n} />
      <div className="hall-notice-card">
        <h1>{title}</h1>
        <p>{children}</p>
      </div>
    </div>
  );
}
