/**
 * 叫号栏: the counter's strip of the hall queue, above the search and account screens of a station
 * that is a counter of a hall (queue.state has a `counter`). It shows the counter, whether the
 * hub answers, how many wait for this counter, the ticket called or served here, and the buttons
 * 叫号 (F9), 重呼 (Shift+F9), 开始办理, 完成 (F10), 过号 (after enough recalls), 转移. While the hub
 * cannot be reached the bar says so and the clerk goes on serving walk-ins without tickets.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { HubConnection, QueueState } from '../../core/contract/hall.js';
import type { StationError } from '../../core/contract/result.js';
import type { Priority, TicketState } from '../../core/hall/model.js';
import { useI18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/messages.js';
import { ErrorBanner } from './ErrorBanner.js';
import { handlesPrinting } from './printer.js';
import { useQueue } from './queue.js';
import { counterActions, serviceName, shortcutAction, type QueueAction } from './queue-rules.js';
import { QueueTransferDialog } from './QueueTransferDialog.js';
import { useStation } from './station.js';

type CounterLink = NonNullable<QueueState['counter']>;

export function connectionKey(connection: HubConnection): MessageKey {
  switch (connection) {
    case 'online':
      return 'queueBar.conn.online';
    case 'connecting':
      return 'queueBar.conn.connecting';
    case 'unreachable':
      return 'queueBar.conn.unreachable';
    case 'refused':
      return 'queueBar.conn.refused';
    default: {
      const unreachable: never = connection;
      return unreachable;
    }
  }
}

export function ticketStateKey(state: TicketState): MessageKey {
  switch (state) {
    case 'waiting':
      return 'queue.state.waiting';
    case 'called':
      return 'queue.state.called';
    case 'serving':
      return 'queue.state.serving';
    case 'done':
      return 'queue.state.done';
    case 'no-show':
      return 'queue.state.no-show';
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

/** Null for an ordinary ticket. */
export function priorityKey(priority: Priority): MessageKey | null {
  switch (priority) {
    case 'none':
      return null;
    case 'elderly':
      return 'queue.priority.elderly';
    case 'disabled':
      return 'queue.priority.disabled';
    case 'vip':
      return 'queue.priority.vip';
    default: {
      const unreachable: never = priority;
      return unreachable;
    }
  }
}

/** A dialog is open: the bar's keys stand down so they reach it. */
function modalOpen(): boolean {
  return document.querySelector('[aria-modal="true"]') !== null;
}

export function QueueBar({ active }: { readonly active: boolean }) {
  const { state } = useQueue();
  const { operator } = useStation();
  const counter = state?.counter ?? null;
  // An admin serves no customers: the counter commands are not theirs.
  if (counter === null || operator === null || !handlesPrinting(operator.role)) return null;
  return <CounterBar counter={counter} active={active} />;
}

function CounterBar({ counter, active }: { readonly counter: CounterLink; readonly active: boolean }) {
  const { t, lang, count } = useI18n();
  const { call } = useStation();
  const { take } = useQueue();
  const [inFlight, setInFlight] = useState(false);
  // The state lags a render behind a click: a second click in the same frame must see the first.
  const inFlightRef = useRef(false);
  const [error, setError] = useState<StationError | null>(null);
  const [transferring, setTransferring] = useState(false);
  const view = counter.view;
  const current = view?.current ?? null;
  const online = counter.connection === 'online';
  const allowed = counterActions(counter.connection, view, inFlight);

  const run = useCallback(
    async (action: Exclude<QueueAction, 'transfer'>) => {
      if (inFlightRef.current) return;
      const ticketId = current?.ticketId;
      inFlightRef.current = true;
      setInFlight(true);
      setError(null);
      try {
        const result =
          action === 'callNext'
            ? await call('queue.callNext', {})
            : ticketId === undefined
              ? null
              : action === 'recall'
                ? await call('queue.recall', { ticketId })
                : action === 'start'
                  ? await call('queue.start', { ticketId })
                  : action === 'finish'
                    ? await call('queue.finish', { ticketId })
                    : await call('queue.noShow', { ticketId });
        if (result === null) return;
        if (result.ok) take(result.value);
        else setError(result.error);
      } finally {
        inFlightRef.current = false;
        setInFlight(false);
      }
    },
    [call, current?.ticketId, take],
  );

  useEffect(() => {
    if (!active) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (modalOpen()) return;
      const action = shortcutAction(event);
      if (action === null || action === 'transfer') return;
      // The key is the bar's even when the button is disabled: F10 must not reach the browser.
      event.preventDefault();
      if (allowed[action]) void run(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, allowed, run]);

  const serviceOf = (code: string) => serviceName(counter.waiting, code, lang === 'en');
  const priority = current === null ? null : priorityKey(current.priority);

  return (
    <>
      <section
        className={`queue-bar queue-bar--${counter.connection}`}
        data-testid="queue-bar"
        aria-label={t('queueBar.label')}
        data-connection={counter.connection}
        data-counter-no={view?.counterNo}
        data-ticket={current?.number}
        data-ticket-id={current?.ticketId}
        data-ticket-state={current?.state}
        data-busy={inFlight}
      >
        <span className="queue-bar__counter" data-testid="queue-counter">
          {view === null ? t('queueBar.counterUnknown') : t('queueBar.counter', { n: view.counterNo })}
        </span>
        <span
          className={`queue-bar__conn queue-bar__conn--${counter.connection}`}
          data-testid="queue-connection"
          data-state={counter.connection}
          role="status"
          title={[counter.hubUrl, counter.problem ?? ''].filter((part) => part !== '').join(' · ')}
        >
          <span className="status-bar__dot" aria-hidden="true" />
          {t(connectionKey(counter.connection))}
        </span>
        {online && view !== null && (
          <span className="queue-bar__waiting" data-testid="queue-waiting" data-count={view.waitingForMe}>
            {t('queueBar.waiting', { n: count(view.waitingForMe) })}
          </span>
        )}
        {current !== null ? (
          <span className={online ? 'queue-bar__ticket' : 'queue-bar__ticket queue-bar__ticket--stale'} data-testid="queue-current" data-state={current.state}>
            <strong className="queue-bar__number num">{current.number}</strong>
            <span className="queue-bar__service ellipsis-inline" title={serviceOf(current.service)}>
              {serviceOf(current.service)}
            </span>
            <span className={`queue-bar__state queue-bar__state--${current.state}`}>{t(ticketStateKey(current.state))}</span>
            {current.recalls > 0 && <span className="queue-bar__recalls">{t('queueBar.recalls', { n: current.recalls })}</span>}
            {priority !== null && <span className="chip queue-bar__priority">{t(priority)}</span>}
            {current.transfers > 0 && <span className="chip">{t('queueBar.transferred')}</span>}
          </span>
        ) : (
          online && view !== null && <span className="queue-bar__idle muted">{t('queueBar.idle')}</span>
        )}
        <div className="queue-bar__buttons">
          <button
            type="button"
            className="button button--primary queue-bar__button"
            data-testid="queue-call-next"
            aria-keyshortcuts="F9"
            title={current !== null ? t('queueBar.busyHint') : undefined}
            disabled={!allowed.callNext}
            onClick={() => void run('callNext')}
          >
            {t('queueBar.callNext')}
            <kbd className="queue-bar__key">F9</kbd>
          </button>
          <button
            type="button"
            className="button queue-bar__button"
            data-testid="queue-recall"
            aria-keyshortcuts="Shift+F9"
            disabled={!allowed.recall}
            onClick={() => void run('recall')}
          >
            {t('queueBar.recall')}
            <kbd className="queue-bar__key">⇧F9</kbd>
          </button>
          <button type="button" className="button queue-bar__button" data-testid="queue-start" disabled={!allowed.start} onClick={() => void run('start')}>
            {t('queueBar.start')}
          </button>
          <button
            type="button"
            className="button queue-bar__button"
            data-testid="queue-finish"
            aria-keyshortcuts="F10"
            disabled={!allowed.finish}
            onClick={() => void run('finish')}
          >
            {t('queueBar.finish')}
            <kbd className="queue-bar__key">F10</kbd>
          </button>
          <button
            type="button"
            className="button queue-bar__button"
            data-testid="queue-no-show"
            data-recalls-left={allowed.recallsLeft}
            title={allowed.recallsLeft > 0 ? t('queueBar.noShowHint', { n: allowed.recallsLeft }) : undefined}
            disabled={!allowed.noShow}
            onClick={() => void run('noShow')}
          >
            {t('queueBar.noShow')}
            {allowed.recallsLeft > 0 && (
              <small className="queue-bar__hint" data-testid="queue-no-show-hint">
                {t('queueBar.noShowShort', { n: allowed.recallsLeft })}
              </small>
            )}
          </button>
          <button
            type="button"
            className="button queue-bar__button"
            data-testid="queue-transfer"
            disabled={!allowed.transfer}
            onClick={() => {
              setError(null);
              setTransferring(true);
            }}
          >
            {t('queueBar.transfer')}
          </button>
        </div>
      </section>
      {error !== null && (
        <div className="queue-bar__error">
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
        </div>
      )}
      {transferring && current !== null && view !== null && (
        <QueueTransferDialog
          ticket={current}
          services={counter.waiting}
          ownCounterNo={view.counterNo}
          onClose={() => setTransferring(false)}
          onDone={(next) => {
            take(next);
            setTransferring(false);
          }}
        />
      )}
    </>
  );
}
