/**
 * The ok/error envelope every command returns. Errors cross the IPC and WebSocket edges as data,
 * never as thrown exceptions (only an Error's message survives Electron IPC).
 */
export const errorCodes = [
  /** The message was not a well-formed request (not JSON, no id, unknown command). */
  'BAD_REQUEST',
  /** The input failed the command's schema; `details.issues` lists why. Nothing was changed. */
  'INVALID_INPUT',
  /** No session, or the session ended: log in. */
  'UNAUTHENTICATED',
  /** The session is locked after idle time: unlock with the password. */
  'SESSION_LOCKED',
  /** The operator's role may not do this. */
  'FORBIDDEN',
  /** Wrong staff number or password, or the operator is inactive. */
  'LOGIN_FAILED',
  /** Too many failed logins for this staff number: wait. */
  'LOGIN_THROTTLED',
  'ACCOUNT_NOT_FOUND',
  'ACCOUNT_CLOSED',
  'BILL_NOT_FOUND',
  /** A chosen bill is already paid (perhaps at another counter a moment ago). */
  'BILL_ALREADY_PAID',
  'NOTHING_TO_PAY',
  /** Bills are paid oldest first: the selection skipped an older unpaid bill. */
  'BILLS_OUT_OF_ORDER',
  /** The transaction id is unknown to this station (never prepared, or prepared before a restart). */
  'TXN_UNKNOWN',
  /** The prepared quote is too old; prepare again so fees are current. */
  'TXN_EXPIRED',
  /** The confirm does not match what was prepared (another account, or a session that did not prepare it). */
  'TXN_MISMATCH',
  'TENDERED_TOO_LOW',
  'REFERENCE_REQUIRED',
  'ENTRY_NOT_FOUND',
  'ALREADY_REVERSED',
  /** A reversal cannot itself be reversed; make a new payment instead. */
  'NOT_REVERSIBLE',
  /** This needs the customer's card in the reader (a top-up is cancelled on its card). */
  'CARD_REQUIRED',
  /** The card reader is not configured, not connected, or did not answer. */
  'READER_UNAVAILABLE',
  /** No card in the reader, or it was removed during the operation. */
  'NO_CARD',
  /** The card in the reader is not the one this operation is for. */
  'CARD_CHANGED',
  /** The card cannot be used: another utility's, damaged, unreadable, locked, stale generation (details.reason). */
  'CARD_REFUSED',
  /** A purchase is refused by the rules (details.reason: unloaded purchase, inspection, clock, closed account…). */
  'TOPUP_REFUSED',
  /** The card write did not finish; the top-up is recorded and will be finished from the card (details.entryId). */
  'CARD_WRITE_PENDING',
  /** Only in demo mode. */
  'NOT_DEMO',
  /** The approving credentials are wrong or not a supervisor's. */
  'APPROVAL_REFUSED',
  /** The approver is the operator who made the entry. */
  'APPROVER_IS_MAKER',
  'NO_TARIFF',
  /**
   * This station's range of account numbers is used up (or none is configured): no account can be
   * opened here until central hands out a new range. Nothing was written. `details.left` is 0.
   */
  'RANGE_EXHAUSTED',
  /**
   * This station's receipt numbers are used up: no transaction can be committed, because every
   * receipt must carry a number of this station's range. Nothing was written.
   */
  'RECEIPT_RANGE_EXHAUSTED',
  /**
   * A prepaid sale (top-up) refused by the station's offline limits while it cannot reach central:
   * `details.reason` is 'offline-too-long', 'single-sale' or 'total-sales'. Nothing was written.
   */
  'OFFLINE_LIMIT',
  'RECEIPT_NOT_FOUND',
  /** No printer is configured at this station (settings), so there is nothing to print on. */
  'PRINTER_OFF',
  /** Only the station's own virtual printer can be told what to do or be shown on screen. */
  'PRINTER_NOT_VIRTUAL',
  /** An ownership transfer 过户 of this account made here is still waiting for central's decision. */
  'TRANSFER_PENDING',
  /** The new owner of a transfer is the account's owner already. */
  'TRANSFER_SAME_OWNER',
  /** The account's credit 预存 is less than the refund (or a reversal would take back credit already used). */
  'CREDIT_TOO_LOW',
  /** No such conflict (resolved meanwhile, or the revision is not one of the document's). */
  'CONFLICT_NOT_FOUND',
  /** Ledger and station documents are never resolved at the counter: report the conflict to central. */
  'CONFLICT_NOT_RESOLVABLE',
  // ── The hall queue 排队叫号 (issue 6) ──
  /** The hall hub cannot be reached: serve walk-ins without tickets until it is back. */
  'HALL_UNREACHABLE',
  /** This station is not set up for that part of the hall queue (not the hub, or no counter credential). */
  'HALL_NOT_CONFIGURED',
  /** The hub refused the device: its credential is unknown or revoked, or its kind may not do this. */
  'HALL_DEVICE_REFUSED',
  /** No ticket waits for this counter's services. */
  'HALL_QUEUE_EMPTY',
  /** The counter still has a called or served ticket: finish, transfer or mark it no-show first. */
  'HALL_COUNTER_BUSY',
  /**
   * The ticket is not in a state for this (details.reason: 'unknown-ticket', 'not-this-counter',
   * 'wrong-state', 'recalls-needed' with details.recallsLeft).
   */
  'HALL_TICKET_STATE',
  /** No such service (or it is not offered) or counter for a ticket or a transfer. */
  'HALL_UNKNOWN_TARGET',
  /** The station could not write durably; nothing was committed. */
  'STORAGE_FAILED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface StationError {
  readonly code: ErrorCode;
  /** English, for logs and developers. The UI shows its own text for the code. */
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StationError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(code: ErrorCode, message: string, details?: Readonly<Record<string, unknown>>): Result<T> {
  return details === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, details } };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}
