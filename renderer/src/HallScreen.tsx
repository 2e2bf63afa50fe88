/**
 * 叫号大厅: the manager's live screen of the hall queue (supervisors, managers, admins). The day's
 * figures from `queue.figures`, read again on every `queue.changed` / `queue.called` and every 5 s:
 * waiting now and the longest wait so far, the day's average and longest wait, a table per
 * service and per counter, and every ticket of the day. A ticket picked from the list (or typed,
 * A012) shows its story (`queue.ticket`): its queue events and the ledger entries stamped with it,
 * so "who served A012 and what was done" has one answer. Esc leaves.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { QueueTicketDetail } from '../../core/contract/hall.js';
import type { StationError } from '../../core/contract/result.js';
import type { HallEvent, HallFigures, QueueStats } from '../../core/hall/model.js';
import { formatYuan } from '../../core/money/money.js';
import { useI18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/messages.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useEscapeBack } from './escape-back.js';
import { formatClock } from './format.js';
import { configuresStation } from './printer.js';
import { useQueue } from './queue.js';
import { formatSeconds, ticketOpen } from './queue-rules.js';
import { priorityKey, ticketStateKey } from './QueueBar.js';
import { useStation } from './station.js';

const REFRESH_MS = 5000;

interface ServiceName {
  readonly service: string;
  readonly nameZh: string;
  readonly nameEn: string;
}

function eventKey(kind: HallEvent['kind']): MessageKey {
  switch (kind) {
    case 'issued':
      return 'hallScreen.event.issued';
    case 'called':
      return 'hallScreen.event.called';
    case 'recalled':
      return 'hallScreen.event.recalled';
    case 'started':
      return 'hallScreen.event.started';
    case 'finished':
      return 'hallScreen.event.finished';
    case 'no-show':
      return 'hallScreen.event.no-show';
    case 'transferred':
      return 'hallScreen.event.transferred';
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

/** On a hub or a counter station (others answer HALL_NOT_CONFIGURED, shown as the banner). */
export function HallScreen({ active, onBack }: { readonly active: boolean; readonly onBack: () => void }) {
  const { t, lang, count } = useI18n();
  const { call, client, operator, timeZone } = useStation();
  const { state: queue } = useQueue();
  const [figures, setFigures] = useState<HallFigures | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [settingsNames, setSettingsNames] = useState<readonly ServiceName[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [detail, setDetail] = useState<QueueTicketDetail | null>(null);
  const [detailError, setDetailError] = useState<StationError | null>(null);
  const [lookup, setLookup] = useState('');
  const [lookupProblem, setLookupProblem] = useState<string | null>(null);
  const reads = useRef(0);
  const reading = useRef(false);
  const again = useRef(false);
  const english = lang === 'en';

  useEscapeBack(active, onBack);

  /** One read at a time; a change during a read asks for one more, never a pile of them. */
  const load = useCallback(() => {
    const read = () => {
      if (reading.current) {
        again.current = true;
        return;
      }
      reading.current = true;
      reads.current += 1;
      const mine = reads.current;
      void call('queue.figures', {}).then((result) => {
        if (mine !== reads.current) return;
        reading.current = false;
        if (result.ok) {
          setFigures(result.value);
          setError(null);
        } else {
          setError(result.error);
        }
        if (again.current) {
          again.current = false;
          read();
        }
      });
    };
    read();
  }, [call]);

  useEffect(() => {
    if (!active) return undefined;
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    const offChanged = client.on('queue.changed', load);
    const offCalled = client.on('queue.called', load);
    return () => {
      window.clearInterval(timer);
      offChanged();
      offCalled();
      // A read still under way is forgotten: the next visit starts clean.
      reads.current += 1;
      reading.current = false;
      again.current = false;
    };
  }, [active, client, load]);

  // On the hub, a manager's settings name the services even when this station is no counter.
  const hub = queue?.hub ?? null;
  const readsSettings = hub !== null && operator !== null && configuresStation(operator.role);
  useEffect(() => {
    if (!readsSettings) return;
    void call('hall.settings', {}).then((result) => {
      if (result.ok) setSettingsNames(result.value.services.map((service) => ({ service: service.code, nameZh: service.nameZh, nameEn: service.nameEn })));
    });
  }, [call, readsSettings]);

  const names = useMemo(() => [...settingsNames, ...(queue?.counter?.waiting ?? [])], [settingsNames, queue?.counter?.waiting]);
  const serviceText = (code: string) => {
    const found = names.find((name) => name.service === code);
    return found === undefined ? code : `${code} ${english ? found.nameEn : found.nameZh}`;
  };
  const time = (iso: string | null) => (iso === null ? '—' : formatClock(new Date(iso), timeZone).slice(11));

  const open = useCallback(
    (ticketId: string) => {
      setSelected(ticketId);
      setDetail(null);
      setDetailError(null);
      void call('queue.ticket', { ticketId }).then((result) => {
        if (result.ok) setDetail(result.value);
        else setDetailError(result.error);
      });
    },
    [call],
  );

  const find = () => {
    const number = lookup.trim().toUpperCase();
    const ticket = figures?.tickets.find((candidate) => candidate.number === number);
    if (ticket === undefined) {
      setLookupProblem(t('hallScreen.lookupNone', { number }));
      return;
    }
    setLookupProblem(null);
    open(ticket.ticketId);
  };

  const total = figures?.total ?? null;
  const tile = (label: MessageKey, value: string, testId: string, warn = false) => (
    <div className={warn ? 'hall-tile hall-tile--warn' : 'hall-tile'} data-testid={testId}>
      <span className="hall-tile__label">{t(label)}</span>
      <span className="hall-tile__value num">{value}</span>
    </div>
  );
  const statCells = (stats: QueueStats) => (
    <>
      <td className="num right">{count(stats.tickets)}</td>
      <td className="num right">{count(stats.served)}</td>
      <td className="num right">{count(stats.noShows)}</td>
      <td className="num right">{formatSeconds(stats.averageWaitSeconds)}</td>
      <td className="num right">{formatSeconds(stats.averageServiceSeconds)}</td>
    </>
  );

  return (
    <main className="hall-screen" data-testid="hall-screen">
      <header className="hall-screen__head">
        <h1 className="hall-screen__title">{t('hallScreen.title')}</h1>
        {figures !== null && (
          <span className="muted small" data-testid="hall-updated">
            {t('hallScreen.updated', { day: figures.day, time: time(figures.at) })}
          </span>
        )}
        <span className="hall-screen__spacer" />
        <button type="button" className="button button--small" data-testid="hall-refresh" onClick={load}>
          {t('hallScreen.refresh')}
        </button>
        <button type="button" className="button button--small" data-testid="hall-back" onClick={onBack}>
          {t('settings.back')}
        </button>
      </header>
      {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {figures !== null && total !== null && (
        <>
          <div className="hall-tiles">
            {tile('hallScreen.nowWaiting', count(figures.nowWaiting), 'hall-now-waiting')}
            {tile('hallScreen.nowLongest', formatSeconds(figures.nowLongestWaitSeconds), 'hall-now-longest', (figures.nowLongestWaitSeconds ?? 0) >= 900)}
            {tile('hallScreen.averageWait', formatSeconds(total.averageWaitSeconds), 'hall-average-wait')}
            {tile('hallScreen.longestWait', formatSeconds(total.longestWaitSeconds), 'hall-longest-wait')}
            {tile('hallScreen.averageService', formatSeconds(total.averageServiceSeconds), 'hall-average-service')}
            {tile('hallScreen.issued', count(total.tickets), 'hall-issued')}
            {tile('hallScreen.served', count(total.served), 'hall-served')}
            {tile('hallScreen.noShows', count(total.noShows), 'hall-no-shows')}
          </div>
          <div className="hall-screen__tables">
            <div className="table-wrap hall-screen__table">
              <table className="table" data-testid="hall-services">
                <thead>
                  <tr>
                    <th>{t('hallScreen.col.service')}</th>
                    <th className="right">{t('hallScreen.col.waiting')}</th>
                    <th className="right">{t('hallScreen.col.longestNow')}</th>
                    <th className="right">{t('hallScreen.col.issued')}</th>
                    <th className="right">{t('hallScreen.col.served')}</th>
                    <th className="right">{t('hallScreen.col.noShows')}</th>
                    <th className="right">{t('hallScreen.col.averageWait')}</th>
                    <th className="right">{t('hallScreen.col.averageService')}</th>
                  </tr>
                </thead>
                <tbody>
                  {figures.byService.map((row) => (
                    <tr key={row.service} data-testid="hall-service-row" data-service={row.service} data-waiting={row.nowWaiting}>
                      <td className="ellipsis hall-screen__name" title={serviceText(row.service)}>
                        {serviceText(row.service)}
                      </td>
                      <td className="num right">{count(row.nowWaiting)}</td>
                      <td className="num right">{formatSeconds(row.nowLongestWaitSeconds)}</td>
                      {statCells(row.stats)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="table-wrap hall-screen__table">
              <table className="table" data-testid="hall-counters">
                <thead>
                  <tr>
                    <th>{t('hallScreen.col.counter')}</th>
                    <th>{t('hallScreen.col.current')}</th>
                    <th className="right">{t('hallScreen.col.waitingFor')}</th>
                    <th className="right">{t('hallScreen.col.called')}</th>
                    <th className="right">{t('hallScreen.col.served')}</th>
                    <th className="right">{t('hallScreen.col.noShows')}</th>
                    <th className="right">{t('hallScreen.col.averageWait')}</th>
                    <th className="right">{t('hallScreen.col.averageService')}</th>
                  </tr>
                </thead>
                <tbody>
                  {figures.byCounter.map((row) => (
                    <tr key={row.counterNo} data-testid="hall-counter-row" data-counter-no={row.counterNo} data-online={row.online} data-ticket={row.current?.number}>
                      <td className="nowrap">
                        <span className={row.online ? 'hall-dot hall-dot--on' : 'hall-dot'} aria-hidden="true" />
                        {t('queueBar.counter', { n: row.counterNo })}
                        <span className="muted small"> {row.online ? t('hallScreen.online') : t('hallScreen.offline')}</span>
                      </td>
                      <td className="nowrap">
                        {row.current === null ? (
                          <span className="muted">—</span>
                        ) : (
                          <>
                            <strong className="num">{row.current.number}</strong> <span className="muted small">{t(ticketStateKey(row.current.state))}</span>
                          </>
                        )}
                      </td>
                      <td className="num right">{count(row.waitingForMe)}</td>
                      {statCells(row.stats)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <div className="hall-screen__bottom">
            <section className="hall-screen__tickets">
              <form
                className="hall-screen__lookup"
                onSubmit={(event) => {
                  event.preventDefault();
                  find();
                }}
              >
                <span className="hall-screen__subtitle">{t('hallScreen.tickets', { n: count(figures.tickets.length) })}</span>
                <input
                  className="input num hall-screen__lookup-input"
                  data-testid="hall-lookup"
                  maxLength={6}
                  autoComplete="off"
                  placeholder={t('hallScreen.lookupPlaceholder')}
                  aria-label={t('hallScreen.lookup')}
                  value={lookup}
                  onChange={(event) => {
                    setLookup(event.target.value);
                    setLookupProblem(null);
                  }}
                />
                <button type="submit" className="button button--small" data-testid="hall-lookup-submit">
                  {t('hallScreen.lookup')}
                </button>
                {lookupProblem !== null && (
                  <span className="field-error field-error--inline" data-testid="hall-lookup-problem">
                    {lookupProblem}
                  </span>
                )}
              </form>
              <div className="table-wrap hall-screen__ticket-list">
                <table className="table table--rows" data-testid="hall-tickets">
                  <thead>
                    <tr>
                      <th>{t('hallScreen.col.number')}</th>
                      <th>{t('hallScreen.col.service')}</th>
                      <th>{t('hallScreen.col.issuedAt')}</th>
                      <th>{t('hallScreen.col.calledAt')}</th>
                      <th>{t('hallScreen.col.startedAt')}</th>
                      <th>{t('hallScreen.col.finishedAt')}</th>
                      <th>{t('hallScreen.col.counter')}</th>
                      <th>{t('hallScreen.col.state')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {figures.tickets.map((ticket) => {
                      const priority = priorityKey(ticket.priority);
                      return (
                        <tr
                          key={ticket.ticketId}
                          data-testid="hall-ticket-row"
                          data-ticket={ticket.number}
                          data-state={ticket.state}
                          className={ticket.ticketId === selected ? 'row--selected' : ticketOpen(ticket.state) ? undefined : 'hall-screen__closed'}
                          onClick={() => open(ticket.ticketId)}
                        >
                          <td className="nowrap">
                            <strong className="num">{ticket.number}</strong>
                            {priority !== null && <span className="chip hall-screen__chip">{t(priority)}</span>}
                          </td>
                          <td className="ellipsis hall-screen__name" title={serviceText(ticket.service)}>
                            {serviceText(ticket.service)}
                          </td>
                          <td className="num">{time(ticket.issuedAt)}</td>
                          <td className="num">{time(ticket.firstCalledAt)}</td>
                          <td className="num">{time(ticket.startedAt)}</td>
                          <td className="num">{time(ticket.finishedAt)}</td>
                          <td className="num">{ticket.counterNo ?? '—'}</td>
                          <td>{t(ticketStateKey(ticket.state))}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
                {figures.tickets.length === 0 && <div className="empty">{t('hallScreen.noTickets')}</div>}
              </div>
            </section>
            {selected !== null && (
              <aside className="hall-screen__detail" data-testid="hall-ticket-detail" data-ticket-id={selected}>
                <div className="hall-screen__detail-head">
                  <span className="hall-screen__subtitle">{detail === null ? t('hallScreen.loading') : t('hallScreen.detailTitle', { number: detail.history.ticket.number })}</span>
                  <button
                    type="button"
                    className="button button--small button--link"
                    aria-label={t('hallScreen.closeDetail')}
                    onClick={() => {
                      setSelected(null);
                      setDetail(null);
                    }}
                  >
                    ×
                  </button>
                </div>
                {detailError !== null && <ErrorBanner error={detailError} onDismiss={() => setDetailError(null)} />}
                {detail !== null && (
                  <>
                    <ol className="hall-screen__events" data-testid="hall-ticket-events">
                      {detail.history.events.map((event) => (
                        <li key={event.seq} data-kind={event.kind}>
                          <span className="num muted">{time(event.at)}</span> {t(eventKey(event.kind))}
                          {event.kind === 'issued' ? (
                            <span className="muted"> · {serviceText(event.service)}</span>
                          ) : (
                            <span className="muted"> · {t('queueBar.counter', { n: event.counterNo })}</span>
                          )}
                          {event.kind === 'transferred' && (
                            <span className="muted">
                              {' → '}
                              {event.to.kind === 'service' ? serviceText(event.to.service) : t('queueBar.counter', { n: event.to.counterNo })}
                            </span>
                          )}
                        </li>
                      ))}
                    </ol>
                    <div className="hall-screen__subtitle">{t('hallScreen.entries')}</div>
                    {detail.entries.length === 0 ? (
                      <div className="muted small" data-testid="hall-ticket-no-entries">
                        {t('hallScreen.noEntries')}
                      </div>
                    ) : (
                      <table className="table hall-screen__entries" data-testid="hall-ticket-entries">
                        <thead>
                          <tr>
                            <th>{t('hallScreen.col.time')}</th>
                            <th>{t('hallScreen.col.kind')}</th>
                            <th className="right">{t('hallScreen.col.amount')}</th>
                            <th>{t('hallScreen.col.operator')}</th>
                            <th>{t('hallScreen.col.counter')}</th>
                          </tr>
                        </thead>
                        <tbody>
                          {detail.entries.map((entry) => (
                            <tr key={entry.entryId} data-testid="hall-ticket-entry" data-entry-id={entry.entryId} data-kind={entry.kind} title={`${entry.entryId} · ${entry.accountNo}`}>
                              <td className="num">{time(entry.at)}</td>
                              <td>{t(`history.kind.${entry.kind}`)}</td>
                              <td className="num right">{formatYuan(entry.amount)}</td>
                              <td className="ellipsis hall-screen__operator" title={`${entry.operator.name} (${entry.operator.staffNo})`}>
                                {entry.operator.name}
                              </td>
                              <td className="num">{entry.ticket?.counterNo ?? '—'}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    )}
                  </>
                )}
              </aside>
            )}
          </div>
        </>
      )}
    </main>
  );
}
