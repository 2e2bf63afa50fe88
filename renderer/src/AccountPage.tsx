/**
 * 账户: everything a clerk checks before taking money, on one screen at 1366×768: who, which
 * meter, the tariff, the safety inspection, what is owed and what was done before, and for a
 * prepaid account the card in the reader (card panel at the top).
 * F4 pays, F6 sells gas onto the card (购气), F8 issues the account's card (发卡) or replaces it
 * (补卡) on the blank card in the reader, Esc goes back to the search. Beside the history, the
 * 收据 tab lists the account's receipts at this station, each with 重打.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { StationError } from '../../core/contract/result.js';
import type { AccountDetail, LedgerEntryView, TariffView } from '../../core/contract/views.js';
import { formatCubicMetres, formatUnitPrice, formatYuan, gas, type Fen } from '../../core/money/money.js';
import { useI18n } from '../i18n/i18n.js';
import { blankCardState, inspectionFor, refusalLiftable, useCard } from './card.js';
import { CardIssueDialog } from './CardIssueDialog.js';
import { CardPanel } from './CardPanel.js';
import { ErrorBanner } from './ErrorBanner.js';
import { formatInstant } from './format.js';
import { PaymentDialog } from './PaymentDialog.js';
import { handlesPrinting } from './printer.js';
import { ReceiptList } from './ReceiptList.js';
import { TransferDialog } from './TransferDialog.js';
import { CreditRefundDialog } from './CreditRefundDialog.js';
import { ReversalDialog } from './ReversalDialog.js';
import { useStation } from './station.js';
import { TopupCancelDialog } from './TopupCancelDialog.js';
import { TopupDialog } from './TopupDialog.js';

type Modal =
  | { readonly kind: 'pay' }
  | { readonly kind: 'reverse'; readonly entry: LedgerEntryView }
  | { readonly kind: 'topup'; readonly serial: string }
  | { readonly kind: 'topup-cancel'; readonly entry: LedgerEntryView }
  | { readonly kind: 'card-issue' }
  | { readonly kind: 'card-replace'; readonly oldSerial: string }
  | { readonly kind: 'transfer' }
  | { readonly kind: 'refund' }
  | null;

function TariffText({ tariff }: { readonly tariff: TariffView }) {
  const { t } = useI18n();
  const pricing = tariff.pricing;
  switch (pricing.kind) {
    case 'flat':
      return (
        <ul className="tiers">
          <li>
            <span>{t('account.flat')}</span>
            <span className="num">{formatUnitPrice(pricing.price)}</span>
          </li>
        </ul>
      );
    case 'tiered': {
      // Each tier starts where the one before it ends.
      const lowers = pricing.tiers.map((_tier, index) => pricing.tiers[index - 1]?.upTo ?? gas(0));
      return (
        <ul className="tiers">
          {pricing.tiers.map((tier, index) => {
            const lower = lowers[index] ?? gas(0);
            const range =
              tier.upTo === null
                ? t('account.tierAbove', { from: formatCubicMetres(lower) })
                : t('account.tierRange', { from: formatCubicMetres(lower).replace(' m³', ''), to: formatCubicMetres(tier.upTo) });
            return (
              <li key={index}>
                <span>{t('account.tier', { n: index + 1 })}</span>
                <span className="num tiers__range">{range}</span>
                <span className="num">{formatUnitPrice(tier.price)}</span>
              </li>
            );
          })}
        </ul>
      );
    }
  }
}

function Money({ amount, className, testId }: { readonly amount: Fen; readonly className?: string; readonly testId?: string }) {
  return (
    <span className={`money ${className ?? ''}`} data-testid={testId}>
      {formatYuan(amount)}
    </span>
  );
}

/** Why the account's bills cannot be paid now, or null. */
function payBlockerOf(detail: AccountDetail, t: (key: 'account.closedNoPay' | 'account.nothingToPay') => string): string | null {
  if (detail.account.status === 'closed') return t('account.closedNoPay');
  return detail.bills.some((bill) => bill.status === 'unpaid') ? null : t('account.nothingToPay');
}

export function AccountPage({
  accountNo,
  active,
  onBack,
  autoTopupId,
}: {
  readonly accountNo: string;
  readonly active: boolean;
  readonly onBack: () => void;
  /** Set when this account's card was just inserted and may buy: open 购气 by itself, once per id. */
  readonly autoTopupId: number | null;
}) {
  const { t } = useI18n();
  const { call, client, timeZone, operator } = useStation();
  const { slot, reinspect } = useCard();
  const [tab, setTab] = useState<'history' | 'receipts'>('history');
  const showReceipts = operator !== null && handlesPrinting(operator.role);
  const [detail, setDetail] = useState<AccountDetail | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [modal, setModal] = useState<Modal>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const sequence = useRef(0);
  const pageRef = useRef<HTMLElement>(null);
  // A clerk who presses F4 while the account is still loading means it: the payment opens as
  // soon as the account arrives.
  const payRequested = useRef(false);

  const reload = useCallback(() => {
    sequence.current += 1;
    const mine = sequence.current;
    void call('accounts.get', { accountNo }).then((result) => {
      // A newer reload (an event, a payment) may already have answered.
      if (mine !== sequence.current) return;
      if (result.ok) {
        setDetail(result.value);
        setError(null);
        if (payRequested.current) {
          payRequested.current = false;
          const blocker = payBlockerOf(result.value, t);
          if (blocker === null) setModal({ kind: 'pay' });
          else setNotice(blocker);
        }
      } else {
        setError(result.error);
      }
    });
  }, [call, accountNo, t]);

  useEffect(() => {
    reload();
  }, [reload]);

  useEffect(
    () =>
      client.on('ledger.committed', (payload) => {
        if (payload.accountNo === accountNo) reload();
      }),
    [client, accountNo, reload],
  );

  // Another station's entry, or central's change to the account (a transfer applied), arrived.
  useEffect(
    () =>
      client.on('accounts.changed', (payload) => {
        if (payload.all || payload.accountNos.includes(accountNo)) reload();
      }),
    [client, accountNo, reload],
  );

  useEffect(() => {
    pageRef.current?.focus();
  }, [accountNo]);

  const closed = detail?.account.status === 'closed';
  const payBlocker = detail === null ? null : payBlockerOf(detail, t);
  const prepaid = detail?.account.meterKind === 'prepaid-card';
  const cardInspection = inspectionFor(slot, accountNo);
  const cardHere = cardInspection !== null && slot.kind === 'read' && slot.present ? cardInspection : null;
  const cardSerial = cardHere?.card?.serial ?? null;
  /** Why 购气 cannot open now, or null. Inspection refusals a supervisor may lift do not block it. */
  const topupBlocker =
    detail === null
      ? null
      : !prepaid
        ? t('refusal.not-prepaid')
        : cardHere === null || cardSerial === null
          ? t('topup.noCard')
          : cardHere.refusal !== null && !refusalLiftable(cardHere.refusal)
            ? t('card.refusal', { reason: t(`refusal.${cardHere.refusal}`) })
            : null;
  const showCardPanel = slot.kind === 'read' && slot.inspection.account?.accountNo === accountNo;
  /** 发卡 when the account has no card yet, 补卡 when it has one; only for an open prepaid account. */
  const cardAction: 'issue' | 'replace' | null =
    detail === null || !prepaid || detail.account.status === 'closed' ? null : detail.account.cardSerial === null ? 'issue' : 'replace';
  const blankInReader = blankCardState(slot) === 'blank';

  const openCardIssue = useCallback(() => {
    if (detail === null || cardAction === null) return;
    setNotice(null);
    const oldSerial = detail.account.cardSerial;
    setModal(cardAction === 'issue' || oldSerial === null ? { kind: 'card-issue' } : { kind: 'card-replace', oldSerial });
  }, [detail, cardAction]);

  const openTopup = useCallback(() => {
    if (detail === null) return;
    if (topupBlocker !== null || cardSerial === null) {
      setNotice(topupBlocker);
      return;
    }
    setNotice(null);
    setModal({ kind: 'topup', serial: cardSerial });
  }, [detail, topupBlocker, cardSerial]);

  // The card was just inserted and may buy: the dialog opens by itself, amount focused, as soon
  // as the account is on screen (adjusting state while rendering, once per insertion).
  const [autoTopupDone, setAutoTopupDone] = useState<number | null>(null);
  if (autoTopupId !== null && autoTopupId !== autoTopupDone && detail !== null && active && modal === null) {
    setAutoTopupDone(autoTopupId);
    if (topupBlocker === null && cardSerial !== null && cardHere?.refusal === null) setModal({ kind: 'topup', serial: cardSerial });
  }

  const afterCardChange = useCallback(() => {
    reload();
    reinspect();
  }, [reload, reinspect]);

  const openPay = useCallback(() => {
    if (detail === null) {
      payRequested.current = true;
      return;
    }
    if (payBlocker !== null) {
      setNotice(payBlocker);
      return;
    }
    setNotice(null);
    setModal({ kind: 'pay' });
  }, [detail, payBlocker]);

  // A layout effect: the keys work from the moment the page is on screen, not a frame later
  // (a quick clerk's F4 right after Enter on the search would otherwise be lost).
  useLayoutEffect(() => {
    if (!active || modal !== null) return undefined;
    const onKey = (event: KeyboardEvent) => {
      // A dialog this page does not own (主管退款 from the card panel) is open: its keys are its own.
      if (document.querySelector('[aria-modal="true"]') !== null) return;
      if (event.key === 'F4') {
        event.preventDefault();
        openPay();
      } else if (event.key === 'F6') {
        event.preventDefault();
        openTopup();
      } else if (event.key === 'F8') {
        event.preventDefault();
        openCardIssue();
      } else if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        onBack();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, modal, openPay, openTopup, openCardIssue, onBack]);

  const closeModal = useCallback(() => {
    setModal(null);
    pageRef.current?.focus();
  }, []);

  if (detail === null) {
    return (
      <main className="account" data-testid="account-page" ref={pageRef} tabIndex={-1}>
        {error !== null ? <ErrorBanner error={error} /> : <div className="empty">{t('account.loading')}</div>}
        <div>
          <button type="button" className="button" onClick={onBack}>
            {t('account.back')}
          </button>
        </div>
      </main>
    );
  }

  const { account, inspection, tariff } = detail;
  const inspectionWarn = inspection.result === 'failed' ? t('account.inspection.failedWarn') : inspection.overdue ? t('account.inspection.overdueWarn') : null;
  const entriesById = new Map(detail.history.map((entry) => [entry.entryId, entry]));

  return (
    <main className="account" data-testid="account-page" data-account-no={account.accountNo} ref={pageRef} tabIndex={-1}>
      <section className="account__head">
        <div className="account__title">
          <h1 className="account__owner" data-testid="account-owner">
            {account.ownerName}
          </h1>
          <span className={`badge badge--${account.status}`} data-testid="account-status">
            {t(`accountStatus.${account.status}`)}
          </span>
          {detail.pendingTransfer !== null && (
            <span className="badge badge--pending" data-testid="transfer-pending-badge">
              {t('transfer.pendingBadge')}
            </span>
          )}
          <span className="account__no">
            {t('account.accountNo')} <b className="num">{account.accountNo}</b>
          </span>
        </div>
        <div className="account__sums">
          <div className={detail.arrears > 0 ? 'sum sum--owing' : 'sum'}>
            <span className="sum__label">{t('account.arrears')}</span>
            <Money amount={detail.arrears} className="money--large" testId="account-arrears" />
          </div>
          <div className="sum">
            <span className="sum__label">{t('account.credit')}</span>
            <Money amount={detail.creditBalance} className="money--large" testId="account-credit" />
          </div>
        </div>
        <div className="account__actions">
          {prepaid && (
            <button
              type="button"
              className="button button--primary button--large"
              data-testid="topup-button"
              disabled={topupBlocker !== null}
              title={topupBlocker ?? undefined}
              onClick={openTopup}
            >
              {t('topup.button')}
            </button>
          )}
          {cardAction === 'issue' && (
            <button
              type="button"
              className={blankInReader ? 'button button--primary button--large' : 'button button--large'}
              data-testid="issue-card-button"
              onClick={openCardIssue}
            >
              {t('issue.button')}
            </button>
          )}
          {cardAction === 'replace' && (
            <button type="button" className="button button--large" data-testid="replace-card-button" onClick={openCardIssue}>
              {t('replace.button')}
            </button>
          )}
          <button
            type="button"
            className={prepaid ? 'button button--large' : 'button button--primary button--large'}
            data-testid="pay-button"
            disabled={payBlocker !== null}
            title={payBlocker ?? undefined}
            onClick={openPay}
          >
            {t('account.pay')}
          </button>
          <button
            type="button"
            className="button button--large"
            data-testid="transfer-button"
            disabled={closed || detail.pendingTransfer !== null}
            title={detail.pendingTransfer !== null ? t('transfer.pendingBadge') : undefined}
            onClick={() => setModal({ kind: 'transfer' })}
          >
            {t('transfer.button')}
          </button>
          {detail.creditBalance > 0 && (
            <button type="button" className="button button--large" data-testid="refund-button" onClick={() => setModal({ kind: 'refund' })}>
              {t('credit.refund')}
            </button>
          )}
          <button type="button" className="button" data-testid="back-button" onClick={onBack}>
            {t('account.back')}
          </button>
        </div>
      </section>

      {showCardPanel && <CardPanel slot={slot} showAccount={false} onChanged={afterCardChange} />}

      {cardAction !== null && blankInReader && modal === null && (
        <div className="notice account__blank" data-testid="blank-card-notice">
          {cardAction === 'issue' ? t('issue.blankNoticeIssue') : t('issue.blankNoticeReplace')}
        </div>
      )}

      {(detail.pendingTransfer !== null || detail.rejectedTransfers.length > 0 || detail.doublePayments.length > 0) && (
        <div className="account__notices" data-testid="sync-notices">
          {detail.pendingTransfer !== null && (
            <div className="notice" data-testid="transfer-pending-notice">
              {t('transfer.pendingNotice', {
                at: formatInstant(detail.pendingTransfer.at, timeZone),
                previous: detail.pendingTransfer.previousOwnerName,
                next: detail.pendingTransfer.newOwnerName,
              })}
            </div>
          )}
          {detail.rejectedTransfers.map((rejected) => (
            <div key={rejected.eventId} className="notice notice--danger" data-testid="transfer-rejected-notice" data-event-id={rejected.eventId}>
              <b>{t('transfer.rejected', { reason: rejected.reason === 'owner-changed' || rejected.reason === 'no-account' ? t(`transfer.reason.${rejected.reason}`) : (rejected.detail ?? rejected.reason ?? '') })}</b>{' '}
              {t('transfer.rejectedLine', { at: formatInstant(rejected.at, timeZone), previous: rejected.previousOwnerName, next: rejected.newOwnerName, operator: rejected.operator.name })}
            </div>
          ))}
          {detail.doublePayments.length > 0 && (
            <div className="notice notice--warn" data-testid="double-payment-notice">
              <b>{t('double.title')}</b>
              <ul className="notice__list">
                {detail.doublePayments.map((double) => (
                  <li key={`${double.entryId}:${double.billId}`} data-testid="double-payment" data-entry-id={double.entryId}>
                    {t('double.line', {
                      period: double.period,
                      settledBy: double.settledByStationId === null ? (double.settledByEntryId === null ? t('double.byCentral') : double.settledByEntryId) : t('double.byStation', { station: double.settledByStationId }),
                      station: double.stationId,
                      at: formatInstant(double.at, timeZone),
                      amount: formatYuan(double.amount),
                    })}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}

      {(closed || notice !== null || inspectionWarn !== null || error !== null) && (
        <div className="account__notices">
          {closed && (
            <div className="notice notice--danger" data-testid="account-closed">
              {t('account.closedNoPay')}
            </div>
          )}
          {notice !== null && !closed && <div className="notice">{notice}</div>}
          {inspectionWarn !== null && (
            <div className="notice notice--danger" data-testid="inspection-warning">
              ⚠ {inspectionWarn}
            </div>
          )}
          {error !== null && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
        </div>
      )}

      <section className="account__info">
        <dl className="facts">
          <div>
            <dt>{t('account.idNumber')}</dt>
            <dd className="num">{account.idNumberMasked}</dd>
          </div>
          <div>
            <dt>{t('account.phone')}</dt>
            <dd className="num">{account.phone}</dd>
          </div>
          <div className="facts__wide">
            <dt>{t('account.address')}</dt>
            <dd title={account.address}>{account.address}</dd>
          </div>
          <div>
            <dt>{t('account.district')}</dt>
            <dd>{account.districtName}</dd>
          </div>
          <div>
            <dt>{t('account.meterNo')}</dt>
            <dd className="num">{account.meterNo}</dd>
          </div>
          <div>
            <dt>{t('account.meterKind')}</dt>
            <dd>{t(`meterKind.${account.meterKind}`)}</dd>
          </div>
          <div>
            <dt>{t('account.cardSerial')}</dt>
            <dd className="num">{account.cardSerial ?? '—'}</dd>
          </div>
          <div>
            <dt>{t('account.customerType')}</dt>
            <dd>{t(`customerType.${account.customerType}`)}</dd>
          </div>
          <div>
            <dt>{t('account.openedOn')}</dt>
            <dd className="num">{account.openedOn}</dd>
          </div>
        </dl>
        <div className="panel">
          <div className="panel__title">
            {t('account.tariff')}
            {tariff !== null && <span className="panel__sub">{tariff.name}</span>}
          </div>
          {tariff === null ? (
            <div className="muted">{t('account.noTariff')}</div>
          ) : (
            <>
              <TariffText tariff={tariff} />
              <div className="muted small" data-testid="tariff-version">
                {t('account.tariffVersion', { version: tariff.versionId, from: tariff.effectiveFrom })}
              </div>
            </>
          )}
        </div>
        <div className={inspectionWarn !== null ? 'panel panel--danger' : 'panel'} data-testid="inspection">
          <div className="panel__title">
            {t('account.inspection')}
            <span className={`inspection inspection--${inspection.result}${inspection.overdue ? ' inspection--overdue' : ''}`}>
              {t(`account.inspection.${inspection.result}`)}
            </span>
          </div>
          <div className="small">{inspection.lastDate === null ? '—' : t('account.inspection.last', { date: inspection.lastDate })}</div>
          {inspection.nextDueDate !== null && (
            <div className={inspection.overdue ? 'small text-danger' : 'small'}>{t('account.inspection.next', { date: inspection.nextDueDate })}</div>
          )}
        </div>
      </section>

      <section className="account__tables">
        <div className="card">
          <h2 className="card__title">{t('account.bills')}</h2>
          <div className="table-wrap">
            {detail.bills.length === 0 ? (
              <div className="empty">{t('account.noBills')}</div>
            ) : (
              <table className="table" data-testid="bills-table">
                <thead>
                  <tr>
                    <th>{t('bill.period')}</th>
                    <th className="right">{t('bill.volume')}</th>
                    <th className="right">{t('bill.amount')}</th>
                    <th>{t('bill.dueDate')}</th>
                    <th className="right">{t('bill.lateFee')}</th>
                    <th className="right">{t('bill.overdueDays')}</th>
                    <th>{t('bill.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.bills.map((bill) => (
                    <tr
                      key={bill.billId}
                      data-testid="bill-row"
                      data-bill-id={bill.billId}
                      data-status={bill.status}
                      className={bill.status === 'unpaid' && bill.overdueDays > 0 ? 'row--overdue' : undefined}
                    >
                      <td className="num">{bill.period}</td>
                      <td className="num right">{formatCubicMetres(bill.volume)}</td>
                      <td className="num right">{formatYuan(bill.amount)}</td>
                      <td className="num">{bill.dueDate}</td>
                      <td className="num right">{bill.lateFee > 0 ? formatYuan(bill.lateFee) : '—'}</td>
                      <td className="num right">{bill.overdueDays > 0 ? t('bill.days', { n: bill.overdueDays }) : '—'}</td>
                      <td>
                        <span className={`tag tag--${bill.status}`}>{t(`bill.${bill.status}`)}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
        <div className="card">
          <h2 className="card__title card__title--tabs">
            <button
              type="button"
              className={tab === 'history' ? 'card__tab card__tab--on' : 'card__tab'}
              data-testid="account-tab-history"
              aria-pressed={tab === 'history'}
              onClick={() => setTab('history')}
            >
              {t('account.history')}
            </button>
            {showReceipts && (
              <button
                type="button"
                className={tab === 'receipts' ? 'card__tab card__tab--on' : 'card__tab'}
                data-testid="account-tab-receipts"
                aria-pressed={tab === 'receipts'}
                onClick={() => setTab('receipts')}
              >
                {t('receipts.tab')}
              </button>
            )}
          </h2>
          {tab === 'receipts' && showReceipts ? (
            <ReceiptList accountNo={account.accountNo} history={detail.history} />
          ) : (
            <div className="table-wrap">
              {detail.history.length === 0 ? (
                <div className="empty">{t('account.noHistory')}</div>
              ) : (
                <table className="table" data-testid="history-table">
                  <thead>
                    <tr>
                      <th>{t('history.at')}</th>
                      <th>{t('history.kind')}</th>
                      <th className="right">{t('history.amount')}</th>
                      <th>{t('history.method')}</th>
                      <th>{t('history.operator')}</th>
                      <th className="col-state">{t('history.state')}</th>
                      <th>{t('history.action')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {detail.history.map((entry) => {
                      const reversible = entry.kind === 'bill-payment' && entry.reversedByEntryId === null;
                      const cancellable = entry.kind === 'top-up' && entry.reversedByEntryId === null;
                      const reversedEntry = entry.reversal === null ? undefined : entriesById.get(entry.reversal.reversesEntryId);
                      return (
                        <tr
                          key={entry.entryId}
                          data-testid="history-row"
                          data-entry-id={entry.entryId}
                          data-kind={entry.kind}
                          data-reversed={entry.reversedByEntryId !== null}
                          className={entry.reversedByEntryId !== null ? 'row--reversed' : undefined}
                          title={entry.entryId}
                        >
                          <td className="num">{formatInstant(entry.at, timeZone)}</td>
                          <td>
                            <span className={`tag tag--${entry.kind}`}>
                              {entry.cardIssue === undefined
                                ? t(`history.kind.${entry.kind}`)
                                : entry.cardIssue.replacement
                                  ? t('history.kind.card-issue.replacement')
                                  : t('history.kind.card-issue.new')}
                            </span>
                            {entry.cardIssue !== undefined && (
                              <span className="num small history__volume" data-testid="history-card" data-serial={entry.cardIssue.serial}>
                                {entry.cardIssue.serial} · {t('history.cardGeneration', { n: entry.cardIssue.generation })}
                              </span>
                            )}
                            {entry.card !== undefined && (
                              <span className="num small history__volume" data-testid="history-volume">
                                {formatCubicMetres(entry.card.volume)}
                              </span>
                            )}
                          </td>
                          <td className="num right">{formatYuan(entry.amount)}</td>
                          <td title={entry.reference ?? undefined}>{entry.method === null ? '—' : t(`method.${entry.method}`)}</td>
                          <td className="nowrap">
                            {entry.operator.name} <span className="muted num">{entry.operator.staffNo}</span>
                          </td>
                          <td className="ellipsis">
                            {entry.reversedByEntryId !== null && (
                              <span className="tag tag--reversed" data-testid="history-reversed">
                                {t('history.reversed')}
                              </span>
                            )}
                            {entry.reversal !== null && (
                              <span
                                className="small"
                                title={`${t('history.reverses', { entryId: entry.reversal.reversesEntryId })}${reversedEntry === undefined ? '' : ` (${formatInstant(reversedEntry.at, timeZone)})`}`}
                              >
                                {entry.reversal.reason}
                              </span>
                            )}
                            {entry.cardIssue?.replacement === true && (
                              <span
                                className="small"
                                title={[
                                  entry.cardIssue.reason ?? '',
                                  entry.cardIssue.previousSerial === null ? '' : t('history.replacedCard', { serial: entry.cardIssue.previousSerial }),
                                  entry.cardIssue.approvedBy === null ? '' : `${t('reverse.staffNo')} ${entry.cardIssue.approvedBy.name} ${entry.cardIssue.approvedBy.staffNo}`,
                                ]
                                  .filter((part) => part !== '')
                                  .join(' · ')}
                              >
                                {entry.cardIssue.reason}
                                {entry.cardIssue.previousSerial !== null && <span className="muted num"> · {t('history.replacedCard', { serial: entry.cardIssue.previousSerial })}</span>}
                              </span>
                            )}
                          </td>
                          <td>
                            {reversible && (
                              <button type="button" className="button button--small" data-testid="reverse-button" onClick={() => setModal({ kind: 'reverse', entry })}>
                                {t('history.reverse')}
                              </button>
                            )}
                            {cancellable && (
                              <button
                                type="button"
                                className="button button--small"
                                data-testid="topup-cancel-button"
                                onClick={() => setModal({ kind: 'topup-cancel', entry })}
                              >
                                {t('history.topupCancel')}
                              </button>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </div>
          )}
        </div>
      </section>

      {modal?.kind === 'pay' && <PaymentDialog detail={detail} onClose={closeModal} onCommitted={reload} />}
      {modal?.kind === 'reverse' && <ReversalDialog entry={modal.entry} onClose={closeModal} onCommitted={reload} />}
      {modal?.kind === 'transfer' && <TransferDialog detail={detail} onClose={closeModal} onCommitted={reload} />}
      {modal?.kind === 'refund' && <CreditRefundDialog detail={detail} onClose={closeModal} onCommitted={reload} />}
      {modal?.kind === 'topup' && (
        <TopupDialog accountNo={account.accountNo} ownerName={account.ownerName} serial={modal.serial} onClose={closeModal} onCommitted={afterCardChange} />
      )}
      {modal?.kind === 'topup-cancel' && <TopupCancelDialog entry={modal.entry} onClose={closeModal} onCommitted={afterCardChange} />}
      {(modal?.kind === 'card-issue' || modal?.kind === 'card-replace') && (
        <CardIssueDialog
          accountNo={account.accountNo}
          ownerName={account.ownerName}
          meterNo={account.meterNo}
          replacing={modal.kind === 'card-replace' ? { oldSerial: modal.oldSerial } : null}
          onClose={closeModal}
          onCommitted={afterCardChange}
        />
      )}
    </main>
  );
}
