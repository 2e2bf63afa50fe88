/**
 * The supervisor's approval, as 冲正, 购气冲正, 主管退款 and 补卡 ask for it: a reason, then the
 * staff number and password of a supervisor other than the clerk. `useApprover` holds the fields
 * and their checks; `ApproverFields` draws them with the dialog's own test ids.
 */
import { useCallback, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import type { ErrorCode } from '../../core/contract/result.js';
import type { LedgerEntryView } from '../../core/contract/views.js';
import { formatYuan, type Fen } from '../../core/money/money.js';
import type { MessageKey } from '../i18n/messages.js';
import { useI18n } from '../i18n/i18n.js';
import { formatInstant } from './format.js';
import { useStation } from './station.js';

const STAFF_NO = /^\d{4,8}$/;

/** The station refused the supervisor (wrong password, or the supervisor is the clerk who made the sale). */
export function isApprovalRefusal(code: ErrorCode): boolean {
  return code === 'APPROVAL_REFUSED' || code === 'APPROVER_IS_MAKER';
}

export type ApproverRead =
  | { readonly ok: true; readonly reason: string; readonly approver: { readonly staffNo: string; readonly password: string } }
  | { readonly ok: false; readonly problem: 'reason' | 'approver' };

export interface Approver {
  readonly reason: string;
  readonly setReason: (reason: string) => void;
  readonly staffNo: string;
  readonly setStaffNo: (staffNo: string) => void;
  readonly password: string;
  readonly setPassword: (password: string) => void;
  readonly reasonRef: RefObject<HTMLInputElement | null>;
  readonly staffRef: RefObject<HTMLInputElement | null>;
  readonly passwordRef: RefObject<HTMLInputElement | null>;
  /** The reason and the supervisor for the station; on a problem, focuses the field to fix. */
  readonly read: () => ApproverRead;
  /** Puts the cursor on the staff number, selected, so the clerk can type another supervisor. */
  readonly focusStaff: () => void;
  /** After APPROVAL_REFUSED / APPROVER_IS_MAKER: clears the password and refocuses the staff number; false for any other code. */
  readonly refused: (code: ErrorCode) => boolean;
}

export function useApprover(): Approver {
  const [reason, setReason] = useState('');
  const [staffNo, setStaffNo] = useState('');
  const [password, setPassword] = useState('');
  const reasonRef = useRef<HTMLInputElement>(null);
  const staffRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const focusStaff = useCallback(() => {
    staffRef.current?.focus();
    staffRef.current?.select();
  }, []);

  const read = (): ApproverRead => {
    if (reason.trim().length < 2) {
      reasonRef.current?.focus();
      return { ok: false, problem: 'reason' };
    }
    if (!STAFF_NO.test(staffNo.trim()) || password === '') {
      (STAFF_NO.test(staffNo.trim()) ? passwordRef : staffRef).current?.focus();
      return { ok: false, problem: 'approver' };
    }
    return { ok: true, reason: reason.trim(), approver: { staffNo: staffNo.trim(), password } };
  };

  const refused = (code: ErrorCode): boolean => {
    if (!isApprovalRefusal(code)) return false;
    setPassword('');
    focusStaff();
    return true;
  };

  return { reason, setReason, staffNo, setStaffNo, password, setPassword, reasonRef, staffRef, passwordRef, read, focusStaff, refused };
}

export function ApproverFields({
  approver,
  testIdPrefix,
  disabled,
  reasonLabel,
  reasonPlaceholder,
  reasonAside,
}: {
  readonly approver: Approver;
  /** `reverse` gives reverse-reason, reverse-staff and reverse-password. */
  readonly testIdPrefix: string;
  readonly disabled: boolean;
  readonly reasonLabel: MessageKey;
  readonly reasonPlaceholder: MessageKey;
  /** Shown beside the reason (补卡's quick reasons); the reason and these then share a row. */
  readonly reasonAside?: ReactNode;
}) {
  const { t } = useI18n();
  const { reason, setReason, staffNo, setStaffNo, password, setPassword, reasonRef, staffRef, passwordRef } = approver;
  const reasonInput = (
    <input
      ref={reasonRef}
      data-testid={`${testIdPrefix}-reason`}
      className="input"
      autoFocus
      maxLength={200}
      placeholder={t(reasonPlaceholder)}
      value={reason}
      disabled={disabled}
      onChange={(event) => setReason(event.target.value)}
    />
  );
  return (
    <>
      <label className="field">
        <span className="field__label">{t(reasonLabel)}</span>
        {reasonAside === undefined ? (
          reasonInput
        ) : (
          <div className="issue-reason">
            {reasonInput}
            {reasonAside}
          </div>
        )}
      </label>
      <div className="pay__subtitle">{t('reverse.approver')}</div>
      <div className="field-row">
        <label className="field">
          <span className="field__label">{t('reverse.staffNo')}</span>
          <input
            ref={staffRef}
            data-testid={`${testIdPrefix}-staff`}
            className="input"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            value={staffNo}
            disabled={disabled}
            onChange={(event) => setStaffNo(event.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t('reverse.password')}</span>
          <input
            ref={passwordRef}
            data-testid={`${testIdPrefix}-password`}
            className="input"
            type="password"
            autoComplete="off"
            value={password}
            disabled={disabled}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
      </div>
    </>
  );
}

/**
 * The keys of an approval dialog: Esc closes unless a request is under way; Enter submits, or
 * closes the done panel, from any field or from the dialog's own two buttons (not from another
 * button, which Enter presses), and once only while held down.
 */
export function approvalDialogKeys(options: {
  /** True while a request is under way (a ref: read when the key is pressed, not when rendered). */
  readonly busyRef: RefObject<boolean>;
  readonly done: boolean;
  readonly onClose: () => void;
  readonly submit: () => void;
  /** The test ids of the confirm and the done-close buttons. */
  readonly buttons: readonly [string, string];
}): (event: KeyboardEvent<HTMLDivElement>) => void {
  return (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      if (!options.busyRef.current) options.onClose();
      return;
    }
    if (event.key !== 'Enter') return;
    if (event.target instanceof HTMLButtonElement && !options.buttons.includes(event.target.dataset['testid'] ?? '')) return;
    event.preventDefault();
    if (event.repeat) return;
    if (options.done) options.onClose();
    else options.submit();
  };
}

/** The entry an approval is about: its id, time and amount, and how and by whom it was paid when known. */
export function EntrySummary({
  entryId,
  at,
  amount,
  paid,
  children,
}: {
  readonly entryId: string;
  readonly at: string;
  readonly amount: Fen;
  readonly paid?: Pick<LedgerEntryView, 'method' | 'reference' | 'operator'>;
  readonly children?: ReactNode;
}) {
  const { t } = useI18n();
  const { timeZone } = useStation();
  return (
    <dl className="totals totals--entry">
      <div>
        <dt>{t('reverse.entry')}</dt>
        <dd className="num small">{entryId}</dd>
      </div>
      <div>
        <dt>{t('history.at')}</dt>
        <dd className="num">{formatInstant(at, timeZone)}</dd>
      </div>
      <div>
        <dt>{t('history.amount')}</dt>
        <dd className="money money--large">{formatYuan(amount)}</dd>
      </div>
      {paid !== undefined && (
        <>
          <div>
            <dt>{t('history.method')}</dt>
            <dd>
              {paid.method === null ? '—' : t(`method.${paid.method}`)}
              {paid.reference !== null && <span className="muted num"> {paid.reference}</span>}
            </dd>
          </div>
          <div>
            <dt>{t('history.operator')}</dt>
            <dd>
              {paid.operator.name} <span className="muted num">{paid.operator.staffNo}</span>
            </dd>
          </div>
        </>
      )}
      {children}
    </dl>
  );
}
