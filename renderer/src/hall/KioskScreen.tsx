/**
 * The ticket kiosk 取号机: a touch screen, no keyboard. One big button per service with how many
 * wait, a priority row that applies to the next ticket only, and after a tap the number for a
 * few seconds (big, with what became of the paper ticket), then back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { IssuedTicket, HallCommandOutput } from '../../../core/hall/contract.js';
import type { Priority } from '../../../core/hall/model.js';
import type { ErrorCode } from '../../../core/contract/result.js';
import { LangToggle, LinkBanner, formatTime, useClock } from './hall-ui.js';
import type { HallLink, HallLinkState } from './hall-transport.js';
import type { HallI18n, HallMessageKey } from './messages.js';

type KioskInfo = HallCommandOutput<'hall.kiosk'>;

type Phase =
  | { readonly kind: 'choose' }
  | { readonly kind: 'issuing'; readonly slow: boolean }
  | { readonly kind: 'issued'; readonly issued: IssuedTicket }
  | { readonly kind: 'failed'; readonly code: ErrorCode };

/** How long the number stays on screen: long enough to read it twice, short enough for the next person. */
const RESULT_MS = 8000;
const FAILED_MS = 6000;
/** After this the customer is told the kiosk is still trying (the request is re-sent on reconnect). */
const SLOW_MS = 4000;

const priorities: readonly { readonly value: Exclude<Priority, 'none'>; readonly label: HallMessageKey }[] = [
  { value: 'elderly', label: 'priorityElderly' },
  { value: 'disabled', label: 'priorityDisabled' },
  { value: 'vip', label: 'priorityVip' },
];

const printWords: Readonly<Record<IssuedTicket['print']['state'], HallMessageKey>> = {
  printed: 'printed',
  failed: 'printFailed',
  'no-printer': 'noPrinter',
};

/**
 * A request id for `hall.issueTicket`. crypto.randomUUID exists only in secure contexts, and a
 * kiosk opens the hub over plain http on the hall network; getRandomValues works everywhere.
 */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `k-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

export interface KioskScreenProps {
  readonly link: HallLink;
  readonly linkState: HallLinkState;
  readonly i18n: HallI18n;
}

export function KioskScreen({ link, linkState, i18n }: KioskScreenProps) {
  const { t, lang } = i18n;
  const now = useClock();
  const [info, setInfo] = useState<KioskInfo | null>(null);
  const [priority, setPriority] = useState<Priority>('none');
  const [phase, setPhase] = useState<Phase>({ kind: 'choose' });
  // A ref, not state: a second tap in the same frame must see the first one at once.
  const issuing = useRef(false);
  const [reload, setReload] = useState(0);

  // The buttons again after every (re)connect: the hub may have changed its services meanwhile.
  useEffect(() => {
    if (linkState !== 'open') return;
    let live = true;
    void link.call('hall.kiosk', {}).then((result) => {
      if (live && result.ok) setInfo(result.value);
    });
    return () => {
      live = false;
    };
  }, [link, linkState, reload]);

  useEffect(
    () =>
      link.on('hall.board', (board) => {
        setInfo((current) => {
          if (current === null) return current;
          const services = current.services.map((service) => ({ ...service, waiting: board.waiting.find((entry) => entry.service === service.code)?.count ?? service.waiting }));
          return { hallName: board.hallName, services };
        });
      }),
    [link],
  );

  // Back to the buttons after the number has been shown.
  useEffect(() => {
    if (phase.kind !== 'issued' && phase.kind !== 'failed') return;
    const timer = setTimeout(() => setPhase({ kind: 'choose' }), phase.kind === 'issued' ? RESULT_MS : FAILED_MS);
    return () => clearTimeout(timer);
  }, [phase]);

  const issue = useCallback(
    async (service: string) => {
      if (issuing.current) return;
      issuing.current = true;
      setPhase({ kind: 'issuing', slow: false });
      const slow = setTimeout(() => setPhase((current) => (current.kind === 'issuing' ? { kind: 'issuing', slow: true } : current)), SLOW_MS);
      try {
        const result = await link.call('hall.issueTicket', { requestId: newRequestId(), service, priority });
        // The waiting counts follow from the hub's `hall.board` event for this ticket.
        if (result.ok) {
          setPhase({ kind: 'issued', issued: result.value });
        } else {
          setPhase({ kind: 'failed', code: result.error.code });
          setReload((count) => count + 1);
        }
        // The priority was for this ticket only.
        setPriority('none');
      } finally {
        clearTimeout(slow);
        issuing.current = false;
      }
    },
    [link, priority],
  );

  const services = info?.services.filter((service) => service.enabled) ?? [];
  const open = linkState === 'open';
  const chosenPriority = priorities.find((entry) => entry.value === priority);

  return (
    <div className="kiosk">
      <header className="kiosk-header">
        <h1>{info?.hallName ?? ''}</h1>
        <div className="kiosk-clock num">{formatTime(now, lang)}</div>
        <LangToggle i18n={i18n} />
      </header>
      <LinkBanner state={linkState} i18n={i18n} />
      <main className="kiosk-main">
        <p className="kiosk-prompt">{t('kioskPrompt')}</p>
        {info !== null && services.length === 0 ? <p className="kiosk-empty">{t('kioskNoServices')}</p> : null}
        <div className={`kiosk-services kiosk-services-${Math.min(services.length, 6)}`}>
          {services.map((service) => (
            <button
              key={service.code}
              type="button"
              className="kiosk-service"
              disabled={!open || phase.kind !== 'choose'}
              onClick={() => void issue(service.code)}
              data-service={service.code}
            >
              <span className="kiosk-service-code">{service.code}</span>
              <span className="kiosk-service-name">{lang === 'zh' ? service.nameZh : service.nameEn}</span>
              <span className="kiosk-service-waiting">{t('kioskWaiting', { count: service.waiting })}</span>
            </button>
          ))}
        </div>
        <section className="kiosk-priority" aria-label={t('priorityTitle')}>
          <h2>{t('priorityTitle')}</h2>
          <div className="kiosk-priority-row">
            {priorities.map((entry) => (
              <button
                key={entry.value}
                type="button"
                className="kiosk-priority-toggle"
                aria-pressed={priority === entry.value}
                disabled={phase.kind !== 'choose'}
                onClick={() => setPriority((current) => (current === entry.value ? 'none' : entry.value))}
              >
                {t(entry.label)}
              </button>
            ))}
          </div>
          <p className="kiosk-priority-chosen" aria-live="polite">
            {chosenPriority === undefined ? '\u00a0' : t('priorityChosen', { priority: t(chosenPriority.label) })}
          </p>
        </section>
      </main>
      {phase.kind === 'choose' ? null : <KioskResult phase={phase} i18n={i18n} info={info} onDone={() => setPhase({ kind: 'choose' })} />}
    </div>
  );
}

function KioskResult({ phase, i18n, info, onDone }: { readonly phase: Exclude<Phase, { kind: 'choose' }>; readonly i18n: HallI18n; readonly info: KioskInfo | null; readonly onDone: () => void }) {
  const { t, lang } = i18n;
  switch (phase.kind) {
    case 'issuing':
      return (
        <div className="kiosk-result" role="status">
          <div className="kiosk-result-card">
            <p className="kiosk-result-wait">{t(phase.slow ? 'issuingSlow' : 'issuing')}</p>
          </div>
        </div>
      );
    case 'failed':
      return (
        <div className="kiosk-result" role="alert">
          <div className="kiosk-result-card kiosk-result-failed">
            <p className="kiosk-result-wait">{t('issueFailed', { reason: t(phase.code === 'HALL_UNKNOWN_TARGET' ? 'issueFailedBusy' : 'issueFailedOther') })}</p>
            <button type="button" className="kiosk-done" onClick={onDone}>
              {t('done')}
            </button>
          </div>
        </div>
      );
    case 'issued': {
      const { ticket, waitingAhead, print } = phase.issued;
      const service = info?.services.find((entry) => entry.code === ticket.service);
      const priority = priorities.find((entry) => entry.value === ticket.priority);
      return (
        <div className="kiosk-result" role="status" aria-live="assertive">
          <div className={`kiosk-result-card kiosk-print-${print.state}`}>
            <p className="kiosk-result-label">{t('yourNumber')}</p>
            <p className="kiosk-result-number num" data-ticket={ticket.number}>
              {ticket.number}
            </p>
            <p className="kiosk-result-service">
              {service === undefined ? ticket.service : lang === 'zh' ? service.nameZh : service.nameEn}
              {priority === undefined ? null : <span className="kiosk-result-priority">{t(priority.label)}</span>}
            </p>
            <p className="kiosk-result-ahead">{waitingAhead === 0 ? t('noneAhead') : t('aheadOfYou', { count: waitingAhead })}</p>
            <p className="kiosk-result-time">{t('issuedAt', { time: formatTime(ticket.issuedAt, lang) })}</p>
            <p className="kiosk-result-print" data-print={print.state}>
              {t(printWords[print.state])}
            </p>
            <button type="button" className="kiosk-done" onClick={onDone}>
              {t('done')}
            </button>
          </div>
        </div>
      );
    }
    default: {
      const unreachable: never = phase;
      return unreachable;
    }
  }
}
