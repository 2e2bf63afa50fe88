/**
 * 冲正: undoes a payment with a new, cancelling entry. Needs a reason and a supervisor other than
 * the clerk who took the payment, who types their own staff number and password here.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import type { StationError } from '../../core/contract/result.js';
import type { LedgerEntryView } from '../../core/contract/views.js';
import { useI18n } from '../i18n/i18n.js';
import { ApproverFields, EntrySummary, approvalDialogKeys, useApprover } from './ApproverFields.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useStation } from './station.js';

export function ReversalDialog({ entry, onClose, onCommitted }: { readonly entry: LedgerEntryView; readonly onClose: () => void; readonly onCommitted: () => void }) {
  const { t } = useI18n();
  const { call } = useStation();
  const approver = useApprover();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [doneId, setDoneId] = useState<string | null>(null);
  const busyRef = useRef(false);

  const submit = async () => {
    if (busyRef.current || doneId !== null) return;
    const read = approver.read();
    if (!read.ok) {
      setFieldError(read.problem === 'reason' ? t('reverse.reasonShort') : t('reverse.needApprover'));
      return;
    }
    setFieldError(null);
    setError(null);
    busyRef.current = true;
    setBusy(true);
    const result = await call('ledger.reverse', { entryId: entry.entryId, reason: read.reason, approver: read.approver });
    busyRef.current = false;
    setBusy(false);
    if (result.ok) {
      setDoneId(result.value.entry.entryId);
      onCommitted();
      return;
    }
    setError(result.error);
    const code = result.error.code;
    if (approver.refused(code)) return;
    if (code === 'ALREADY_REVERSED') {
      // Someone else reversed it a moment ago: show the account as it is now.
      onCommitted();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    approvalDialogKeys({ busyRef, done: doneId !== null, onClose, submit: () => void submit(), buttons: ['reverse-confirm', 'reverse-done-close'] })(event);
  };


  return (
    <Dialog title={t('reverse.title')} testId="reverse-dialog" onKeyDown={onKeyDown}>
      <EntrySummary entryId={entry.entryId} at={entry.at} amount={entry.amount} paid={entry}>
        <div>
          <dt>{t('bill.period')}</dt>
          <dd className="num">{entry.bills.map((bill) => bill.period).join('、') || '—'}</dd>
        </div>
      </EntrySummary>

      {doneId !== null ? (
        <div className="pay-done" data-testid="reverse-done">
          <div className="pay-done__line">{t('reverse.done', { entryId: doneId })}</div>
          <button type="button" className="button button--primary button--large" data-testid="reverse-done-close" autoFocus onClick={onClose}>
            {t('reverse.close')}
          </button>
        </div>
      ) : (
        <>
          <ApproverFields approver={approver} testIdPrefix="reverse" disabled={busy} reasonLabel="reverse.reason" reasonPlaceholder="reverse.reasonPlaceholder" />
          {fieldError !== null && <div className="field-error">{fieldError}</div>}
          {error !== null && <ErrorBanner error={error} />}
          <div className="dialog__buttons">
            <button type="button" className="button" data-testid="reverse-cancel" disabled={busy} onClick={onClose}>
              {t('reverse.cancel')}
            </button>
            <button type="button" className="button button--danger button--large" data-testid="reverse-confirm" disabled={busy} onClick={() => void submit()}>
              {busy ? t('reverse.busy') : t('reverse.confirm')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
