/**
 * 冲正: undoes a payment with a new, cancelling entry. Needs a reason and a supervisor other than
 * the clerk who took the payment, who types their own staff number and password here.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import type { StationError } from '../../core/contract/result.js';
import type { LedgerEntryView } from '../../core/contract/views.js';
import { formatYuan } from '../../core/money/money.js';
import { useI18n } from '../i18n/i18n.js';
import { ApproverFields, useApprover } from './ApproverFields.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { formatInstant } from './format.js';
import { useStation } from './station.js';

export function ReversalDialog({ entry, onClose, onCommitted }: { readonly entry: LedgerEntryView; readonly onClose: () => void; readonly onCommitted: () => void }) {
  const { t } = useI18n();
  const { call, timeZone } = useStation();
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
    if (event.key === 'Escape') {
      event.preventDefault();
      if (!busyRef.current) onClose();
      return;
    }
    if (event.key !== 'Enter') return;
    if (event.target instanceof HTMLButtonElement && event.target.dataset['testid'] !== 'reverse-confirm' && event.target.dataset['testid'] !== 'reverse-done-close') return;
    event.preventDefault();
    if (event.repeat) return;
    if (doneId !== null) onClose();
    else void submit();
  };

  return (
    <Dialog title={t('reverse.title')} testId="reverse-dialog" onKeyDown={onKeyDown}>
      <dl className="totals totals--entry">
        <div>
          <dt>{t('reverse.entry')}</dt>
          <dd className="num small">{entry.entryId}</dd>
        </div>
        <div>
          <dt>{t('history.at')}</dt>
          <dd className="num">{formatInstant(entry.at, timeZone)}</dd>
        </div>
        <div>
          <dt>{t('history.amount')}</dt>
          <dd className="money money--large">{formatYuan(entry.amount)}</dd>
        </div>
        <div>
          <dt>{t('history.method')}</dt>
          <dd>
            {entry.method === null ? '—' : t(`method.${entry.method}`)}
            {entry.reference !== null && <span className="muted num"> {entry.reference}</span>}
          </dd>
        </div>
        <div>
          <dt>{t('history.operator')}</dt>
          <dd>
            {entry.operator.name} <span className="muted num">{entry.operator.staffNo}</span>
          </dd>
        </div>
        <div>
          <dt>{t('bill.period')}</dt>
          <dd className="num">{entry.bills.map((bill) => bill.period).join('、') || '—'}</dd>
        </div>
      </dl>

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
