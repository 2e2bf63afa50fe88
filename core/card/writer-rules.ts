/**
 * Rules for a writer (counter or van) of the gas user card: `gas-card-layout.md`, "Rules for a
 * writer". Pure decisions over a decoded card (`decodeCard`); no I/O. The host reads the card,
 * asks these functions what may be written and where, writes, and reads back (rule 5).
 *
 * - `purchaseRefusal`: may this card buy now? (rules 1, 3 and 7, plus the card's own health)
 * - `nextPurchaseRecord`: the record and slot of a new purchase (rules 2 and 3)
 * - `yearToDateBefore`: the year-to-date the tier price starts from (rule 3)
 * - `cancelRecordFor`: the cancel record of a reversal (rule 6), or why there cannot be one
 * - `pendingRecordOutcome`: how to finish a pending record before selling (rule 4)
 *
 * Refusals are named string literals so the UI can show a Chinese message for each.
 */
import type { Fen, GasVolume } from '../money/money.js';
import { addGas, ZERO_FEN, ZERO_GAS } from '../money/money.js';
import { bytesEqual, requireLength } from './bytes.js';
import type { CardView, PurchaseRecord, SlotName } from './layout.js';
import {
  DIGEST_SIZE,
  decodeSlot,
  encodeSlot,
  isCancelRecord,
  isNewer,
  successorOf,
  toCardSecond,
} from './layout.js';

/** What the writer knows besides the card: its clock, the ledger and its utility. */
export interface WriterContext {
  /** The tariff year of the writer's clock, in the utility's zone (`tariffYearOf(clock.now())`). */
  readonly writerTariffYear: number;
  /** The highest card generation the ledger knows for this account. */
  readonly highestKnownGeneration: number;
  /** The writer's own utility code. */
  readonly utilityCode: number;
}

export const purchaseRefusals = [
  /** Not a gas user card of layout version 1 (a blank card, another card, another layout). */
  'not-user-card',
  /** The card belongs to another utility. */
  'foreign-utility',
  /** Header, account block or slots are invalid: no sale; settle from the ledger (rewrite, or a replacement card). */
  'damaged',
  /** The card's generation is below the highest the ledger knows: a replaced card (rule 7). */
  'stale-generation',
  /** The return block shows a stale card or another record in the meter: no sale; settle from the ledger. */
  'stale-or-foreign-return',
  /** The current purchase has not reached the meter: 卡上有气不能购气 (rule 1). */
  'unloaded-purchase',
  /** The card's current record is in a later tariff year than the writer's clock: the clock is wrong (rule 3). */
  'clock-behind-card',
] as const;
export type PurchaseRefusal = (typeof purchaseRefusals)[number];

/** Thrown when a builder is asked for a record the rules forbid; `code` names the rule. */
export class CardRuleError extends Error {
  override readonly name = 'CardRuleError';
  constructor(
    readonly code: PurchaseRefusal | CancelRefusal | 'bad-input',
    message: string,
  ) {
    super(message);
  }
}

const HEADER_NOT_USER_CARD = new Set(['bad-magic', 'unsupported-layout', 'not-user-card']);

/** The refusals that come from the card's health alone. */
function cardRefusal(view: CardView): 'not-user-card' | 'damaged' | null {
  if (view.problems.some((problem) => HEADER_NOT_USER_CARD.has(problem))) return 'not-user-card';
  if (view.header === null || view.account === null || view.purchase.kind === 'damaged') return 'damaged';
  return null;
}

function stateRefusal(view: CardView, tariffYear: number | null): PurchaseRefusal | null {
  if (view.loaded === 'stale-or-foreign') return 'stale-or-foreign-return';
  if (view.purchase.kind !== 'current') return null;
  const current = view.purchase.record;
  // Rule 1: a cancel record carries no gas, so there is nothing for the meter to take first.
  if (!isCancelRecord(current) && view.loaded !== 'loaded') return 'unloaded-purchase';
  if (tariffYear !== null && current.tariffYear > tariffYear) return 'clock-behind-card';
  return null;
}

/**
 * Why this card may not buy now, or null when it may. The first refusal that applies, in the
 * order of `purchaseRefusals`: what the card is, whose it is, whether it can be read, whether it
 * is the account's live card, then whether the meter has the current purchase, then the clock.
 *
 * A torn return block alone does not refuse: the layout counts it as "not loaded", which refuses
 * a card whose current record is a purchase and allows one whose current record is a cancel.
 * Reserved bytes at 0xA0..0xFF that are not zero do not refuse either: no reader or meter uses them.
 */
export function purchaseRefusal(view: CardView, context: WriterContext): PurchaseRefusal | null {
  const refusal = cardRefusal(view);
  if (refusal !== null) return refusal;
  if (view.header !== null && view.header.utilityCode !== context.utilityCode) return 'foreign-utility';
  if (view.account !== null && view.account.generation < context.highestKnownGeneration) return 'stale-generation';
  return stateRefusal(view, context.writerTariffYear);
}

function requireSaleable(view: CardView, tariffYear: number): void {
  const refusal = cardRefusal(view) ?? stateRefusal(view, tariffYear);
  if (refusal !== null) throw new CardRuleError(refusal, `this card may not buy now: ${refusal}`);
}

/**
 * The year-to-date volume before a purchase in `tariffYear`, which the tier price starts from:
 * the current record's year-to-date when it is in the same tariff year, 0 when the purchase is
 * in a later year or the card has no record. A card whose current record is in a later year is
 * refused (`clock-behind-card`), as are cards that may not buy at all.
 */
export function yearToDateBefore(view: CardView, tariffYear: number): GasVolume {
  requireSaleable(view, tariffYear);
  if (view.purchase.kind !== 'current') return ZERO_GAS;
  const current = view.purchase.record;
  return current.tariffYear === tariffYear ? current.yearToDate : ZERO_GAS;
}

export interface PurchaseInput {
  /** Bought in this purchase, 0.01 m³; at least 1 (a purchase of nothing would read as a cancel). */
  readonly volume: GasVolume;
  readonly amount: Fen;
  /** The tariff year of `purchaseTime` in the utility's zone (`tariffYearOf`). */
  readonly tariffYear: number;
  readonly terminalId: number;
  /** Stored in whole seconds; the returned record holds the time as the card will. */
  readonly purchaseTime: Date;
  /** `recordDigest` of the purchase's ledger entry. */
  readonly digest: Uint8Array;
}

export interface PlannedWrite {
  /** The slot to write: never the current one (rule 2). */
  readonly slot: SlotName;
  /** The record as the card will hold it (`decodeSlot(bytes)` gives it back). */
  readonly record: PurchaseRecord;
  /** The 32 bytes to write into `slot`, and to compare on read-back (rule 5). */
  readonly bytes: Uint8Array;
}

export interface PlannedPurchase extends PlannedWrite {
  /** The year-to-date the tier price of this purchase starts from. */
  readonly yearToDateBefore: GasVolume;
}

function requireDigest(digest: Uint8Array): void {
  if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_SIZE) {
    throw new CardRuleError('bad-input', `a record digest is ${DIGEST_SIZE} bytes`);
  }
}

/**
 * The next purchase record (rules 2 and 3): into the slot that is not current (A on a card with
 * no purchase), sequence = the successor of the current one (1 on a card with no record),
 * year-to-date = current year-to-date + volume in the same tariff year, the volume alone in a
 * later year or on a card with no record.
 *
 * Checks what it can without the ledger (rule 1, damage, the clock) and throws `CardRuleError`;
 * the caller must still have asked `purchaseRefusal`, which also knows the ledger's generation
 * and the utility.
 */
export function nextPurchaseRecord(view: CardView, input: PurchaseInput): PlannedPurchase {
  if (!Number.isSafeInteger(input.volume) || input.volume < 1) {
    throw new CardRuleError('bad-input', 'a purchase buys at least 0.01 m³; volume 0 would make it a cancel record');
  }
  if (!Number.isSafeInteger(input.tariffYear) || input.tariffYear < 1 || input.tariffYear > 0xffff) {
    throw new CardRuleError('bad-input', `a purchase's tariff year must be 1..65535, got ${input.tariffYear}`);
  }
  requireDigest(input.digest);
  const before = yearToDateBefore(view, input.tariffYear);
  const current = view.purchase.kind === 'current' ? view.purchase : null;
  const record: PurchaseRecord = {
    sequence: current === null ? 1 : successorOf(current.record.sequence),
    volume: input.volume,
    amount: input.amount,
    // addGas refuses a total above MAX_GAS, and encodeSlot one above 32 bits.
    yearToDate: addGas(before, input.volume),
    tariffYear: input.tariffYear,
    terminalId: input.terminalId,
    purchaseTime: toCardSecond(input.purchaseTime),
    digest: input.digest.slice(),
  };
  return { slot: current === null ? 'A' : current.otherSlot, record, bytes: encodeSlot(record), yearToDateBefore: before };
}

// ---------------------------------------------------------------------------------------------
// Cancel (rule 6)
// ---------------------------------------------------------------------------------------------

export const cancelRefusals = [
  'not-user-card',
  'foreign-utility',
  'damaged',
  'stale-generation',
  'stale-or-foreign-return',
  /** The card holds no record. */
  'no-purchase',
  /** The current record is itself a cancel record: there is no purchase on the card to cancel. */
  'already-cancelled',
  /** The meter has loaded the current purchase: the gas is in the meter; it cannot be cancelled on the card. */
  'loaded',
  /**
   * The return block is torn: the layout counts that as "not loaded", but a meter writes its block
   * also when it has nothing new to load, so a torn block cannot tell a loaded purchase from an
   * unloaded one. The card goes back into the meter first (which rewrites the block).
   */
  'return-block-torn',
  /**
   * A replacement card (generation above 0) that has never been in a meter: its current record
   * was carried onto it (rule 7), and such a record may not be cancelled before the card has a
   * valid return block.
   */
  'replacement-not-in-meter',
  /** The ledger's record before the cancelled one does not fit the card (sequence, or the other slot's record). */
  'previous-record-mismatch',
] as const;
export type CancelRefusal = (typeof cancelRefusals)[number];

export interface CancelInput {
  /**
   * The ledger's record before the one being cancelled (the record the card held before it), or
   * null when there was none. Its tariff year and year-to-date go into the cancel record.
   */
  readonly previousRecord: PurchaseRecord | null;
  readonly terminalId: number;
  readonly time: Date;
  /** `recordDigest` of the reversal's ledger entry. */
  readonly digest: Uint8Array;
  /** As in `WriterContext`: a cancel on a replaced card or another utility's card is refused. */
  readonly highestKnownGeneration: number;
  readonly utilityCode: number;
}

export type CancelPlan =
  | { readonly kind: 'refused'; readonly refusal: CancelRefusal }
  | (PlannedWrite & { readonly kind: 'write'; readonly cancelled: PurchaseRecord });

/**
 * The cancel record for the card's current purchase (rule 6): into the non-current slot, with
 * the successor sequence, volume 0, amount 0, the tariff year and year-to-date of the record
 * before the cancelled one (0 and 0 if there was none), and the reversal's digest. The refund is
 * paid only after the read-back (rule 5).
 */
export function cancelRecordFor(view: CardView, input: CancelInput): CancelPlan {
  const refuse = (refusal: CancelRefusal): CancelPlan => ({ kind: 'refused', refusal });
  const health = cardRefusal(view);
  if (health !== null) return refuse(health);
  if (view.header !== null && view.header.utilityCode !== input.utilityCode) return refuse('foreign-utility');
  if (view.account === null) return refuse('damaged');
  if (view.account.generation < input.highestKnownGeneration) return refuse('stale-generation');
  if (view.loaded === 'stale-or-foreign') return refuse('stale-or-foreign-return');
  if (view.purchase.kind !== 'current') return refuse('no-purchase');
  const current = view.purchase;
  if (isCancelRecord(current.record)) return refuse('already-cancelled');
  if (view.loaded === 'loaded') return refuse('loaded');
  if (view.returnBlock.kind === 'torn') return refuse('return-block-torn');
  if (view.returnBlock.kind === 'never-in-meter' && view.account.generation > 0) return refuse('replacement-not-in-meter');

  const previous = input.previousRecord;
  if (previous !== null && successorOf(previous.sequence) !== current.record.sequence) return refuse('previous-record-mismatch');
  const other = view.slots[current.otherSlot];
  if (other.kind === 'valid') {
    // Both slots valid: the other one is the record before the current one; the ledger must agree.
    const agrees =
      previous !== null &&
      previous.sequence === other.record.sequence &&
      bytesEqual(previous.digest, other.record.digest) &&
      previous.tariffYear === other.record.tariffYear &&
      previous.yearToDate === other.record.yearToDate;
    if (!agrees) return refuse('previous-record-mismatch');
  }
  requireDigest(input.digest);

  const record: PurchaseRecord = {
    sequence: successorOf(current.record.sequence),
    volume: ZERO_GAS,
    amount: ZERO_FEN,
    yearToDate: previous === null ? ZERO_GAS : previous.yearToDate,
    tariffYear: previous === null ? 0 : previous.tariffYear,
    terminalId: input.terminalId,
    purchaseTime: toCardSecond(input.time),
    digest: input.digest.slice(),
  };
  return { kind: 'write', slot: current.otherSlot, record, bytes: encodeSlot(record), cancelled: current.record };
}

// ---------------------------------------------------------------------------------------------
// Pending records (rule 4)
// ---------------------------------------------------------------------------------------------

export interface PendingRecord {
  readonly sequence: number;
  readonly digest: Uint8Array;
  /** The 32 slot bytes as first planned (`PlannedWrite.bytes`); a rewrite writes exactly these. */
  readonly bytes: Uint8Array;
}

export type PendingOutcome =
  /** A slot holds the pending record (same sequence and digest): it is confirmed; the purchase or cancel counts. */
  | { readonly kind: 'confirmed'; readonly slot: SlotName }
  /**
   * The card is still at the record before it (its current record's successor is the pending
   * sequence, or it has no record and the pending sequence is 1): write the very same 32 bytes
   * into `slot`, the non-current one, then read them back (rule 5). Nothing else is sold in the
   * same step.
   */
  | { readonly kind: 'rewrite'; readonly slot: SlotName; readonly bytes: Uint8Array }
  /**
   * The card holds another digest under the pending sequence: the pending record can no longer
   * be written. A supervisor settles it in the ledger (refund by reversal, or a new purchase with
   * the customer's consent); money is refunded only after a read-back shows the card does not hold it.
   */
  | { readonly kind: 'other-digest'; readonly slot: SlotName }
  /**
   * The card is past the pending record (its current record is newer) and neither slot holds it:
   * nothing is written or refunded; a supervisor settles it from the ledger and the meter's data.
   */
  | { readonly kind: 'moved-past' }
  /**
   * Not covered by rule 4: the card is behind the record before the pending one (or has no
   * record while the pending sequence is not 1, or the two are too far apart to order). Writing
   * would put two unrelated records on the card; nothing is written, a supervisor settles it.
   */
  | { readonly kind: 'out-of-step' }
  /**
   * The header, account block or slots are invalid, so the card has no current record to compare
   * with: nothing is written by this rule; a supervisor settles it from the ledger (rewrite, or a
   * replacement card), as the slot table says for a damaged card.
   */
  | { readonly kind: 'card-damaged' };

/**
 * How to finish a pending record (a purchase or cancel written or not, never confirmed) before
 * anything else is sold on this card (rule 4). The caller has matched the card to the pending
 * record's account and serial.
 */
export function pendingRecordOutcome(view: CardView, pending: PendingRecord): PendingOutcome {
  requireLength(pending.bytes, 32, 'a pending record');
  requireDigest(pending.digest);
  const decoded = decodeSlot(pending.bytes);
  if (
    decoded.kind !== 'valid' ||
    decoded.record.sequence !== pending.sequence ||
    !bytesEqual(decoded.record.digest, pending.digest)
  ) {
    throw new CardRuleError('bad-input', 'the pending bytes are not a valid record with the pending sequence and digest');
  }

  if (view.header === null || view.account === null) return { kind: 'card-damaged' };
  if (view.purchase.kind === 'damaged') {
    // A torn first purchase: the card had no record, so its first purchase went into slot A
    // (rule 2), and a pull left A torn beside an empty B — "damaged" by the slot table, whose
    // remedy is a rewrite from the ledger. Still at the record before (none), so rule 4's rewrite
    // of the very same bytes applies; any other damage is a supervisor's.
    const tornFirst = view.purchase.reason === 'torn-and-empty' && view.slots.A.kind === 'torn' && view.slots.B.kind === 'empty';
    return tornFirst && pending.sequence === 1 ? { kind: 'rewrite', slot: 'A', bytes: pending.bytes.slice() } : { kind: 'card-damaged' };
  }

  for (const slot of ['A', 'B'] as const) {
    const state = view.slots[slot];
    if (state.kind === 'valid' && state.record.sequence === pending.sequence) {
      return bytesEqual(state.record.digest, pending.digest) ? { kind: 'confirmed', slot } : { kind: 'other-digest', slot };
    }
  }

  if (view.purchase.kind === 'no-purchase') {
    return pending.sequence === 1 ? { kind: 'rewrite', slot: 'A', bytes: pending.bytes.slice() } : { kind: 'out-of-step' };
  }
  const current = view.purchase;
  if (successorOf(current.record.sequence) === pending.sequence) {
    return { kind: 'rewrite', slot: current.otherSlot, bytes: pending.bytes.slice() };
  }
  if (isNewer(current.record.sequence, pending.sequence)) return { kind: 'moved-past' };
  return { kind: 'out-of-step' };
}
