/**
 * The card reader port: what the station needs from a contact reader for SLE4442 gas
 * cards, independent of the reader's make. `hardware/gcr1` implements it for the
 * GCR-1 (card-reader-protocol.md); another make gets its own implementation of this
 * same interface, and the station does not change.
 *
 * Contract for every implementation:
 *
 * - **Nothing throws across the port.** Every method resolves to a `ReaderResult`;
 *   line trouble, a pulled card and programming errors in arguments all come back
 *   as `{ ok: false, error }`.
 * - **One operation at a time.** Calls may be made concurrently; the implementation
 *   queues them and runs each one whole (a `write` is many exchanges with the reader
 *   and is never interleaved with another call).
 * - **A card session belongs to one physical card**, identified by its 8-byte serial
 *   (header bytes 0x08..0x0F of the gas card layout). Whenever the implementation can
 *   no longer be sure the card in the slot is that card (after any event, timeout,
 *   "no card", "not powered", "not verified" or "write failed"), it powers the card on
 *   again and reads the header before it presents a PSC, reads or writes; a different
 *   serial fails the call with `CARD_CHANGED`, no card with `CARD_REMOVED`.
 * - **Never lock a card.** A PSC is presented only when the card shows at least two
 *   attempts left; a PSC the card has rejected is never presented to it again, and
 *   after a rejection no other PSC is tried on it (except the fallback that
 *   `changePsc` documents). With one attempt left the answer is `PSC_ATTEMPTS_LOW`:
 *   the card goes to a supervisor.
 * - **Never write blindly.** A write whose outcome is unclear is followed by reading
 *   the range back; only bytes that differ are written again.
 */

/** Statuses the reader itself reports (protocol status names). */
export const READER_STATUS_ERRORS = [
  'NO_CARD',
  'UNSUPPORTED_CARD',
  'UNKNOWN_COMMAND',
  'BAD_PARAMS',
  'NOT_POWERED',
  'WRONG_PSC',
  'WRITE_FAILED',
  'NOT_VERIFIED',
  'PROTECTED',
  'CARD_LOCKED',
] as const;

/** Conditions the host detects. */
export const HOST_ERRORS = [
  /** The reader did not answer in time, also after the retries the protocol allows. */
  'TIMEOUT',
  /** The reader is unplugged (or the port closed under us). */
  'DISCONNECTED',
  /** The port is not open (`open` not called, or failed, or `close` was called). */
  'NOT_OPEN',
  /** The serial port itself failed (open failed, write error). */
  'PORT_ERROR',
  /** The reader answered something the protocol does not allow (wrong length, unknown status). */
  'PROTOCOL_ERROR',
  /** A different card (another serial) is now in the slot. */
  'CARD_CHANGED',
  /** The session's card is no longer in the slot. */
  'CARD_REMOVED',
  /** The card is not a gas card the session can identify (header unreadable). */
  'NOT_A_GAS_CARD',
  /** Fewer than two PSC attempts are left: presenting a PSC could lock the card. */
  'PSC_ATTEMPTS_LOW',
  /** This PSC was already rejected by this card, or another PSC was: never try again. */
  'PSC_ALREADY_REJECTED',
  /** A write needs a verified PSC and none was presented in this session. */
  'PSC_REQUIRED',
  /** After writing, the read-back still differs. */
  'READBACK_MISMATCH',
  /** CHANGE_PSC did not take: the old PSC still opens the card (it is verified with it). */
  'PSC_NOT_CHANGED',
  /** Neither the new nor the old PSC opens the card after CHANGE_PSC: record it, never retry. */
  'CARD_SPOILED',
  /** The session was ended (`powerOff`, a newer `openCard`, `close`). */
  'SESSION_CLOSED',
] as const;

export type ReaderStatusError = (typeof READER_STATUS_ERRORS)[number];
export type HostError = (typeof HOST_ERRORS)[number];
export type ReaderErrorCode = ReaderStatusError | HostError;

export type ReaderError = {
  code: ReaderErrorCode;
  message: string;
  /** PSC attempts left on the card, when the error concerns the PSC and it is known. */
  attemptsLeft?: number;
};

export type ReaderResult<T> = { ok: true; value: T } | { ok: false; error: ReaderError };

export function ok<T>(value: T): ReaderResult<T> {
  return { ok: true, value };
}

export function fail<T>(code: ReaderErrorCode, message: string, attemptsLeft?: number): ReaderResult<T> {
  return attemptsLeft === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, attemptsLeft } };
}

/** What the reader says about itself (GET_INFO for the GCR-1). */
export type ReaderInfo = {
  /** e.g. `GCR-1` */
  model: string;
  /** The raw identification text, e.g. `GCR-1 fw1.3 SN:00012345`. */
  description: string;
  /** The line rate in use now. */
  baudRate: number;
};

export const CARD_KINDS = ['none', 'sle4442', 'unsupported'] as const;
export type CardKind = (typeof CARD_KINDS)[number];

export type CardStatus = {
  present: boolean;
  powered: boolean;
  kind: CardKind;
};

/** 16 upper-case hex digits of header bytes 0x08..0x0F, as printed on the card's face. */
export type CardSerial = string;

export type SecurityState = {
  /** The raw error counter (0x07, 0x03, 0x01, 0x00). */
  counter: number;
  /** 3, 2, 1 or 0 (locked). */
  attemptsLeft: number;
};

export type ProtectionState = {
  /** The 4 raw bytes: bit i%8 of byte i/8 is 0 when byte i is protected. */
  raw: Uint8Array;
  /** `protectedBytes[i]` for i in 0..31. */
  protectedBytes: readonly boolean[];
};

export type WriteReport = {
  /** Bytes that differed from the card and were written (0 when it already held the data). */
  bytesWritten: number;
  /** WRITE commands sent (after an unclear outcome, a second pass writes only what still differs). */
  writeCommands: number;
};

export type ReaderEvent =
  | { type: 'card-inserted' }
  | { type: 'card-removed' }
  | { type: 'reader-connected'; info: ReaderInfo }
  | { type: 'reader-disconnected'; reason: string };

export type ReaderEventListener = (event: ReaderEvent) => void;

/** The card layout's header: 0x00..0x1F, serial at 0x08..0x0F. */
export const HEADER_ADDRESS = 0x00;
export const HEADER_LENGTH = 0x20;
export const SERIAL_OFFSET = 0x08;
export const SERIAL_LENGTH = 8;
export const MAIN_MEMORY_SIZE = 256;
export const PROTECTABLE_BYTES = 32;
export const PSC_LENGTH = 3;
/** "Present a PSC only when READ_SECURITY shows at least two attempts left." */
export const MIN_ATTEMPTS_TO_PRESENT = 2;

/** The card serial of a header (bytes 0x08..0x0F), in upper-case hex. */
export function serialOfHeader(header: Uint8Array): CardSerial | undefined {
  if (header.length < SERIAL_OFFSET + SERIAL_LENGTH) return undefined;
  let s = '';
  for (let i = SERIAL_OFFSET; i < SERIAL_OFFSET + SERIAL_LENGTH; i++) {
    s += (header[i] ?? 0).toString(16).padStart(2, '0');
  }
  return s.toUpperCase();
}

/**
 * A card reader, of whatever make. Methods are listed in the order a station uses them.
 */
export interface CardReaderPort {
  /** The reader make, e.g. `GCR-1`. */
  readonly kind: string;

  /**
   * Opens the serial port, finds the reader's line rate (the configured one, else
   * GET_INFO at each rate, 9600 first), switches to the configured rate if it differs,
   * and asks the card status (events are not queued, so a card already in the slot
   * is learnt this way, and reported as `card-inserted`).
   * Resolves with the reader's info. Emits `reader-connected`.
   */
  open(): Promise<ReaderResult<ReaderInfo>>;

  /**
   * Powers off a card in session (best effort), ends every session and closes the
   * port. Stops reconnect attempts. Idempotent.
   */
  close(): Promise<ReaderResult<void>>;

  /** True between a successful `open` and `close` or an unplug. */
  readonly isOpen: boolean;

  /**
   * Subscribes to events; returns the unsubscribe function. Listeners run
   * synchronously and must not throw (a throwing listener is ignored).
   * - `card-inserted` / `card-removed`: from the reader's own events, and from a
   *   CARD_STATUS that shows a change the host had not heard of.
   * - `reader-disconnected`: the reader was unplugged; the port keeps trying to
   *   reconnect with back-off until it is plugged back or `close` is called.
   * - `reader-connected`: after `open`, and after a reconnect (then the port has
   *   probed the rate and asked the card status).
   */
  onEvent(listener: ReaderEventListener): () => void;

  /** Asks the reader who it is (GET_INFO). */
  info(): Promise<ReaderResult<ReaderInfo>>;

  /** Asks whether a card is present and powered (CARD_STATUS). */
  cardStatus(): Promise<ReaderResult<CardStatus>>;

  /** Sounds the reader's buzzer for `ms` (0..65535). */
  beep(ms: number): Promise<ReaderResult<void>>;

  /**
   * Powers the card in the slot on and reads its header to learn its serial; returns
   * a session bound to that card. Ends any previous session. `NO_CARD` without a card,
   * `UNSUPPORTED_CARD` for a card that is not an SLE4442.
   */
  openCard(): Promise<ReaderResult<CardSession>>;

  /** The session opened last, if it has not ended. */
  readonly session: CardSession | undefined;
}

/**
 * One power session with one physical card. Every method first makes sure the card in
 * the slot is still this card (see the contract above), so a call can fail with
 * `CARD_CHANGED` or `CARD_REMOVED`; the session then stays usable for the same card
 * if it comes back (the pending-purchase rule), until `powerOff`.
 */
export interface CardSession {
  /** The card serial (header 0x08..0x0F, hex). */
  readonly serial: CardSerial;
  /** The 32 header bytes read when the session was opened. */
  readonly header: Uint8Array;
  /** True while a PSC presented in this power session is known to hold. */
  readonly verified: boolean;
  /** False once the session ended. */
  readonly active: boolean;

  /** Reads `length` bytes of main memory from `address` (`address + length <= 256`). */
  readMain(address: number, length: number): Promise<ReaderResult<Uint8Array>>;

  /** Reads the PSC error counter (attempts left). */
  readSecurity(): Promise<ReaderResult<SecurityState>>;

  /** Reads which of bytes 0..31 are write-protected. */
  readProtection(): Promise<ReaderResult<ProtectionState>>;

  /**
   * Presents the 3-byte PSC, keeping "never lock a card":
   * - refuses with `PSC_ATTEMPTS_LOW` when READ_SECURITY shows fewer than two attempts
   *   (with `CARD_LOCKED` when none),
   * - refuses with `PSC_ALREADY_REJECTED` when this card has rejected a PSC before
   *   (this one or any other) since the port was opened,
   * - answers `WRONG_PSC` (with `attemptsLeft`) when the card rejects it,
   * - on an unclear outcome (timeout, unreadable answer) never resends blindly: powers
   *   the card off and on, checks the serial and the counter; unchanged or more, it
   *   presents the same PSC once more; fewer, it counts as `WRONG_PSC`.
   * Resolves `ok` at once if the session is already verified with this PSC.
   */
  verifyPsc(psc: Uint8Array): Promise<ReaderResult<void>>;

  /**
   * Writes `data` at `address` of main memory so the card ends up holding exactly it.
   * Needs a verified PSC (`PSC_REQUIRED` otherwise). Reads the range first and writes
   * only the bytes that differ, in runs the reader accepts; reads the range back and,
   * where it still differs (an unclear outcome), writes only that again. Never
   * resends a write blindly. After the card was re-identified the session
   * re-presents its verified PSC (subject to the attempts rule) before writing.
   * `PROTECTED` when a differing byte is protected (nothing of that run is written);
   * `WRITE_FAILED` when the card left during the write (the caller keeps its purchase
   * pending and calls again when the same card is back).
   */
  write(address: number, data: Uint8Array): Promise<ReaderResult<WriteReport>>;

  /**
   * Protects bytes `address .. address + data.length - 1` (all below 32) for good.
   * `data` must equal what the card holds there (`BAD_PARAMS` otherwise). Needs a
   * verified PSC. After an unclear outcome it reads the protection back and protects
   * only what is still unprotected.
   */
  writeProtect(address: number, data: Uint8Array): Promise<ReaderResult<void>>;

  /**
   * Changes the PSC, as only an issuing counter does. The caller has already written
   * and read back everything else. The session must be verified (with the old PSC).
   * Sends CHANGE_PSC, powers the card off and on, verifies the new PSC (an unclear
   * outcome follows `verifyPsc`'s rule). On `WRONG_PSC` for the new code it powers off
   * and on and presents the old code once, if two attempts remain: if the old one
   * opens the card the answer is `PSC_NOT_CHANGED`; if neither does, `CARD_SPOILED`
   * (record it, never retry). On success the session is verified with the new PSC.
   */
  changePsc(newPsc: Uint8Array): Promise<ReaderResult<void>>;

  /** Powers the card off and ends the session (its verification ends with it). */
  powerOff(): Promise<ReaderResult<void>>;
}
