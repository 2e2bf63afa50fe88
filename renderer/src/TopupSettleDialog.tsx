/**
 * 主管退款: a top-up that was paid but never written to its card, where the card can no longer
 * take it (another record under its sequence, or the card moved past it). The station reads the
 * card again to make sure it does not hold the purchase, then refunds it by a reversal. Like
 * 冲正, it needs a reason and a supervisor other than the clerk who made the sale.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import type { UnfinishedTopup } from '../../core/contract/cards.js';
import type { StationError } from '../../core/contract/result.js';
import type { LedgerEntryView } from '../../core/contract/views.js';
import { formatCubicMetres, formatYuan, negFen } from '../../core/money/money.js';
import { useI18n } from '../i18n/i18n.js';
import { ApproverFields, EntrySummary, approvalDialogKeys, useApprover } from './ApproverFields.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useStation } from './station.js';

/** Why `topup.settle` refused to refund (TOPUP_REFUSED `details.reason`). */
type SettleRefusal = 'rewrite' | 'on-card' | 'card-damaged';
const SETTLE_REFUSALS: Readonly<Record<SettleRefusal, true>> = { rewrite: true, 'on-card': true, 'card-damaged': true };

function isSettleRefusal(value: unknown): value is SettleRefusal {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SETTLE_REFUSALS, value);
}

function settleRefusalOf(error: StationError): SettleRefusal | null {
  if (error.code !== 'TOPUP_REFUSED') return null;
  const reason = error.details?.['reason'];
  return isSettleRefusal(reason) ? reason : null;
}

/** Outcomes of an unfinished top-up that a supervisor settles by a refund (`topup.settle`). */
export function canSettle(outcome: UnfinishedTopup['outcome']): boolean {
  switch (outcome) {
    case 'other-digest':
    case 'moved-past':
    case 'out-of-step':
      return true;
    case 'confirmed':
    case 'rewrite':
    case 'card-damaged':
    case 'card-not-present':
      return false;
  }
}

function SettleError({ error }: { readonly error: StationError }) {
  const { t } = useI18n();
  const refusal = settleRefusalOf(error);
  if (refusal === null) return <ErrorBanner error={error} />;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner" data-code={error.code} data-reason={refusal}>
      <span className="error-banner__text">{t(`settle.refused.${refusal}`)}</span>
    </div>
  );
}

export function TopupSettleDialog({ row, onClose, onCommitted }: { readonly row: UnfinishedTopup; readonly onClose: () => void; readonly onCommitted: () => void }) {
  const { t } = useI18n();
  const { call } = useStation();
  const approver = useApprover();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [done, setDone] = useState<{ readonly entry: LedgerEntryView; readonly replayed: boolean } | null>(null);
  const busyRef = useRef(false);

  const submit = async () => {
    if (busyRef.current || done !== null) return;
    const read = approver.read();
    if (!read.ok) {
      setFieldError(read.problem === 'reason' ? t('settle.reasonShort') : t('reverse.needApprover'));
      return;
    }
    setFieldError(null);
    setError(null);
    busyRef.current = true;
    setBusy(true);
    const result = await call('topup.settle', { entryId: row.entryId, reason: read.reason, approver: read.approver });
    busyRef.current = false;
    setBusy(false);
    if (result.ok) {
      setDone(result.value);
      onCommitted();
      return;
    }
    setError(result.error);
    const code = result.error.code;
    if (approver.refused(code)) return;
    if (code === 'TOPUP_REFUSED' || code === 'NO_CARD' || code === 'CARD_CHANGED' || code === 'ALREADY_REVERSED' || code === 'CARD_REFUSED') {
      // The card or the entry is not as the panel showed it: read the card and the account again.
      onCommitted();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    approvalDialogKeys({ busyRef, done: done !== null, onClose, submit: () => void submit(), buttons: ['settle-confirm', 'settle-done-close'] })(event);
  };


  return (
    <Dialog title={t('settle.title')} testId="settle-dialog" onKeyDown={onKeyDown}>
      <EntrySummary entryId={row.entryId} at={row.at} amount={row.amount}>
        <div>
          <dt>{t('topup.quoteVolume')}</dt>
          <dd className="num">
            {formatCubicMetres(row.volume)}
            <span className="muted small">
              {' '}
              {t('card.serial')} {row.serial} · #{row.sequence}
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('settle.outcome')}</dt>
          <dd>{t(`unfinished.${row.outcome}`, { serial: row.serial })}</dd>
        </div>
      </EntrySummary>
      <div className="notice small topup-cancel__explain">{t('settle.explain')}</div>

      {done !== null ? (
        <div className="pay-done" data-testid="settle-done">
          <div className="pay-done__tick" aria-hidden="true">
            ✓
          </div>
          <div className="pay-done__line">{t('settle.done', { amount: formatYuan(negFen(done.entry.amount)) })}</div>
          <div className="muted small num topup-cancel__done-id">{t('pay.doneEntry', { entryId: done.entry.entryId })}</div>
          {done.replayed && <div className="muted">{t('settle.doneReplayed')}</div>}
          <button type="button" className="button button--primary button--large" data-testid="settle-done-close" autoFocus onClick={onClose}>
            {t('reverse.close')}
          </button>
        </div>
      ) : (
        <>
          <ApproverFields approver={approver} testIdPrefix="settle" disabled={busy} reasonLabel="settle.reason" reasonPlaceholder="settle.reasonPlaceholder" />
          {fieldError !== null && <div className="field-error">{fieldError}</div>}
          {error !== null && <SettleError error={error} />}
          <div className="dialog__buttons">
            <button type="button" className="button" data-testid="settle-cancel" disabled={busy} onClick={onClose}>
              {t('reverse.cancel')}
            </button>
            <button type="button" className="button button--danger button--large" data-testid="settle-confirm" disabled={busy} onClick={() => void submit()}>
              {busy ? t('settle.busy') : t('settle.confirm')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
