/**
 * 缴费. The common case must take three keys from the account page: F4 opens this with every
 * unpaid bill selected, cash chosen and the exact amount tendered; Enter confirms; Enter closes
 * the receipt panel. Everything else (fewer bills, card, QR, more cash handed over) is optional.
 *
 * Money is only ever integer fen: the tendered text goes through parseYuan, never parseFloat.
 * The confirm carries the station-issued txnId, so a repeat (double Enter, a re-send after the
 * socket dropped) returns the same ledger entry instead of charging twice; the UI also refuses
 * a second confirm while one is in flight.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { StationError } from '../../core/contract/result.js';
import type { AccountDetail, LedgerEntryView, PaymentQuote } from '../../core/contract/views.js';
import { ZERO_FEN, formatYuan } from '../../core/money/money.js';
import type { PaymentMethod } from '../../core/schema/primitives.js';
import { useI18n } from '../i18n/i18n.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { PaymentFields, methodForKey, paymentProblemKey, usePayment } from './PaymentFields.js';
import { useStation } from './station.js';

type QuoteState =
  | { readonly state: 'none' }
  | { readonly state: 'loading' }
  | { readonly state: 'ready'; readonly quote: PaymentQuote }
  | { readonly state: 'error'; readonly error: StationError };

interface Done {
  readonly entry: LedgerEntryView;
  readonly replayed: boolean;
}

export function PaymentDialog({ detail, onClose, onCommitted }: { readonly detail: AccountDetail; readonly onClose: () => void; readonly onCommitted: () => void }) {
  const { t } = useI18n();
  const { call } = useStation();
  const accountNo = detail.account.accountNo;

  // The bills as they were when the dialog opened; a refresh behind us must not reshuffle the selection.
  const [unpaid] = useState(() => detail.bills.filter((bill) => bill.status === 'unpaid').sort((a, b) => a.period.localeCompare(b.period)));
  /** Selected bills are always the oldest `count`: paying oldest first is the rule. */
  const [count, setCount] = useState(unpaid.length);
  const [selectionNote, setSelectionNote] = useState<string | null>(null);
  const [quote, setQuote] = useState<QuoteState>(unpaid.length > 0 ? { state: 'loading' } : { state: 'none' });
  const payment = usePayment();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [done, setDone] = useState<Done | null>(null);

  const quoteSequence = useRef(0);
  const confirmingRef = useRef(false);
  const doneRef = useRef(false);
  /** Enter came before the quote: confirm as soon as it arrives. */
  const confirmWhenQuoted = useRef(false);

  // Plain functions, not hooks: `confirm` re-prepares after an expired quote and `requestQuote`
  // confirms an Enter that came early, and neither reads state that a ref does not also hold.
  async function confirm(current: PaymentQuote): Promise<void> {
    if (confirmingRef.current || doneRef.current) return;
    const values = payment.read(current.due);
    if (!values.ok) {
      setFieldError(t(paymentProblemKey(values.problem)));
      return;
    }
    const { tendered, reference } = values;
    setFieldError(null);
    setError(null);
    confirmingRef.current = true;
    setConfirming(true);
    const input =
      values.method === 'cash' ? { txnId: current.txnId, method: values.method, tendered } : { txnId: current.txnId, method: values.method, reference };
    const result = await call('payments.confirm', input);
    confirmingRef.current = false;
    setConfirming(false);
    if (result.ok) {
      doneRef.current = true;
      setDone({ entry: result.value.entry, replayed: result.value.replayed });
      onCommitted();
      return;
    }
    setError(result.error);
    const code = result.error.code;
    if (code === 'TXN_EXPIRED' || code === 'TXN_UNKNOWN' || code === 'TXN_MISMATCH') {
      // The quote is no good any more: get a fresh one for the same bills; the clerk confirms again.
      setQuote({ state: 'loading' });
      requestQuote(current.lines.length);
    } else if (code === 'BILL_ALREADY_PAID' || code === 'NOTHING_TO_PAY' || code === 'BILLS_OUT_OF_ORDER' || code === 'ACCOUNT_CLOSED') {
      // The account changed under us (another counter): show it as it is now.
      onCommitted();
    }
  }

  function requestQuote(n: number): void {
    quoteSequence.current += 1;
    const mine = quoteSequence.current;
    const billIds = unpaid.slice(0, n).map((bill) => bill.billId);
    if (billIds.length === 0) return;
    void call('payments.prepare', { accountNo, billIds }).then((result) => {
      if (mine !== quoteSequence.current) return;
      if (!result.ok) {
        confirmWhenQuoted.current = false;
        setQuote({ state: 'error', error: result.error });
        return;
      }
      const fresh = result.value;
      setQuote({ state: 'ready', quote: fresh });
      payment.followDue(fresh.due);
      if (confirmWhenQuoted.current) {
        confirmWhenQuoted.current = false;
        void confirm(fresh);
      }
    });
  }

  useEffect(() => {
    requestQuote(unpaid.length);
    // Only once, on open: later quotes are asked for by the selection handler.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const select = (index: number) => {
    if (confirmingRef.current || doneRef.current) return;
    const checked = index < count;
    // Unchecking a bill drops every newer one too; checking one takes every older one too.
    const next = checked ? index : index + 1;
    setSelectionNote(checked ? (index < count - 1 ? t('pay.newerDropped') : null) : index > count ? t('pay.oldestFirst') : null);
    setCount(next);
    setError(null);
    confirmWhenQuoted.current = false;
    if (next === 0) {
      quoteSequence.current += 1;
      setQuote({ state: 'none' });
      return;
    }
    setQuote({ state: 'loading' });
    requestQuote(next);
  };

  const chooseMethod = (method: PaymentMethod) => {
    if (confirmingRef.current || doneRef.current) return;
    payment.setForm((previous) => ({ ...previous, method }));
    setFieldError(null);
    // Move to the field the method needs, so the clerk can type at once.
    window.setTimeout(() => {
      const field = payment.fieldFor(method).current;
      field?.focus();
      field?.select();
    }, 0);
  };

  const submit = () => {
    if (confirmingRef.current || doneRef.current) return;
    switch (quote.state) {
      case 'ready':
        void confirm(quote.quote);
        break;
      case 'loading':
        confirmWhenQuoted.current = true;
        break;
      case 'none':
      case 'error':
        break;
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (done !== null) {
      if (event.key === 'Enter' || event.key === 'Escape') {
        event.preventDefault();
        if (!event.repeat) onClose();
      }
      return;
    }
    switch (event.key) {
      case 'Escape':
        event.preventDefault();
        // Once money is on its way the dialog stays until the station answers.
        if (!confirmingRef.current) onClose();
        return;
      case 'Enter': {
        const target = event.target;
        // Another button (cancel, a method) keeps its own meaning for Enter.
        if (target instanceof HTMLButtonElement && target.dataset['testid'] !== 'pay-confirm') return;
        event.preventDefault();
        if (!event.repeat) submit();
        return;
      }
      default: {
        const method = methodForKey(event);
        if (method !== null) chooseMethod(method);
        return;
      }
    }
  };

  const ready = quote.state === 'ready' ? quote.quote : null;
  const selectedFees = unpaid.slice(0, count);

  if (done !== null) {
    const entry = done.entry;
    return (
      <Dialog title={t('pay.doneTitle')} testId="pay-dialog" onKeyDown={onKeyDown}>
        <div className="pay-done" data-testid="pay-done">
          <div className="pay-done__tick" aria-hidden="true">
            ✓
          </div>
          <div className="pay-done__line">
            {entry.method === 'cash' || entry.method === null
              ? t('pay.doneLine', { amount: formatYuan(entry.amount), change: formatYuan(entry.change ?? ZERO_FEN) })
              : t('pay.doneLineNoChange', { amount: formatYuan(entry.amount), method: t(`method.${entry.method}`) })}
          </div>
          <div className="muted num" data-testid="pay-entry-id">
            {t('pay.doneEntry', { entryId: entry.entryId })}
          </div>
          {done.replayed && <div className="muted">{t('pay.doneReplayed')}</div>}
          <button type="button" className="button button--primary button--large" data-testid="pay-done-close" autoFocus onClick={onClose}>
            {t('pay.doneClose')}
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={`${t('pay.title')} · ${detail.account.ownerName} · ${accountNo}`} testId="pay-dialog" onKeyDown={onKeyDown} wide>
      <div className="pay">
        <div className="pay__bills">
          <div className="pay__subtitle">{t('pay.bills')}</div>
          <div className="table-wrap pay__bill-list">
            <table className="table">
              <thead>
                <tr>
                  <th />
                  <th>{t('pay.col.period')}</th>
                  <th className="right">{t('pay.col.amount')}</th>
                  <th className="right">{t('pay.col.lateFee')}</th>
                  <th className="right">{t('pay.col.overdue')}</th>
                </tr>
              </thead>
              <tbody>
                {unpaid.map((bill, index) => (
                  <tr key={bill.billId} data-testid="pay-bill" data-bill-id={bill.billId} className={index < count ? undefined : 'row--unselected'}>
                    <td>
                      <input
                        type="checkbox"
                        data-testid="pay-bill-check"
                        checked={index < count}
                        disabled={confirming}
                        onChange={() => select(index)}
                        aria-label={bill.period}
                      />
                    </td>
                    <td className="num">{bill.period}</td>
                    <td className="num right">{formatYuan(bill.amount)}</td>
                    <td className="num right">{bill.lateFee > 0 ? formatYuan(bill.lateFee) : '—'}</td>
                    <td className="num right">{bill.overdueDays > 0 ? t('bill.days', { n: bill.overdueDays }) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {selectionNote !== null && <div className="notice small">{selectionNote}</div>}
          {count === 0 && <div className="field-error">{t('pay.noneSelected')}</div>}
        </div>

        <div className="pay__side">
          <dl className="totals">
            <div>
              <dt>{t('pay.billsTotal')}</dt>
              <dd className="num">{ready === null ? '…' : formatYuan(ready.billsTotal)}</dd>
            </div>
            <div>
              <dt>{t('pay.lateFees')}</dt>
              <dd className="num">{ready === null ? '…' : formatYuan(ready.lateFeesTotal)}</dd>
            </div>
            {ready !== null && ready.creditApplied > 0 && (
              <div>
                <dt>{t('pay.creditApplied')}</dt>
                <dd className="num" data-testid="pay-credit">
                  −{formatYuan(ready.creditApplied)}
                </dd>
              </div>
            )}
            <div className="totals__due">
              <dt>{t('pay.due')}</dt>
              <dd className="money money--huge" data-testid="pay-due">
                {ready === null ? (quote.state === 'loading' ? '…' : '—') : formatYuan(ready.due)}
              </dd>
            </div>
          </dl>
          {quote.state === 'loading' && selectedFees.length > 0 && <div className="muted small">{t('pay.preparing')}</div>}
          {quote.state === 'error' && <ErrorBanner error={quote.error} />}

          <PaymentFields payment={payment} testIdPrefix="pay" due={ready?.due ?? null} disabled={confirming} onChooseMethod={chooseMethod} onEdit={() => setFieldError(null)} />
          {fieldError !== null && <div className="field-error">{fieldError}</div>}
          {error !== null && <ErrorBanner error={error} />}

          <div className="dialog__buttons">
            <button type="button" className="button" data-testid="pay-cancel" disabled={confirming} onClick={onClose}>
              {t('pay.cancel')}
            </button>
            <button
              type="button"
              className="button button--primary button--large"
              data-testid="pay-confirm"
              disabled={confirming || count === 0 || quote.state === 'error'}
              onClick={submit}
            >
              {confirming ? t('pay.confirming') : t('pay.confirm')}
            </button>
          </div>
        </div>
      </div>
    </Dialog>
  );
}
