/**
 * 过户: the new owner's name, ID number (check character validated as it is typed), phone, the
 * documents the clerk saw, and the fee. The station records it at once (with a 过户回执); the
 * account shows the new owner marked 待中心确认 until central applies or rejects it.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { StationError } from '../../core/contract/result.js';
import { transferDocumentSchema, type TransferDocument } from '../../core/contract/transfer.js';
import type { AccountDetail } from '../../core/contract/views.js';
import { idNumberProblem } from '../../core/identity/id-number.js';
import { formatYuan } from '../../core/money/money.js';
import { useI18n } from '../i18n/i18n.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { PaymentFields, paymentProblemKey, usePayment } from './PaymentFields.js';
import { useStation } from './station.js';

const DOCUMENTS: readonly TransferDocument[] = transferDocumentSchema.options;

export function TransferDialog({ detail, onClose, onCommitted }: { readonly detail: AccountDetail; readonly onClose: () => void; readonly onCommitted: () => void }) {
  const { t } = useI18n();
  const { call } = useStation();
  const payment = usePayment();
  const fee = detail.transferFee;
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [phone, setPhone] = useState('');
  const [documents, setDocuments] = useState<ReadonlySet<TransferDocument>>(new Set(['id-card']));
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const busyRef = useRef(false);

  // Cash tendered starts at the fee, as in the payment dialog: most pay it exactly.
  useEffect(() => {
    if (fee > 0) payment.followDue(fee);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, when the dialog opens
  }, []);

  const idTyped = idNumber.trim().toUpperCase();
  const idProblem = idTyped.length === 0 ? null : idNumberProblem(idTyped);

  const toggle = (code: TransferDocument) => {
    setDocuments((previous) => {
      const next = new Set(previous);
      if (next.has(code)) next.delete(code);
      else next.add(code);
      return next;
    });
  };

  const submit = async () => {
    if (busyRef.current || done !== null) return;
    if (name.trim() === '') return setFieldError(t('transfer.needName'));
    if (idTyped === '' || idProblem !== null) return setFieldError(t(`transfer.idProblem.${idProblem ?? 'format'}`));
    if (!/^\d{7,12}$/.test(phone.trim())) return setFieldError(t('transfer.needPhone'));
    if (documents.size === 0) return setFieldError(t('transfer.needDocument'));
    const paid = fee > 0 ? payment.read(fee) : null;
    if (paid !== null && !paid.ok) return setFieldError(t(paymentProblemKey(paid.problem)));
    setFieldError(null);
    setError(null);
    busyRef.current = true;
    setBusy(true);
    const result = await call('accounts.transfer', {
      accountNo: detail.account.accountNo,
      newOwner: { name: name.trim(), idNumber: idTyped, phone: phone.trim() },
      documentsSeen: DOCUMENTS.filter((code) => documents.has(code)),
      ...(paid?.ok === true
        ? { payment: { method: paid.method, ...(paid.tendered === undefined ? {} : { tendered: paid.tendered }), ...(paid.reference === undefined ? {} : { reference: paid.reference }) } }
        : {}),
    });
    busyRef.current = false;
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setDone(result.value.receiptNo);
    onCommitted();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape' && !busyRef.current) {
      event.preventDefault();
      onClose();
    } else if (event.key === 'Enter' && done === null && !(event.target instanceof HTMLButtonElement)) {
      event.preventDefault();
      void submit();
    }
  };

  return (
    <Dialog title={t('transfer.title', { accountNo: detail.account.accountNo })} testId="transfer-dialog" onKeyDown={onKeyDown} wide>
      <dl className="facts">
        <div>
          <dt>{t('transfer.previousOwner')}</dt>
          <dd data-testid="transfer-previous">
            {detail.account.ownerName} <span className="muted num">{detail.account.idNumberMasked}</span>
          </dd>
        </div>
      </dl>
      {done !== null ? (
        <div className="pay-done" data-testid="transfer-done">
          <div className="pay-done__line">{t('transfer.done', { receiptNo: done })}</div>
          <button type="button" className="button button--primary button--large" data-testid="transfer-done-close" autoFocus onClick={onClose}>
            {t('transfer.close')}
          </button>
        </div>
      ) : (
        <>
          <div className="pay__subtitle">{t('transfer.newOwner')}</div>
          <label className="field">
            <span className="field__label">{t('transfer.name')}</span>
            <input className="input" data-testid="transfer-name" autoFocus maxLength={64} value={name} disabled={busy} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="field">
            <span className="field__label">{t('transfer.idNumber')}</span>
            <input className="input num" data-testid="transfer-id" maxLength={18} value={idNumber} disabled={busy} onChange={(e) => setIdNumber(e.target.value)} />
            {idProblem !== null && idTyped.length === 18 && (
              <span className="field-error field-error--inline" data-testid="transfer-id-problem" data-problem={idProblem}>
                {t(`transfer.idProblem.${idProblem}`)}
              </span>
            )}
          </label>
          <label className="field">
            <span className="field__label">{t('transfer.phone')}</span>
            <input className="input num" data-testid="transfer-phone" inputMode="numeric" maxLength={12} value={phone} disabled={busy} onChange={(e) => setPhone(e.target.value)} />
          </label>
          <fieldset className="transfer__documents" data-testid="transfer-documents">
            <legend className="field__label">{t('transfer.documents')}</legend>
            {DOCUMENTS.map((code) => (
              <label key={code} className="transfer__document">
                <input type="checkbox" data-testid={`transfer-doc-${code}`} checked={documents.has(code)} disabled={busy} onChange={() => toggle(code)} />
                {t(`transfer.doc.${code}`)}
              </label>
            ))}
          </fieldset>
          <div className="pay__subtitle">
            {t('transfer.fee')} <b className="num" data-testid="transfer-fee">{fee > 0 ? formatYuan(fee) : t('transfer.free')}</b>
          </div>
          {fee > 0 && (
            <PaymentFields
              payment={payment}
              testIdPrefix="transfer"
              due={fee}
              disabled={busy}
              onChooseMethod={(method) => payment.setForm((previous) => ({ ...previous, method }))}
              onEdit={() => undefined}
            />
          )}
          {fieldError !== null && <div className="field-error">{fieldError}</div>}
          {error !== null && <ErrorBanner error={error} />}
          <div className="dialog__buttons">
            <button type="button" className="button" data-testid="transfer-cancel" disabled={busy} onClick={onClose}>
              {t('transfer.cancel')}
            </button>
            <button type="button" className="button button--primary button--large" data-testid="transfer-confirm" disabled={busy} onClick={() => void submit()}>
              {busy ? t('transfer.busy') : t('transfer.submit')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
