/**
 * 购气冲正: cancels a top-up the meter has not loaded. The station writes a cancel record onto the
 * card (so the card must be in the reader), then records the reversal. Like 冲正, it needs a
 * reason and a supervisor other than the clerk who made the sale.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import type { StationError } from '../../core/contract/result.js';
import type { LedgerEntryView } from '../../core/contract/views.js';
import { formatCubicMetres } from '../../core/money/money.js';
import { useI18n } from '../i18n/i18n.js';
import { ApproverFields, EntrySummary, approvalDialogKeys, useApprover } from './ApproverFields.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useStation } from './station.js';

export function TopupCancelDialog({ entry, onClose, onCommitted }: { readonly entry: LedgerEntryView; readonly onClose: () => void; readonly onCommitted: () => void }) {
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
    const result = await call('topup.cancel', { entryId: entry.entryId, reason: read.reason, approver: read.approver });
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
    if (code === 'ALREADY_REVERSED' || code === 'TOPUP_REFUSED' || code === 'CARD_REFUSED' || code === 'CARD_WRITE_PENDING') {
      // The entry or the card is not as it was: show the account and the card as they are now.
      onCommitted();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    approvalDialogKeys({ busyRef, done: doneId !== null, onClose, submit: () => void submit(), buttons: ['topup-cancel-confirm', 'topup-cancel-done-close'] })(event);
  };


  return (
    <Dialog title={t('topupCancel.title')} testId="topup-cancel-dialog" onKeyDown={onKeyDown}>
      <EntrySummary entryId={entry.entryId} at={entry.at} amount={entry.amount} paid={entry}>
        {entry.card !== undefined && (
          <div>
            <dt>{t('topup.quoteVolume')}</dt>
            <dd className="num">
              {formatCubicMetres(entry.card.volume)}
              <span className="muted small">
                {' '}
                {t('card.serial')} {entry.card.serial} · #{entry.card.sequence}
              </span>
            </dd>
          </div>
        )}
      </EntrySummary>
      <div className="notice small topup-cancel__explain">{t('topupCancel.explain')}</div>

      {doneId !== null ? (
        <div className="pay-done" data-testid="topup-cancel-done">
          <div className="pay-done__tick" aria-hidden="true">
            ✓
          </div>
          <div className="pay-done__line">{t('topupCancel.done')}</div>
          <div className="muted small num topup-cancel__done-id">{t('pay.doneEntry', { entryId: doneId })}</div>
          <button type="button" className="button button--primary button--large" data-testid="topup-cancel-done-close" autoFocus onClick={onClose}>
            {t('reverse.close')}
          </button>
        </div>
      ) : (
        <>
          <ApproverFields approver={approver} testIdPrefix="topup-cancel" disabled={busy} reasonLabel="reverse.reason" reasonPlaceholder="topupCancel.reasonPlaceholder" />
          {fieldError !== null && <div className="field-error">{fieldError}</div>}
          {error !== null && <ErrorBanner error={error} />}
          <div className="dialog__buttons">
            <button type="button" className="button" data-testid="topup-cancel-cancel" disabled={busy} onClick={onClose}>
              {t('reverse.cancel')}
            </button>
            <button type="button" className="button button--danger button--large" data-testid="topup-cancel-confirm" disabled={busy} onClick={() => void submit()}>
              {busy ? t('topupCancel.busy') : t('topupCancel.confirm')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
