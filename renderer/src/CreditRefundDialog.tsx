/**
 * 预存退款: pays the account's credit (a double payment, for one) back out of the till, with a
 * reason and a supervisor's approval, and prints a 退款收据.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import type { PaymentMethod } from '../../core/schema/primitives.js';
import type { StationError } from '../../core/contract/result.js';
import type { AccountDetail } from '../../core/contract/views.js';
import { formatYuan, formatYuanPlain, parseYuan, type Fen } from '../../core/money/money.js';
import { useI18n } from '../i18n/i18n.js';
import { ApproverFields, approvalDialogKeys, useApprover } from './ApproverFields.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useStation } from './station.js';

const METHODS: readonly PaymentMethod[] = ['cash', 'bank-card', 'qr'];

export function CreditRefundDialog({ detail, onClose, onCommitted }: { readonly detail: AccountDetail; readonly onClose: () => void; readonly onCommitted: () => void }) {
  const { t } = useI18n();
  const { call } = useStation();
  const approver = useApprover();
  const [amount, setAmount] = useState(formatYuanPlain(detail.creditBalance));
  const [method, setMethod] = useState<PaymentMethod>('cash');
  const [reference, setReference] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const busyRef = useRef(false);

  const submit = async () => {
    if (busyRef.current || done !== null) return;
    let fen: Fen;
    try {
      fen = parseYuan(amount);
    } catch {
      return setFieldError(t('credit.badAmount'));
    }
    if (fen <= 0 || fen > detail.creditBalance) return setFieldError(t('credit.badAmount'));
    if (method !== 'cash' && reference.trim().length < 4) return setFieldError(t('credit.needReference'));
    const read = approver.read();
    if (!read.ok) return setFieldError(read.problem === 'reason' ? t('reverse.reasonShort') : t('reverse.needApprover'));
    setFieldError(null);
    setError(null);
    busyRef.current = true;
    setBusy(true);
    const result = await call('credit.refund', {
      accountNo: detail.account.accountNo,
      amount: fen,
      method,
      ...(method === 'cash' ? {} : { reference: reference.trim() }),
      reason: read.reason,
      approver: read.approver,
    });
    busyRef.current = false;
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      approver.refused(result.error.code);
      return;
    }
    setDone(formatYuan(result.value.entry.amount));
    onCommitted();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    approvalDialogKeys({ busyRef, done: done !== null, onClose, submit: () => void submit(), buttons: ['refund-confirm', 'refund-done-close'] })(event);
  };

  return (
    <Dialog title={t('credit.refundTitle', { accountNo: detail.account.accountNo })} testId="refund-dialog" onKeyDown={onKeyDown}>
      <div className="pay__subtitle">
        {t('credit.available')} <b className="num">{formatYuan(detail.creditBalance)}</b>
      </div>
      {done !== null ? (
        <div className="pay-done" data-testid="refund-done">
          <div className="pay-done__line">{t('credit.done', { amount: done })}</div>
          <button type="button" className="button button--primary button--large" data-testid="refund-done-close" autoFocus onClick={onClose}>
            {t('credit.close')}
          </button>
        </div>
      ) : (
        <>
          <label className="field">
            <span className="field__label">{t('credit.amount')}</span>
            <input className="input num" data-testid="refund-amount" inputMode="decimal" value={amount} disabled={busy} onChange={(e) => setAmount(e.target.value)} />
          </label>
          <div className="methods" role="radiogroup" aria-label={t('credit.method')}>
            {METHODS.map((m) => (
              <button key={m} type="button" role="radio" aria-checked={method === m} className={method === m ? 'method method--on' : 'method'} data-testid={`refund-method-${m}`} disabled={busy} onClick={() => setMethod(m)}>
                {t(`method.${m}`)}
              </button>
            ))}
          </div>
          {method !== 'cash' && (
            <label className="field">
              <span className="field__label">{t('credit.reference')}</span>
              <input className="input num" data-testid="refund-reference" value={reference} disabled={busy} onChange={(e) => setReference(e.target.value)} />
            </label>
          )}
          <ApproverFields approver={approver} testIdPrefix="refund" disabled={busy} reasonLabel="credit.reason" reasonPlaceholder="credit.reasonPlaceholder" />
          {fieldError !== null && <div className="field-error">{fieldError}</div>}
          {error !== null && <ErrorBanner error={error} />}
          <div className="dialog__buttons">
            <button type="button" className="button" data-testid="refund-cancel" disabled={busy} onClick={onClose}>
              {t('credit.cancel')}
            </button>
            <button type="button" className="button button--danger button--large" data-testid="refund-confirm" disabled={busy} onClick={() => void submit()}>
              {busy ? t('credit.busy') : t('credit.submit')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
