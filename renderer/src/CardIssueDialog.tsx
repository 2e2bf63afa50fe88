/**
 * 发卡 and 补卡: the account's card, written on the BLANK card in the reader.
 *
 * 发卡 (the account has no card): one key, Enter. 补卡 (lost or broken card): a reason and a
 * supervisor other than the clerk, as for 冲正; the dialog explains what a replacement does —
 * one generation higher (the meter then refuses the old card, and so does the station), the
 * account's last purchase carried onto it (掉气补气). While the station writes, the dialog says
 * 请勿拔卡 and cannot be closed; a card the station refused says why (不是空白卡, 卡已报废 …).
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { CardIssueResult } from '../../core/contract/cards.js';
import type { StationError } from '../../core/contract/result.js';
import { formatYuan } from '../../core/money/money.js';
import { useI18n } from '../i18n/i18n.js';
import { ApproverFields, isApprovalRefusal, useApprover } from './ApproverFields.js';
import { blankCardState, cardUsedUp, isCardIssueReason, useCard } from './card.js';
import { Dialog } from './Dialog.js';
import { ErrorBanner, refusalReasonOf } from './ErrorBanner.js';
import { useStation } from './station.js';

/** The old card of a replacement; null for a first card 发卡. */
export interface Replacing {
  readonly oldSerial: string;
}

export function CardIssueDialog({
  accountNo,
  ownerName,
  meterNo,
  replacing,
  onClose,
  onCommitted,
}: {
  readonly accountNo: string;
  readonly ownerName: string;
  readonly meterNo: string;
  readonly replacing: Replacing | null;
  readonly onClose: () => void;
  /** The card was written (or may have changed): reload the account and read the card again. */
  readonly onCommitted: () => void;
}) {
  const { t } = useI18n();
  const { call, info } = useStation();
  const { slot } = useCard();
  const replace = replacing !== null;
  const ids = replace
    ? { dialog: 'replace-card-dialog', confirm: 'replace-confirm', result: 'replace-result', close: 'replace-result-close', cancel: 'replace-cancel' }
    : { dialog: 'issue-card-dialog', confirm: 'issue-card-confirm', result: 'issue-card-result', close: 'issue-card-result-close', cancel: 'issue-card-cancel' };
  const approver = useApprover();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StationError | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [done, setDone] = useState<CardIssueResult | null>(null);
  const busyRef = useRef(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  /** Where focus goes once the fields are enabled again after a refusal (Enter then retries). */
  const [focusAfter, setFocusAfter] = useState<{ readonly to: 'staff' | 'confirm' } | null>(null);
  const blank = blankCardState(slot);

  const { focusStaff } = approver;
  useEffect(() => {
    if (busy || focusAfter === null) return;
    if (focusAfter.to === 'staff') {
      focusStaff();
    } else {
      confirmRef.current?.focus();
    }
  }, [busy, focusAfter, focusStaff]);

  const submit = async () => {
    if (busyRef.current || done !== null) return;
    const read = replace ? approver.read() : null;
    if (read !== null && !read.ok) {
      setFieldError(read.problem === 'reason' ? t('reverse.reasonShort') : t('reverse.needApprover'));
      return;
    }
    setFieldError(null);
    setError(null);
    busyRef.current = true;
    setBusy(true);
    const result = read !== null ? await call('card.replace', { accountNo, reason: read.reason, approver: read.approver }) : await call('card.issue', { accountNo });
    busyRef.current = false;
    setBusy(false);
    if (result.ok) {
      setDone(result.value);
      onCommitted();
      return;
    }
    setError(result.error);
    const code = result.error.code;
    if (isApprovalRefusal(code)) {
      approver.setPassword('');
      setFocusAfter({ to: 'staff' });
      return;
    }
    setFocusAfter({ to: 'confirm' });
    if (code === 'CARD_REFUSED' || code === 'NO_CARD' || code === 'CARD_CHANGED' || code === 'INVALID_INPUT') {
      // The card (or the account) may not be what it was: show both as they are now.
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
    const testId = event.target instanceof HTMLButtonElement ? event.target.dataset['testid'] : undefined;
    if (testId !== undefined && testId !== ids.confirm && testId !== ids.close) return;
    event.preventDefault();
    if (event.repeat) return;
    if (done !== null) onClose();
    else void submit();
  };

  const reasonCode = error === null ? null : refusalReasonOf(error);
  const usedUp = reasonCode !== null && isCardIssueReason(reasonCode) && cardUsedUp(reasonCode);
  const fee = done?.entry.amount ?? null;

  return (
    <Dialog title={replace ? t('replace.title') : t('issue.title')} testId={ids.dialog} onKeyDown={onKeyDown}>
      <dl className="totals totals--entry">
        <div>
          <dt>{t('account.accountNo')}</dt>
          <dd className="num">{accountNo}</dd>
        </div>
        <div>
          <dt>{t('search.col.name')}</dt>
          <dd>{ownerName}</dd>
        </div>
        <div>
          <dt>{t('account.meterNo')}</dt>
          <dd className="num">{meterNo}</dd>
        </div>
        {replacing !== null && (
          <div>
            <dt>{t('replace.oldCard')}</dt>
            <dd className="num">{replacing.oldSerial}</dd>
          </div>
        )}
      </dl>

      {done !== null ? (
        <div className="pay-done" data-testid={ids.result} data-serial={done.serial} data-generation={done.generation}>
          <div className="pay-done__tick">✓</div>
          <div className="pay-done__line">{replace ? t('replace.doneTitle') : t('issue.doneTitle')}</div>
          <dl className="totals issue-done">
            <div>
              <dt>{t('issue.doneSerial')}</dt>
              <dd className="money money--large num" data-testid="issued-serial">
                {done.serial}
              </dd>
            </div>
            <div>
              <dt>{t('issue.doneGeneration')}</dt>
              <dd className="money money--large num" data-testid="issued-generation">
                {done.generation}
              </dd>
            </div>
            {fee !== null && fee > 0 && (
              <div>
                <dt>{t('issue.fee')}</dt>
                <dd className="money">{formatYuan(fee)}</dd>
              </div>
            )}
          </dl>
          {replacing !== null ? (
            <>
              <div className={done.carriedSequence === null ? 'notice small' : 'notice notice--warn'} data-testid="replace-carried">
                {done.carriedSequence === null ? t('replace.doneNothingCarried') : t('replace.doneCarried', { sequence: done.carriedSequence })}
              </div>
              <div className="small text-danger">{t('replace.doneOld', { serial: done.entry.cardIssue?.previousSerial ?? replacing.oldSerial })}</div>
            </>
          ) : (
            <div className="notice small">{t('issue.doneNext')}</div>
          )}
          <button type="button" className="button button--primary button--large" data-testid={ids.close} autoFocus onClick={onClose}>
            {t('issue.close')}
          </button>
        </div>
      ) : (
        <>
          {replace ? (
            <div className="notice small issue-explain">
              <div>{t('replace.explain1')}</div>
              <div>{t('replace.explain2')}</div>
            </div>
          ) : (
            <div className="notice small issue-explain">{t('issue.explain')}</div>
          )}
          <div className={`issue-blank issue-blank--${blank}`} data-testid="issue-blank" data-state={blank}>
            {blank === 'blank' ? t('issue.blankIn') : blank === 'other' ? t('issue.notBlank') : info?.demo === true ? t('issue.noCardDemo') : t('issue.noCard')}
          </div>

          {replace && (
            <>
              <ApproverFields
                approver={approver}
                testIdPrefix="replace"
                disabled={busy}
                reasonLabel="replace.reason"
                reasonPlaceholder="replace.reasonPlaceholder"
                reasonAside={(['lost', 'broken'] as const).map((key) => (
                  <button
                    key={key}
                    type="button"
                    tabIndex={-1}
                    className="button button--small"
                    data-testid={`replace-reason-${key}`}
                    disabled={busy}
                    onMouseDown={(event) => event.preventDefault()}
                    onClick={() => {
                      approver.setReason(t(`replace.reason.${key}`));
                      approver.staffRef.current?.focus();
                    }}
                  >
                    {t(`replace.reason.${key}`)}
                  </button>
                ))}
              />
            </>
          )}

          {fieldError !== null && <div className="field-error">{fieldError}</div>}
          {error !== null && <ErrorBanner error={error} />}
          {usedUp && <div className="small text-danger">{t('issue.retryHint')}</div>}
          {busy && (
            <div className="topup-writing" data-testid="issue-writing" role="status">
              {replace ? t('replace.busy') : t('issue.busy')}
            </div>
          )}
          <div className="dialog__buttons">
            <button type="button" className="button" data-testid={ids.cancel} disabled={busy} onClick={onClose}>
              {t('reverse.cancel')}
            </button>
            <button
              type="button"
              className={replace ? 'button button--danger button--large' : 'button button--primary button--large'}
              ref={confirmRef}
              data-testid={ids.confirm}
              disabled={busy}
              autoFocus={!replace}
              onClick={() => void submit()}
            >
              {busy ? (replace ? t('replace.busy') : t('issue.busy')) : replace ? t('replace.confirm') : t('issue.confirm')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
