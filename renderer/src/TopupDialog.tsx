/**
 * 购气: sells gas onto the prepaid card in the reader. Exact cash takes four keys from the card
 * going in: the dialog opens itself with the amount focused; type the amount, Enter (the quote:
 * the largest volume not above the amount, at its exact price), Enter (take the money and write
 * the card), Enter (close). Tab in the amount field switches to buying a volume in m³.
 *
 * Amounts and volumes are parsed with parseYuan / parseCubicMetres, never floats. The confirm
 * carries the station's txnId, so a repeat returns the same entry; the UI refuses a second
 * confirm while one runs. A write that did not finish is PAID and RECORDED: the dialog says so
 * and sends the clerk to 继续写卡, never to sell again.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { TopupQuote, TopupResult } from '../../core/contract/cards.js';
import type { StationError } from '../../core/contract/result.js';
import type { LedgerEntryView } from '../../core/contract/views.js';
import { ZERO_FEN, ZERO_GAS, formatCubicMetres, formatUnitPrice, formatYuan, parseCubicMetres, parseYuan, type Fen, type GasVolume } from '../../core/money/money.js';
import type { PaymentMethod } from '../../core/schema/primitives.js';
import { useI18n } from '../i18n/i18n.js';
import { useCard } from './card.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { PaymentFields, methodForKey, paymentProblemKey, usePayment } from './PaymentFields.js';
import { useStation } from './station.js';

type Mode = 'amount' | 'volume';
type By = { readonly kind: 'amount'; readonly amount: Fen } | { readonly kind: 'volume'; readonly volume: GasVolume };

type QuoteState =
  | { readonly state: 'none' }
  | { readonly state: 'loading'; readonly key: string }
  | { readonly state: 'ready'; readonly key: string; readonly by: By; readonly quote: TopupQuote }
  | { readonly state: 'error'; readonly key: string; readonly error: StationError };

type Outcome =
  | { readonly kind: 'done'; readonly entry: LedgerEntryView; readonly replayed: boolean }
  | { readonly kind: 'pending'; readonly entry: LedgerEntryView | null; readonly problem: string | null };

interface Form {
  readonly mode: Mode;
  readonly amount: string;
  readonly volume: string;
  readonly staffNo: string;
  readonly password: string;
}

const STAFF_NO = /^\d{4,8}$/;

/** What the clerk typed, as the station's `by`; null when it is not a positive amount or volume. */
function readBy(mode: Mode, text: string): By | null {
  try {
    if (mode === 'amount') {
      const amount = parseYuan(text);
      return amount > 0 ? { kind: 'amount', amount } : null;
    }
    const volume = parseCubicMetres(text);
    return volume > 0 ? { kind: 'volume', volume } : null;
  } catch {
    return null;
  }
}

function keyOf(form: Form): string {
  return form.mode === 'amount' ? `amount:${form.amount.trim()}` : `volume:${form.volume.trim()}`;
}

export function TopupDialog({
  accountNo,
  ownerName,
  serial,
  onClose,
  onCommitted,
}: {
  readonly accountNo: string;
  readonly ownerName: string;
  /** The card this sale is for (as read when the dialog opened). */
  readonly serial: string;
  readonly onClose: () => void;
  readonly onCommitted: () => void;
}) {
  const { t } = useI18n();
  const { call } = useStation();
  const { slot } = useCard();
  const [form, setFormState] = useState<Form>({
    mode: 'amount',
    amount: '',
    volume: '',
    staffNo: '',
    password: '',
  });
  const payment = usePayment();
  const [quote, setQuoteState] = useState<QuoteState>({ state: 'none' });
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const formRef = useRef(form);
  const quoteRef = useRef(quote);
  const quoteSequence = useRef(0);
  const confirmingRef = useRef(false);
  const finishedRef = useRef(false);
  /** Enter came again before the quote arrived: confirm as soon as it does. */
  const confirmWhenQuoted = useRef(false);
  const amountRef = useRef<HTMLInputElement>(null);
  const volumeRef = useRef<HTMLInputElement>(null);
  const staffRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const setForm = useCallback((update: (previous: Form) => Form) => {
    const next = update(formRef.current);
    formRef.current = next;
    setFormState(next);
  }, []);
  const setQuote = useCallback((next: QuoteState) => {
    quoteRef.current = next;
    setQuoteState(next);
  }, []);

  const cardOut = slot.kind === 'read' && !slot.present && slot.inspection.card?.serial === serial;

  /** The field to focus once the next render has put it on screen (it may not exist yet). */
  const focusNext = useRef<RefObject<HTMLInputElement | null> | null>(null);
  const focusLater = (field: RefObject<HTMLInputElement | null>) => {
    focusNext.current = field;
  };
  useEffect(() => {
    const field = focusNext.current?.current;
    if (field === null || field === undefined || field.disabled) return;
    focusNext.current = null;
    field.focus();
    field.select();
  });

  // Plain functions, not hooks: `confirm` re-prepares after an expired quote and `prepare`
  // confirms an Enter that came early; both read the form through its ref.
  async function confirm(current: TopupQuote, by: By): Promise<void> {
    if (confirmingRef.current || finishedRef.current) return;
    const values = formRef.current;
    const paid = payment.read(current.amount);
    if (!paid.ok) {
      setFieldError(t(paymentProblemKey(paid.problem)));
      return;
    }
    const { tendered, reference } = paid;
    let approver: { staffNo: string; password: string } | undefined;
    if (current.needsApproval !== null) {
      const staffNo = values.staffNo.trim();
      if (!STAFF_NO.test(staffNo) || values.password === '') {
        setFieldError(t('topup.needApprover'));
        (STAFF_NO.test(staffNo) ? passwordRef : staffRef).current?.focus();
        return;
      }
      approver = { staffNo, password: values.password };
    }
    setFieldError(null);
    setError(null);
    confirmingRef.current = true;
    setConfirming(true);
    const result = await call('topup.confirm', {
      txnId: current.txnId,
      method: paid.method,
      ...(tendered === undefined ? {} : { tendered }),
      ...(reference === undefined ? {} : { reference }),
      ...(approver === undefined ? {} : { approver }),
    });
    confirmingRef.current = false;
    setConfirming(false);
    if (result.ok) {
      finish(result.value);
      return;
    }
    const code = result.error.code;
    if (code === 'CARD_WRITE_PENDING') {
      // Paid and recorded, the card did not take it: finished from the card, never sold again.
      finishedRef.current = true;
      setOutcome({ kind: 'pending', entry: null, problem: null });
      onCommitted();
      return;
    }
    setError(result.error);
    if (code === 'TXN_EXPIRED' || code === 'TXN_UNKNOWN' || code === 'TXN_MISMATCH') {
      // The quote is no good any more: get a fresh one for the same input; the clerk confirms again.
      prepare(by, keyOf(formRef.current), false);
    } else if (code === 'APPROVAL_REFUSED' || code === 'APPROVER_IS_MAKER') {
      setForm((previous) => ({ ...previous, password: '' }));
      focusLater(staffRef);
    } else if (code === 'TOPUP_REFUSED' || code === 'CARD_REFUSED' || code === 'CARD_CHANGED' || code === 'NO_CARD' || code === 'ACCOUNT_CLOSED') {
      // The card or the account is not as it was: read the card again so the panel shows why.
      onCommitted();
    }
  }

  function finish(value: TopupResult): void {
    finishedRef.current = true;
    setOutcome(value.card === 'on-card' ? { kind: 'done', entry: value.entry, replayed: value.replayed } : { kind: 'pending', entry: value.entry, problem: value.problem });
    onCommitted();
  }

  function prepare(by: By, key: string, confirmAfter: boolean): void {
    quoteSequence.current += 1;
    const mine = quoteSequence.current;
    confirmWhenQuoted.current = confirmAfter;
    setQuote({ state: 'loading', key });
    void call('topup.prepare', { accountNo, serial, by }).then((result) => {
      if (mine !== quoteSequence.current) return;
      if (!result.ok) {
        confirmWhenQuoted.current = false;
        setQuote({ state: 'error', key, error: result.error });
        return;
      }
      const fresh = result.value;
      setQuote({ state: 'ready', key, by, quote: fresh });
      payment.followDue(fresh.amount);
      if (confirmWhenQuoted.current) {
        confirmWhenQuoted.current = false;
        void confirm(fresh, by);
        return;
      }
      // The next thing the clerk does: approve, take the cash (Enter), or type the reference.
      focusLater(fresh.needsApproval !== null ? staffRef : payment.fieldFor(payment.formRef.current.method));
    });
  }

  /** Enter: work out the quote for what is typed, or confirm the quote that matches it. */
  const submit = () => {
    if (confirmingRef.current || finishedRef.current) return;
    const values = formRef.current;
    const key = keyOf(values);
    const current = quoteRef.current;
    if (current.state === 'ready' && current.key === key) {
      void confirm(current.quote, current.by);
      return;
    }
    if (current.state === 'loading' && current.key === key) {
      confirmWhenQuoted.current = true;
      return;
    }
    const by = readBy(values.mode, values.mode === 'amount' ? values.amount : values.volume);
    if (by === null) {
      setFieldError(values.mode === 'amount' ? t('topup.badAmount') : t('topup.badVolume'));
      focusLater(values.mode === 'amount' ? amountRef : volumeRef);
      return;
    }
    setFieldError(null);
    setError(null);
    prepare(by, key, false);
  };

  const switchMode = () => {
    if (confirmingRef.current || finishedRef.current) return;
    const mode: Mode = formRef.current.mode === 'amount' ? 'volume' : 'amount';
    setForm((previous) => ({ ...previous, mode }));
    setFieldError(null);
    focusLater(mode === 'amount' ? amountRef : volumeRef);
  };

  const chooseMethod = (method: PaymentMethod) => {
    if (confirmingRef.current || finishedRef.current) return;
    payment.setForm((previous) => ({ ...previous, method }));
    setFieldError(null);
    focusLater(payment.fieldFor(method));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (outcome !== null) {
      if (event.key === 'Enter' || event.key === 'Escape') {
        event.preventDefault();
        if (!event.repeat) onClose();
      }
      return;
    }
    switch (event.key) {
      case 'Escape':
        event.preventDefault();
        // Once the card is being written the dialog stays until the station answers.
        if (!confirmingRef.current) onClose();
        return;
      case 'Enter': {
        const target = event.target;
        if (target instanceof HTMLButtonElement && target.dataset['testid'] !== 'topup-confirm') return;
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

  /** Tab in the amount or volume field switches between them (Shift+Tab leaves the field as usual). */
  const onQuantityKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Tab' && !event.shiftKey) {
      event.preventDefault();
      event.stopPropagation();
      switchMode();
    }
  };

  const ready = quote.state === 'ready' ? quote.quote : null;
  const stale = quote.state !== 'none' && quote.key !== keyOf(form);

  if (outcome !== null) {
    if (outcome.kind === 'pending') {
      return (
        <Dialog title={t('topup.pendingTitle')} testId="topup-dialog" onKeyDown={onKeyDown}>
          <div className="topup-pending" data-testid="topup-pending">
            <div className="topup-pending__icon" aria-hidden="true">
              !
            </div>
            <div className="topup-pending__line">{t('topup.pendingLine')}</div>
            {outcome.entry !== null && (
              <div className="num">
                {outcome.entry.card === undefined ? '' : `${formatCubicMetres(outcome.entry.card.volume)}　`}
                {formatYuan(outcome.entry.amount)}
                <span className="muted small">　{t('pay.doneEntry', { entryId: outcome.entry.entryId })}</span>
              </div>
            )}
            <div className="small">{t('topup.pendingNote')}</div>
            {outcome.problem !== null && <div className="small muted">{t('topup.pendingProblem', { problem: outcome.problem })}</div>}
            <button type="button" className="button button--primary button--large" data-testid="topup-pending-close" autoFocus onClick={onClose}>
              {t('topup.close')}
            </button>
          </div>
        </Dialog>
      );
    }
    const entry = outcome.entry;
    const volume = formatCubicMetres(entry.card?.volume ?? ready?.volume ?? ZERO_GAS);
    return (
      <Dialog title={t('topup.doneTitle')} testId="topup-dialog" onKeyDown={onKeyDown}>
        <div className="pay-done" data-testid="topup-done">
          <div className="pay-done__tick" aria-hidden="true">
            ✓
          </div>
          <div className="pay-done__line">
            {entry.method === 'cash' || entry.method === null
              ? t('topup.doneLine', { volume, amount: formatYuan(entry.amount), change: formatYuan(entry.change ?? ZERO_FEN) })
              : t('topup.doneLineNoChange', { volume, amount: formatYuan(entry.amount), method: t(`method.${entry.method}`) })}
          </div>
          <div>{t('topup.doneCard')}</div>
          <div className="muted num">{t('pay.doneEntry', { entryId: entry.entryId })}</div>
          {outcome.replayed && <div className="muted">{t('pay.doneReplayed')}</div>}
          <button type="button" className="button button--primary button--large" data-testid="topup-done-close" autoFocus onClick={onClose}>
            {t('topup.close')}
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={`${t('topup.title')} · ${ownerName} · ${accountNo}`} testId="topup-dialog" onKeyDown={onKeyDown} wide>
      <div className="pay topup">
        <div className="topup__left">
          <div className="topup__mode">
            <button
              type="button"
              className="mode-toggle"
              data-testid="topup-mode"
              data-mode={form.mode}
              disabled={confirming}
              onMouseDown={(event) => event.preventDefault()}
              onClick={switchMode}
            >
              <span className={form.mode === 'amount' ? 'mode-toggle__on' : undefined}>{t('topup.byAmount')}</span>
              <span className={form.mode === 'volume' ? 'mode-toggle__on' : undefined}>{t('topup.byVolume')}</span>
            </button>
            <span className="muted small">{t('topup.modeHint')}</span>
          </div>
          {form.mode === 'amount' ? (
            <label className="field">
              <span className="field__label">{t('topup.amount')}</span>
              <input
                ref={amountRef}
                data-testid="topup-amount"
                className="input input--money input--quantity"
                inputMode="decimal"
                autoComplete="off"
                autoFocus
                value={form.amount}
                disabled={confirming}
                onKeyDown={onQuantityKeyDown}
                onChange={(event) => {
                  const text = event.target.value;
                  setFieldError(null);
                  setForm((previous) => ({ ...previous, amount: text }));
                }}
              />
            </label>
          ) : (
            <label className="field">
              <span className="field__label">{t('topup.volume')}</span>
              <input
                ref={volumeRef}
                data-testid="topup-volume"
                className="input input--money input--quantity"
                inputMode="decimal"
                autoComplete="off"
                autoFocus
                value={form.volume}
                disabled={confirming}
                onKeyDown={onQuantityKeyDown}
                onChange={(event) => {
                  const text = event.target.value;
                  setFieldError(null);
                  setForm((previous) => ({ ...previous, volume: text }));
                }}
              />
            </label>
          )}

          {quote.state === 'loading' && <div className="muted">{t('topup.quoting')}</div>}
          {quote.state === 'error' && <ErrorBanner error={quote.error} />}
          {quote.state === 'ready' && (
            <div className={stale ? 'topup-quote topup-quote--stale' : 'topup-quote'} data-testid="topup-quote" data-stale={stale}>
              {stale && <div className="notice small">{t('topup.stale')}</div>}
              <dl className="totals">
                <div>
                  <dt>{t('topup.quoteVolume')}</dt>
                  <dd className="money money--large" data-testid="topup-quote-volume">
                    {formatCubicMetres(quote.quote.volume)}
                  </dd>
                </div>
                <div className="totals__due">
                  <dt>{t('topup.quoteAmount')}</dt>
                  <dd className="money money--huge" data-testid="topup-quote-amount">
                    {formatYuan(quote.quote.amount)}
                  </dd>
                </div>
              </dl>
              {quote.by.kind === 'amount' && quote.by.amount !== quote.quote.amount && (
                <div className="small muted">{t('topup.exactNote', { typed: formatYuan(quote.by.amount) })}</div>
              )}
              <table className="table topup-parts" data-testid="topup-parts">
                <tbody>
                  {quote.quote.parts.map((part) => (
                    <tr key={part.tierIndex}>
                      <td>{t('topup.part', { n: part.tierIndex + 1 })}</td>
                      <td className="num right">{formatCubicMetres(part.volume)}</td>
                      <td className="num muted">× {formatUnitPrice(part.price)}</td>
                      <td className="num right">= {formatYuan(part.amount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="small">
                <span className="muted">{t('topup.ytd', { year: quote.quote.tariffYear })}</span>{' '}
                <span className="num">
                  {formatCubicMetres(quote.quote.yearToDateBefore)} → <b>{formatCubicMetres(quote.quote.yearToDateAfter)}</b>
                </span>
              </div>
              <div className="small muted">{t('topup.tariff', { version: quote.quote.tariffVersionId })}</div>
            </div>
          )}
        </div>

        <div className="pay__side">
          <PaymentFields payment={payment} testIdPrefix="topup" due={ready?.amount ?? null} disabled={confirming} onChooseMethod={chooseMethod} onEdit={() => setFieldError(null)} />

          {ready !== null && ready.needsApproval !== null && (
            <div className="topup-approval">
              <div className="notice notice--danger small">{t('topup.approval', { reason: t(`refusal.${ready.needsApproval}`) })}</div>
              <div className="field-row">
                <label className="field">
                  <span className="field__label">{t('topup.approverStaff')}</span>
                  <input
                    ref={staffRef}
                    data-testid="topup-approver-staff"
                    className="input"
                    inputMode="numeric"
                    autoComplete="off"
                    maxLength={8}
                    value={form.staffNo}
                    disabled={confirming}
                    onChange={(event) => {
                      const text = event.target.value;
                      setForm((previous) => ({ ...previous, staffNo: text }));
                    }}
                  />
                </label>
                <label className="field">
                  <span className="field__label">{t('topup.approverPassword')}</span>
                  <input
                    ref={passwordRef}
                    data-testid="topup-approver-password"
                    className="input"
                    type="password"
                    autoComplete="off"
                    value={form.password}
                    disabled={confirming}
                    onChange={(event) => {
                      const text = event.target.value;
                      setForm((previous) => ({ ...previous, password: text }));
                    }}
                  />
                </label>
              </div>
            </div>
          )}

          {cardOut && <div className="notice notice--danger small">{t('topup.cardOut')}</div>}
          {fieldError !== null && <div className="field-error">{fieldError}</div>}
          {error !== null && <ErrorBanner error={error} />}
          {confirming && (
            <div className="topup-writing" data-testid="topup-writing" role="status">
              {t('topup.writing')}
            </div>
          )}

          <div className="dialog__buttons">
            <button type="button" className="button" data-testid="topup-cancel" disabled={confirming} onClick={onClose}>
              {t('topup.cancel')}
            </button>
            <button
              type="button"
              className="button button--primary button--large"
              data-testid="topup-confirm"
              disabled={confirming || ready === null || stale}
              onClick={submit}
            >
              {confirming ? t('topup.writing') : t('topup.confirm')}
            </button>
          </div>
        </div>
      </div>
    </Dialog>
  );
}
