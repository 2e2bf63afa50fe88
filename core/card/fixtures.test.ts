import { describe, expect, it } from 'vitest';
import {
  FIXTURE_ACCOUNT,
  FIXTURE_FIRST_PURCHASE,
  FIXTURE_FOREIGN_UTILITY_CODE,
  FIXTURE_LOADED_FIRST,
  FIXTURE_SECOND_PURCHASE,
  FIXTURE_SERIAL,
  FIXTURE_UTILITY_CODE,
  buildCardImage,
  composeCardImage,
  type CardFixtureOptions,
} from './fixtures.js';
import {
  CARD_SIZE,
  SLOT_A_OFFSET,
  SLOT_B_OFFSET,
  decodeCard,
  encodeAccountBlock,
  encodeHeader,
  encodeReturnBlock,
  encodeSlot,
  type CardView,
  type SlotState,
} from './layout.js';

const ALL_FIXTURES: readonly CardFixtureOptions[] = [
  { kind: 'blank' },
  { kind: 'issued' },
  { kind: 'purchase-unloaded' },
  { kind: 'purchase-loaded' },
  { kind: 'torn-slot-b' },
  { kind: 'torn-slot-b', writtenBytes: 1 },
  { kind: 'torn-slot-b', writtenBytes: 31 },
  { kind: 'damaged' },
  { kind: 'damaged', damage: 'both-torn' },
  { kind: 'damaged', damage: 'torn-and-empty' },
  { kind: 'foreign-utility' },
  { kind: 'stale-generation' },
];

/** Encodes a decoded view again, block by block; slots that are not valid keep their raw bytes. */
function reencode(view: CardView, image: Uint8Array): Uint8Array {
  const slotBytes = (state: SlotState, offset: number): Uint8Array =>
    state.kind === 'valid' ? encodeSlot(state.record) : image.slice(offset, offset + 32);
  return composeCardImage({
    header: view.header === null ? image.slice(0, 32) : encodeHeader(view.header),
    account: view.account === null ? image.slice(0x20, 0x40) : encodeAccountBlock(view.account),
    slotA: slotBytes(view.slots.A, SLOT_A_OFFSET),
    slotB: slotBytes(view.slots.B, SLOT_B_OFFSET),
    returnBlock: view.returnBlock.kind === 'valid' ? encodeReturnBlock(view.returnBlock.block) : image.slice(0x80, 0xa0),
    reserved: image.slice(0xa0),
  });
}

describe('fixture card images', () => {
  it.each(ALL_FIXTURES.map((f) => [JSON.stringify(f), f] as const))('%s is 256 bytes and survives decode → encode byte for byte', (_, fixture) => {
    const image = buildCardImage(fixture);
    expect(image).toHaveLength(CARD_SIZE);
    expect([...reencode(decodeCard(image), image)]).toEqual([...image]);
  });

  it('blank: all zero, not a user card', () => {
    const image = buildCardImage({ kind: 'blank' });
    expect(image.every((b) => b === 0)).toBe(true);
    const view = decodeCard(image);
    expect(view.problems).toEqual(['bad-magic', 'account-crc']);
    expect(view.purchase).toEqual({ kind: 'no-purchase' });
    expect(view.returnBlock).toEqual({ kind: 'never-in-meter' });
  });

  it('issued: header and account, no purchase, never in a meter, no problems', () => {
    const view = decodeCard(buildCardImage({ kind: 'issued' }));
    expect(view.problems).toEqual([]);
    expect(view.header).toMatchObject({ utilityCode: FIXTURE_UTILITY_CODE, serialHex: '5A17C3089E4261D0' });
    expect(view.account).toEqual(FIXTURE_ACCOUNT);
    expect(view.purchase).toEqual({ kind: 'no-purchase' });
    expect(view.loaded).toBe('not-loaded');
    expect([...buildCardImage({ kind: 'issued' }).subarray(0x40)].every((b) => b === 0)).toBe(true);
  });

  it('purchase-unloaded: slot A current, not loaded', () => {
    const view = decodeCard(buildCardImage({ kind: 'purchase-unloaded' }));
    expect(view.problems).toEqual([]);
    expect(view.purchase).toEqual({ kind: 'current', slot: 'A', record: FIXTURE_FIRST_PURCHASE, otherSlot: 'B', otherState: 'empty' });
    expect(view.returnBlock).toEqual({ kind: 'never-in-meter' });
    expect(view.loaded).toBe('not-loaded');
  });

  it('purchase-loaded: the same card after the meter wrote its return block', () => {
    const view = decodeCard(buildCardImage({ kind: 'purchase-loaded' }));
    expect(view.problems).toEqual([]);
    expect(view.returnBlock).toEqual({ kind: 'valid', block: FIXTURE_LOADED_FIRST });
    expect(view.loaded).toBe('loaded');
    // The slots and account are untouched by the meter.
    const unloaded = buildCardImage({ kind: 'purchase-unloaded' });
    expect([...buildCardImage({ kind: 'purchase-loaded' }).subarray(0, 0x80)]).toEqual([...unloaded.subarray(0, 0x80)]);
  });

  it('torn-slot-b: slot A stays current, the torn slot is reported', () => {
    const view = decodeCard(buildCardImage({ kind: 'torn-slot-b', writtenBytes: 16 }));
    expect(view.problems).toEqual(['slot-torn']);
    expect(view.purchase).toMatchObject({ kind: 'current', slot: 'A', otherState: 'torn' });
    expect(view.loaded).toBe('loaded');
    // 0 bytes written leaves B empty; all 32 make the second purchase current.
    expect(decodeCard(buildCardImage({ kind: 'torn-slot-b', writtenBytes: 0 })).purchase).toMatchObject({ slot: 'A', otherState: 'empty' });
    const done = decodeCard(buildCardImage({ kind: 'torn-slot-b', writtenBytes: 32 }));
    expect(done.purchase).toMatchObject({ kind: 'current', slot: 'B', record: FIXTURE_SECOND_PURCHASE });
    expect(done.loaded).toBe('not-loaded');
  });

  it('damaged: each of the three damaged rows', () => {
    expect(decodeCard(buildCardImage({ kind: 'damaged' })).purchase).toEqual({ kind: 'damaged', reason: 'not-successive' });
    expect(decodeCard(buildCardImage({ kind: 'damaged', damage: 'both-torn' })).purchase).toEqual({ kind: 'damaged', reason: 'both-torn' });
    expect(decodeCard(buildCardImage({ kind: 'damaged', damage: 'torn-and-empty' })).purchase).toEqual({
      kind: 'damaged',
      reason: 'torn-and-empty',
    });
    const view = decodeCard(buildCardImage({ kind: 'damaged' }));
    expect(view.problems).toEqual(['slots-damaged']);
    expect(view.loaded).toBeNull();
  });

  it("foreign-utility: another utility's code, otherwise sound", () => {
    const view = decodeCard(buildCardImage({ kind: 'foreign-utility' }));
    expect(view.problems).toEqual([]);
    expect(view.header?.utilityCode).toBe(FIXTURE_FOREIGN_UTILITY_CODE);
  });

  it('stale-generation: the meter accepts a newer generation than the card', () => {
    const view = decodeCard(buildCardImage({ kind: 'stale-generation' }));
    expect(view.account?.generation).toBe(0);
    expect(view.returnBlock.kind === 'valid' && view.returnBlock.block.acceptedGeneration).toBe(1);
    expect(view.loaded).toBe('stale-or-foreign');
    expect(view.problems).toEqual(['return-block-stale-or-foreign']);
  });

  it('takes overrides for the account, utility and serial', () => {
    const serial = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const view = decodeCard(buildCardImage({ kind: 'purchase-loaded', account: { generation: 3 }, utilityCode: 42, serial }));
    expect(view.account?.generation).toBe(3);
    expect(view.header).toMatchObject({ utilityCode: 42, serialHex: '0102030405060708' });
    expect(view.loaded).toBe('loaded');
  });

  it('composes a card from its blocks', () => {
    const image = composeCardImage({ header: { utilityCode: 7, serial: FIXTURE_SERIAL }, slotB: FIXTURE_SECOND_PURCHASE });
    expect(decodeCard(image).purchase).toMatchObject({ kind: 'current', slot: 'B', otherState: 'empty' });
    expect(() => composeCardImage({ slotA: new Uint8Array(31) })).toThrow(RangeError);
  });
});
