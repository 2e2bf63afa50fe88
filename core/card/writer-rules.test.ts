import { describe, expect, it } from 'vitest';
import { fen, gas } from '../money/money.js';
import {
  FIXTURE_ACCOUNT,
  FIXTURE_DIGESTS,
  FIXTURE_FIRST_PURCHASE,
  FIXTURE_LOADED_FIRST,
  FIXTURE_SECOND_PURCHASE,
  FIXTURE_SERIAL,
  FIXTURE_UTILITY_CODE,
  buildCardImage,
  composeCardImage,
  tornWrite,
  type CardFixtureOptions,
  type CardParts,
} from './fixtures.js';
import { decodeCard, decodeSlot, encodeReturnBlock, encodeSlot, type CardView, type PurchaseRecord, type ReturnBlock } from './layout.js';
import {
  CardRuleError,
  cancelRecordFor,
  nextPurchaseRecord,
  pendingRecordOutcome,
  purchaseRefusal,
  yearToDateBefore,
  type CancelInput,
  type PurchaseInput,
  type WriterContext,
} from './writer-rules.js';

const context: WriterContext = { writerTariffYear: 2026, highestKnownGeneration: 0, utilityCode: FIXTURE_UTILITY_CODE };
const card = (fixture: CardFixtureOptions): CardView => decodeCard(buildCardImage(fixture));
const header = { utilityCode: FIXTURE_UTILITY_CODE, serial: FIXTURE_SERIAL };
/** A sound card of this utility made of the given slots and return block. */
const cardOf = (parts: Omit<CardParts, 'header' | 'account'>, generation = 0): CardView =>
  decodeCard(composeCardImage({ header, account: { ...FIXTURE_ACCOUNT, generation }, ...parts }));
const loadedBlock = (r: PurchaseRecord, changes: Partial<ReturnBlock> = {}): ReturnBlock => ({
  ...FIXTURE_LOADED_FIRST,
  lastLoadedSequence: r.sequence,
  lastLoadedDigest: r.digest,
  ...changes,
});
const record = (overrides: Partial<PurchaseRecord>): PurchaseRecord => ({ ...FIXTURE_FIRST_PURCHASE, ...overrides });
const cancelOf = (sequence: number, overrides: Partial<PurchaseRecord> = {}): PurchaseRecord =>
  record({ sequence, volume: gas(0), amount: fen(0), digest: Uint8Array.of(0xcc, 0, 0, sequence & 0xff), ...overrides });

const purchase: PurchaseInput = {
  volume: gas(2000),
  amount: fen(5600),
  tariffYear: 2026,
  terminalId: 0x0202,
  purchaseTime: new Date('2026-06-01T03:04:05.678Z'),
  digest: FIXTURE_DIGESTS.third,
};

function ruleError(fn: () => unknown): CardRuleError {
  try {
    fn();
  } catch (error: unknown) {
    if (error instanceof CardRuleError) return error;
    throw error;
  }
  throw new Error('expected a CardRuleError');
}

describe('purchaseRefusal', () => {
  it('allows a freshly issued card and a card whose purchase was loaded', () => {
    expect(purchaseRefusal(card({ kind: 'issued' }), context)).toBeNull();
    expect(purchaseRefusal(card({ kind: 'purchase-loaded' }), context)).toBeNull();
    // A torn slot beside the loaded current one refuses nothing by itself (a pending record is rule 4's business).
    expect(purchaseRefusal(card({ kind: 'torn-slot-b' }), context)).toBeNull();
  });

  it('unloaded-purchase: the current purchase has not reached the meter (rule 1)', () => {
    expect(purchaseRefusal(card({ kind: 'purchase-unloaded' }), context)).toBe('unloaded-purchase');
    // A valid block naming an older record, and a torn block, both count as not loaded.
    const second = FIXTURE_SECOND_PURCHASE;
    expect(purchaseRefusal(cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: second, returnBlock: loadedBlock(FIXTURE_FIRST_PURCHASE) }), context)).toBe(
      'unloaded-purchase',
    );
    const tornBlock = tornWrite(new Uint8Array(32), 0, encodeReturnBlock(loadedBlock(FIXTURE_FIRST_PURCHASE)), 20);
    expect(purchaseRefusal(cardOf({ slotA: FIXTURE_FIRST_PURCHASE, returnBlock: tornBlock }), context)).toBe('unloaded-purchase');
  });

  it('allows a card whose current record is a cancel record, loaded or not', () => {
    const cancel = cancelOf(2, { tariffYear: 0, yearToDate: gas(0) });
    expect(purchaseRefusal(cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: cancel }), context)).toBeNull();
    const tornBlock = tornWrite(new Uint8Array(32), 0, encodeReturnBlock(loadedBlock(FIXTURE_FIRST_PURCHASE)), 20);
    expect(purchaseRefusal(cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: cancel, returnBlock: tornBlock }), context)).toBeNull();
  });

  it('not-user-card: a blank card, another layout, another card kind', () => {
    expect(purchaseRefusal(card({ kind: 'blank' }), context)).toBe('not-user-card');
    const image = buildCardImage({ kind: 'purchase-loaded' });
    image[2] = 0x02;
    expect(purchaseRefusal(decodeCard(image), context)).toBe('not-user-card');
    image[2] = 0x01;
    image[3] = 0x02;
    expect(purchaseRefusal(decodeCard(image), context)).toBe('not-user-card');
  });

  it('damaged: slots, account block or header', () => {
    expect(purchaseRefusal(card({ kind: 'damaged' }), context)).toBe('damaged');
    expect(purchaseRefusal(card({ kind: 'damaged', damage: 'torn-and-empty' }), context)).toBe('damaged');
    const badAccount = buildCardImage({ kind: 'purchase-loaded' });
    badAccount[0x25] = (badAccount[0x25] ?? 0) ^ 0x01;
    expect(purchaseRefusal(decodeCard(badAccount), context)).toBe('damaged');
    const badHeader = buildCardImage({ kind: 'purchase-loaded' });
    badHeader[0x10] = 0x01;
    expect(purchaseRefusal(decodeCard(badHeader), context)).toBe('damaged');
  });

  it("foreign-utility: another utility's card", () => {
    expect(purchaseRefusal(card({ kind: 'foreign-utility' }), context)).toBe('foreign-utility');
  });

  it('stale-generation: a generation below the highest the ledger knows (rule 7)', () => {
    expect(purchaseRefusal(card({ kind: 'purchase-loaded' }), { ...context, highestKnownGeneration: 1 })).toBe('stale-generation');
    expect(purchaseRefusal(card({ kind: 'stale-generation' }), { ...context, highestKnownGeneration: 1 })).toBe('stale-generation');
    // A card above what the ledger knows is not refused for that.
    expect(purchaseRefusal(card({ kind: 'purchase-loaded', account: { generation: 2 } }), { ...context, highestKnownGeneration: 1 })).toBeNull();
  });

  it('stale-or-foreign-return: the return block shows a newer generation or another record', () => {
    // The ledger has not heard of the replacement, but the meter has.
    expect(purchaseRefusal(card({ kind: 'stale-generation' }), context)).toBe('stale-or-foreign-return');
    const other = cardOf({ slotA: FIXTURE_FIRST_PURCHASE, returnBlock: loadedBlock(FIXTURE_FIRST_PURCHASE, { lastLoadedDigest: Uint8Array.of(9, 9, 9, 9) }) });
    expect(purchaseRefusal(other, context)).toBe('stale-or-foreign-return');
    const newer = cardOf({ slotA: FIXTURE_FIRST_PURCHASE, returnBlock: loadedBlock(FIXTURE_SECOND_PURCHASE) });
    expect(purchaseRefusal(newer, context)).toBe('stale-or-foreign-return');
    // Also on a card with no record whose meter has moved to a newer generation.
    expect(purchaseRefusal(cardOf({ returnBlock: loadedBlock(FIXTURE_FIRST_PURCHASE, { acceptedGeneration: 1, lastLoadedSequence: 0 }) }), context)).toBe(
      'stale-or-foreign-return',
    );
    // And on a cancel record: "no sale and no cancel".
    const cancel = cancelOf(2);
    expect(purchaseRefusal(cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: cancel, returnBlock: loadedBlock(FIXTURE_SECOND_PURCHASE) }), context)).toBe(
      'stale-or-foreign-return',
    );
  });

  it("clock-behind-card: the card's current record is in a later tariff year than the writer's clock (rule 3)", () => {
    expect(purchaseRefusal(card({ kind: 'purchase-loaded' }), { ...context, writerTariffYear: 2025 })).toBe('clock-behind-card');
    expect(purchaseRefusal(card({ kind: 'purchase-loaded' }), { ...context, writerTariffYear: 2027 })).toBeNull();
    // A cancel record carries the year of the record before it, which counts the same way.
    const cancel = cancelOf(2, { tariffYear: 2026 });
    expect(purchaseRefusal(cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: cancel }), { ...context, writerTariffYear: 2025 })).toBe('clock-behind-card');
  });
});

describe('nextPurchaseRecord and yearToDateBefore (rules 2 and 3)', () => {
  it('on a card with no record: slot A, sequence 1, year-to-date = the volume', () => {
    const view = card({ kind: 'issued' });
    const plan = nextPurchaseRecord(view, purchase);
    expect(plan.slot).toBe('A');
    expect(plan.record).toEqual({
      sequence: 1,
      volume: 2000,
      amount: 5600,
      yearToDate: 2000,
      tariffYear: 2026,
      terminalId: 0x0202,
      purchaseTime: new Date('2026-06-01T03:04:05Z'),
      digest: FIXTURE_DIGESTS.third,
    });
    expect(plan.yearToDateBefore).toBe(0);
    expect(decodeSlot(plan.bytes)).toEqual({ kind: 'valid', record: plan.record });
    expect(yearToDateBefore(view, 2026)).toBe(0);
  });

  it('after a loaded purchase: the other slot, the successor, year-to-date added in the same tariff year', () => {
    const view = card({ kind: 'purchase-loaded' });
    const plan = nextPurchaseRecord(view, purchase);
    expect(plan.slot).toBe('B');
    expect(plan.record.sequence).toBe(2);
    expect(plan.yearToDateBefore).toBe(5000);
    expect(plan.record.yearToDate).toBe(7000);
    expect(yearToDateBefore(view, 2026)).toBe(5000);
    // Writing it gives a card whose current record is the new one.
    const image = buildCardImage({ kind: 'purchase-loaded' });
    image.set(plan.bytes, 0x60);
    expect(decodeCard(image).purchase).toMatchObject({ kind: 'current', slot: 'B', record: plan.record });
  });

  it('restarts the year-to-date in a later tariff year', () => {
    const view = card({ kind: 'purchase-loaded' });
    const plan = nextPurchaseRecord(view, { ...purchase, tariffYear: 2027, purchaseTime: new Date('2027-01-01T01:00:00Z') });
    expect(plan.yearToDateBefore).toBe(0);
    expect(plan.record.yearToDate).toBe(2000);
    expect(plan.record.tariffYear).toBe(2027);
    expect(yearToDateBefore(view, 2027)).toBe(0);
  });

  it('goes back to slot A when B is current, and wraps 65535 → 1', () => {
    const both = cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: FIXTURE_SECOND_PURCHASE, returnBlock: loadedBlock(FIXTURE_SECOND_PURCHASE) });
    const plan = nextPurchaseRecord(both, purchase);
    expect(plan.slot).toBe('A');
    expect(plan.record.sequence).toBe(3);
    expect(plan.record.yearToDate).toBe(10_000);
    const last = record({ sequence: 65535 });
    expect(nextPurchaseRecord(cardOf({ slotB: last, returnBlock: loadedBlock(last) }), purchase).record.sequence).toBe(1);
  });

  it('after a cancel record: counts from the year-to-date the cancel copied', () => {
    const cancel = cancelOf(2, { tariffYear: 0, yearToDate: gas(0) });
    const plan = nextPurchaseRecord(cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: cancel }), purchase);
    expect(plan).toMatchObject({ slot: 'A', yearToDateBefore: 0, record: { sequence: 3, yearToDate: 2000 } });
    const sameYear = cancelOf(3, { tariffYear: 2026, yearToDate: gas(5000) });
    const after = nextPurchaseRecord(cardOf({ slotA: sameYear, slotB: FIXTURE_SECOND_PURCHASE }), purchase);
    expect(after).toMatchObject({ slot: 'B', yearToDateBefore: 5000, record: { sequence: 4, yearToDate: 7000 } });
  });

  it('refuses what purchaseRefusal would refuse without the ledger, and bad input', () => {
    expect(ruleError(() => nextPurchaseRecord(card({ kind: 'purchase-unloaded' }), purchase)).code).toBe('unloaded-purchase');
    expect(ruleError(() => nextPurchaseRecord(card({ kind: 'damaged' }), purchase)).code).toBe('damaged');
    expect(ruleError(() => nextPurchaseRecord(card({ kind: 'blank' }), purchase)).code).toBe('not-user-card');
    expect(ruleError(() => nextPurchaseRecord(card({ kind: 'stale-generation' }), purchase)).code).toBe('stale-or-foreign-return');
    expect(ruleError(() => nextPurchaseRecord(card({ kind: 'purchase-loaded' }), { ...purchase, tariffYear: 2025 })).code).toBe('clock-behind-card');
    expect(ruleError(() => yearToDateBefore(card({ kind: 'purchase-loaded' }), 2025)).code).toBe('clock-behind-card');
    expect(ruleError(() => nextPurchaseRecord(card({ kind: 'issued' }), { ...purchase, volume: gas(0) })).code).toBe('bad-input');
    expect(ruleError(() => nextPurchaseRecord(card({ kind: 'issued' }), { ...purchase, digest: new Uint8Array(32) })).code).toBe('bad-input');
    expect(ruleError(() => nextPurchaseRecord(card({ kind: 'issued' }), { ...purchase, tariffYear: 0 })).code).toBe('bad-input');
  });
});

describe('cancelRecordFor (rule 6)', () => {
  const input: CancelInput = {
    previousRecord: null,
    terminalId: 0x0303,
    time: new Date('2026-03-10T03:00:00.250Z'),
    digest: Uint8Array.of(0xcc, 0xcc, 0xcc, 0xcc),
    highestKnownGeneration: 0,
    utilityCode: FIXTURE_UTILITY_CODE,
  };

  it('cancels an unloaded first purchase: successor, volume 0, amount 0, year 0 and year-to-date 0', () => {
    const plan = cancelRecordFor(card({ kind: 'purchase-unloaded' }), input);
    expect(plan.kind).toBe('write');
    if (plan.kind !== 'write') return;
    expect(plan.slot).toBe('B');
    expect(plan.cancelled).toEqual(FIXTURE_FIRST_PURCHASE);
    expect(plan.record).toEqual({
      sequence: 2,
      volume: 0,
      amount: 0,
      yearToDate: 0,
      tariffYear: 0,
      terminalId: 0x0303,
      purchaseTime: new Date('2026-03-10T03:00:00Z'),
      digest: input.digest,
    });
    expect(decodeSlot(plan.bytes)).toEqual({ kind: 'valid', record: plan.record });
  });

  it('copies the tariff year and year-to-date of the record before the cancelled one', () => {
    // Slot A: purchase 1 (loaded). Slot B: purchase 2, not loaded. The cancel goes into A.
    const view = cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: FIXTURE_SECOND_PURCHASE, returnBlock: loadedBlock(FIXTURE_FIRST_PURCHASE) });
    const plan = cancelRecordFor(view, { ...input, previousRecord: FIXTURE_FIRST_PURCHASE });
    expect(plan).toMatchObject({
      kind: 'write',
      slot: 'A',
      record: { sequence: 3, volume: 0, amount: 0, tariffYear: 2026, yearToDate: 5000 },
      cancelled: FIXTURE_SECOND_PURCHASE,
    });
    // The card after the cancel can buy again, its year-to-date back to 50 m³.
    const image = composeCardImage({ header, account: FIXTURE_ACCOUNT, slotB: FIXTURE_SECOND_PURCHASE, returnBlock: loadedBlock(FIXTURE_FIRST_PURCHASE) });
    if (plan.kind === 'write') image.set(plan.bytes, 0x40);
    const after = decodeCard(image);
    expect(purchaseRefusal(after, context)).toBeNull();
    expect(yearToDateBefore(after, 2026)).toBe(5000);
  });

  it('takes the previous record from the ledger when the card no longer holds it', () => {
    // Slot B torn, so the card shows only purchase 2; the ledger knows purchase 1.
    const view = cardOf({ slotA: FIXTURE_SECOND_PURCHASE, slotB: tornWrite(new Uint8Array(32), 0, encodeSlot(FIXTURE_FIRST_PURCHASE), 7) });
    expect(cancelRecordFor(view, { ...input, previousRecord: FIXTURE_FIRST_PURCHASE })).toMatchObject({
      kind: 'write',
      slot: 'B',
      record: { sequence: 3, tariffYear: 2026, yearToDate: 5000 },
    });
  });

  it('refuses a loaded purchase', () => {
    expect(cancelRecordFor(card({ kind: 'purchase-loaded' }), input)).toEqual({ kind: 'refused', refusal: 'loaded' });
  });

  it('refuses a card with no purchase, and a cancel record', () => {
    expect(cancelRecordFor(card({ kind: 'issued' }), input)).toEqual({ kind: 'refused', refusal: 'no-purchase' });
    const cancelled = cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: cancelOf(2) });
    expect(cancelRecordFor(cancelled, { ...input, previousRecord: FIXTURE_FIRST_PURCHASE })).toEqual({ kind: 'refused', refusal: 'already-cancelled' });
  });

  it('refuses while the return block is torn (it cannot tell loaded from not loaded)', () => {
    const tornBlock = tornWrite(new Uint8Array(32), 0, encodeReturnBlock(loadedBlock(FIXTURE_FIRST_PURCHASE)), 20);
    expect(cancelRecordFor(cardOf({ slotA: FIXTURE_FIRST_PURCHASE, returnBlock: tornBlock }), input)).toEqual({ kind: 'refused', refusal: 'return-block-torn' });
  });

  it('refuses a record carried onto a replacement card before the card has a valid return block', () => {
    const replacement = cardOf({ slotA: FIXTURE_FIRST_PURCHASE }, 1);
    expect(cancelRecordFor(replacement, { ...input, highestKnownGeneration: 1 })).toEqual({ kind: 'refused', refusal: 'replacement-not-in-meter' });
    // Once the meter has written a valid block that does not name it, it may be cancelled.
    const afterMeter = cardOf({ slotA: record({ sequence: 2 }), returnBlock: loadedBlock(FIXTURE_FIRST_PURCHASE, { acceptedGeneration: 1 }) }, 1);
    expect(cancelRecordFor(afterMeter, { ...input, highestKnownGeneration: 1 }).kind).toBe('write');
  });

  it('refuses stale, foreign, damaged and non-user cards', () => {
    expect(cancelRecordFor(card({ kind: 'stale-generation' }), input)).toEqual({ kind: 'refused', refusal: 'stale-or-foreign-return' });
    expect(cancelRecordFor(card({ kind: 'purchase-unloaded' }), { ...input, highestKnownGeneration: 1 })).toEqual({
      kind: 'refused',
      refusal: 'stale-generation',
    });
    expect(cancelRecordFor(card({ kind: 'purchase-unloaded', utilityCode: 99 }), input)).toEqual({ kind: 'refused', refusal: 'foreign-utility' });
    expect(cancelRecordFor(card({ kind: 'damaged' }), input)).toEqual({ kind: 'refused', refusal: 'damaged' });
    expect(cancelRecordFor(card({ kind: 'blank' }), input)).toEqual({ kind: 'refused', refusal: 'not-user-card' });
  });

  it("refuses when the ledger's previous record does not fit the card", () => {
    // Wrong sequence.
    expect(cancelRecordFor(card({ kind: 'purchase-unloaded' }), { ...input, previousRecord: record({ sequence: 5 }) })).toEqual({
      kind: 'refused',
      refusal: 'previous-record-mismatch',
    });
    // The card's other slot holds the record before, and the ledger says none or another one.
    const view = cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: FIXTURE_SECOND_PURCHASE, returnBlock: loadedBlock(FIXTURE_FIRST_PURCHASE) });
    expect(cancelRecordFor(view, input)).toEqual({ kind: 'refused', refusal: 'previous-record-mismatch' });
    expect(cancelRecordFor(view, { ...input, previousRecord: { ...FIXTURE_FIRST_PURCHASE, yearToDate: gas(1) } })).toEqual({
      kind: 'refused',
      refusal: 'previous-record-mismatch',
    });
  });
});

describe('pendingRecordOutcome (rule 4)', () => {
  const second = encodeSlot(FIXTURE_SECOND_PURCHASE);
  const pendingSecond = { sequence: 2, digest: FIXTURE_SECOND_PURCHASE.digest, bytes: second };

  it('confirmed: a slot holds the same sequence and digest', () => {
    expect(pendingRecordOutcome(card({ kind: 'torn-slot-b', writtenBytes: 32 }), pendingSecond)).toEqual({ kind: 'confirmed', slot: 'B' });
    // Also when the card has since moved on and the pending record sits in the older slot.
    const third = record({ sequence: 3, digest: FIXTURE_DIGESTS.third });
    expect(pendingRecordOutcome(cardOf({ slotA: third, slotB: FIXTURE_SECOND_PURCHASE }), pendingSecond)).toEqual({ kind: 'confirmed', slot: 'B' });
  });

  it('rewrite: the card is still at the record before it; the very same bytes go into the non-current slot', () => {
    for (const written of [0, 1, 16, 31]) {
      const outcome = pendingRecordOutcome(card({ kind: 'torn-slot-b', writtenBytes: written }), pendingSecond);
      expect(outcome, `written ${written}`).toEqual({ kind: 'rewrite', slot: 'B', bytes: second });
    }
    // The first record on a card with none.
    const first = { sequence: 1, digest: FIXTURE_FIRST_PURCHASE.digest, bytes: encodeSlot(FIXTURE_FIRST_PURCHASE) };
    expect(pendingRecordOutcome(card({ kind: 'issued' }), first)).toEqual({ kind: 'rewrite', slot: 'A', bytes: first.bytes });
    // The first record torn at every byte boundary: slot A torn beside an empty B (damaged by the
    // table) is still "at the record before" (none): the same bytes again.
    for (let written = 1; written < 32; written += 1) {
      const image = tornWrite(buildCardImage({ kind: 'issued' }), 0x40, first.bytes, written);
      const view = decodeCard(image);
      const outcome = pendingRecordOutcome(view, first);
      if (view.purchase.kind === 'damaged') expect(outcome, `written ${written}`).toEqual({ kind: 'rewrite', slot: 'A', bytes: first.bytes });
      // A tear that happens to leave a valid slot (the old bytes equal the new) reads as the record itself.
      else expect(['rewrite', 'confirmed'], `written ${written}`).toContain(outcome.kind);
    }
    // A torn slot that is not a first purchase stays a supervisor's.
    expect(pendingRecordOutcome(card({ kind: 'damaged', damage: 'torn-and-empty' }), pendingSecond)).toEqual({ kind: 'card-damaged' });
    // Across the wrap, into slot A when B is current.
    const last = record({ sequence: 65535 });
    const wrapped = record({ sequence: 1, digest: FIXTURE_DIGESTS.third });
    const pendingWrapped = { sequence: 1, digest: wrapped.digest, bytes: encodeSlot(wrapped) };
    expect(pendingRecordOutcome(cardOf({ slotA: record({ sequence: 65534 }), slotB: last }), pendingWrapped)).toMatchObject({ kind: 'rewrite', slot: 'A' });
  });

  it('other-digest: the card holds another digest under that sequence', () => {
    const otherSecond = { ...FIXTURE_SECOND_PURCHASE, digest: Uint8Array.of(1, 1, 1, 1) };
    expect(pendingRecordOutcome(cardOf({ slotA: FIXTURE_FIRST_PURCHASE, slotB: otherSecond }), pendingSecond)).toEqual({ kind: 'other-digest', slot: 'B' });
  });

  it('moved-past: the card is past it and neither slot holds it', () => {
    const third = record({ sequence: 3, digest: FIXTURE_DIGESTS.third });
    const fourth = record({ sequence: 4, digest: Uint8Array.of(4, 4, 4, 4) });
    expect(pendingRecordOutcome(cardOf({ slotA: third, slotB: fourth }), pendingSecond)).toEqual({ kind: 'moved-past' });
    expect(pendingRecordOutcome(cardOf({ slotA: third }), pendingSecond)).toEqual({ kind: 'moved-past' });
  });

  it('out-of-step: the card is further behind than the record before it', () => {
    const pendingFifth = { ...pendingSecond, sequence: 5, bytes: encodeSlot({ ...FIXTURE_SECOND_PURCHASE, sequence: 5 }) };
    expect(pendingRecordOutcome(card({ kind: 'purchase-loaded' }), pendingFifth)).toEqual({ kind: 'out-of-step' });
    expect(pendingRecordOutcome(card({ kind: 'issued' }), pendingSecond)).toEqual({ kind: 'out-of-step' });
  });

  it('card-damaged: no current record to compare with', () => {
    expect(pendingRecordOutcome(card({ kind: 'damaged', damage: 'torn-and-empty' }), pendingSecond)).toEqual({ kind: 'card-damaged' });
    expect(pendingRecordOutcome(card({ kind: 'blank' }), pendingSecond)).toEqual({ kind: 'card-damaged' });
  });

  it('refuses pending bytes that are not the pending record', () => {
    expect(ruleError(() => pendingRecordOutcome(card({ kind: 'issued' }), { ...pendingSecond, sequence: 3 })).code).toBe('bad-input');
    expect(ruleError(() => pendingRecordOutcome(card({ kind: 'issued' }), { ...pendingSecond, digest: Uint8Array.of(0, 0, 0, 0) })).code).toBe('bad-input');
    expect(ruleError(() => pendingRecordOutcome(card({ kind: 'issued' }), { ...pendingSecond, bytes: new Uint8Array(32) })).code).toBe('bad-input');
  });
});
