/**
 * Real-time status (DLE EOT n) answers, per the Epson ESC/POS definitions.
 *
 * Every answer byte has the form 0xx1xx10b: bits 1 and 4 are fixed to 1, bits 0 and 7
 * to 0. A byte that does not fit is not a status answer (it may be an ASB packet, an
 * XOFF or line noise), so the parser refuses it rather than guessing.
 *
 * Bits used:
 * - n=1 printer status: bit 3 set = offline.
 * - n=2 offline cause: bit 2 cover open; bit 3 paper being fed by the feed button;
 *   bit 5 printing stopped because the paper ended; bit 6 an error occurred.
 * - n=4 paper roll sensor: bits 2-3 paper near end; bits 5-6 paper end. Epson sets each
 *   pair together; we treat either bit of a pair as set, because a printer that raises
 *   one of them is reporting the condition and a missed paper-out is worse than a false one.
 *
 * Pure: no Node APIs.
 */

export const STATUS_FIXED_MASK = 0x93;
export const STATUS_FIXED_BITS = 0x12;

export const PRINTER_OFFLINE = 0x08;
export const CAUSE_COVER_OPEN = 0x04;
export const CAUSE_FEED_BUTTON = 0x08;
export const CAUSE_PAPER_END_STOP = 0x20;
export const CAUSE_ERROR = 0x40;
export const ROLL_NEAR_END = 0x0c;
export const ROLL_END = 0x60;

export interface PrinterStatus {
  readonly online: boolean;
  readonly coverOpen: boolean;
  readonly paperOut: boolean;
  readonly paperNearEnd: boolean;
  readonly error: boolean;
}

/** The three answers, to DLE EOT 1, 2 and 4. */
export interface StatusAnswers {
  readonly printer: number;
  readonly offlineCause: number;
  readonly paperRoll: number;
}

export class StatusByteError extends Error {
  constructor(
    readonly which: keyof StatusAnswers,
    readonly value: number,
  ) {
    super(`not a DLE EOT status byte (${which}): 0x${value.toString(16).padStart(2, '0')}`);
    this.name = 'StatusByteError';
  }
}

export function isStatusByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xff && (value & STATUS_FIXED_MASK) === STATUS_FIXED_BITS;
}

export function parseStatus(answers: StatusAnswers): PrinterStatus {
  for (const which of ['printer', 'offlineCause', 'paperRoll'] as const) {
    if (!isStatusByte(answers[which])) throw new StatusByteError(which, answers[which]);
  }
  const { printer, offlineCause, paperRoll } = answers;
  return {
    online: (printer & PRINTER_OFFLINE) === 0,
    coverOpen: (offlineCause & CAUSE_COVER_OPEN) !== 0,
    paperOut: (offlineCause & CAUSE_PAPER_END_STOP) !== 0 || (paperRoll & ROLL_END) !== 0,
    paperNearEnd: (paperRoll & ROLL_NEAR_END) !== 0,
    error: (offlineCause & CAUSE_ERROR) !== 0,
  };
}

/**
 * Parse the three bytes a printer sends back for DLE EOT 1, DLE EOT 2, DLE EOT 4 sent
 * in that order (real-time answers come back in request order).
 */
export function parseStatusBytes(bytes: Uint8Array): PrinterStatus {
  const [printer, offlineCause, paperRoll] = bytes;
  if (bytes.length !== 3 || printer === undefined || offlineCause === undefined || paperRoll === undefined) {
    throw new RangeError(`expected 3 status bytes, got ${bytes.length}`);
  }
  return parseStatus({ printer, offlineCause, paperRoll });
}

/** The bytes a printer in the given condition answers; shared by the virtual printer and tests. */
export type PrinterCondition = 'ok' | 'paper-out' | 'cover-open' | 'offline';

export function statusAnswersFor(condition: PrinterCondition): StatusAnswers {
  const base = STATUS_FIXED_BITS;
  switch (condition) {
    case 'ok':
      return { printer: base, offlineCause: base, paperRoll: base };
    case 'paper-out':
      return { printer: base | PRINTER_OFFLINE, offlineCause: base | CAUSE_PAPER_END_STOP, paperRoll: base | ROLL_NEAR_END | ROLL_END };
    case 'cover-open':
      return { printer: base | PRINTER_OFFLINE, offlineCause: base | CAUSE_COVER_OPEN, paperRoll: base };
    case 'offline':
      // Offline for an error (e.g. cutter jam or head overheat): the cause byte says error.
      return { printer: base | PRINTER_OFFLINE, offlineCause: base | CAUSE_ERROR, paperRoll: base };
  }
}
