/**
 * Whole 256-byte gas card images for tests and for the card emulator's demo deck, built with the
 * real encoders (`layout.ts`) so that every fixture is exactly what a conforming writer and meter
 * would leave on a card (`gas-card-layout.md`).
 *
 * The scenarios: a blank card; a freshly issued card; one purchase in slot A not yet loaded; the
 * same after the meter loaded it; a second purchase torn while being written into slot B; a
 * damaged card (three ways); another utility's card; a card made stale by a replacement card.
 *
 * Digests here are fixed made-up bytes (core cannot hash without an injected SHA-256); a deck
 * that must match ledger entries passes its own `recordDigest` values.
 */
import { fen, gas } from '../money/money.js';
import { writeBytes } from './bytes.js';
import type { AccountBlock, HeaderInput, PurchaseRecord, ReturnBlock } from './layout.js';
import {
  ACCOUNT,
  BLOCK_SIZE,
  CARD_SIZE,
  HEADER,
  NO_METER_STATUS,
  RESERVED_AREA,
  RETURN_BLOCK,
  SLOT_A_OFFSET,
  SLOT_B_OFFSET,
  encodeAccountBlock,
  encodeHeader,
  encodeReturnBlock,
  encodeSlot,
} from './layout.js';

/** A made-up utility (0551 is Hefei's dialling code). */
export const FIXTURE_UTILITY_CODE = 0x0551_0001;
/** Another utility's code, for the foreign card. */
export const FIXTURE_FOREIGN_UTILITY_CODE = 0x0571_0002;
export const FIXTURE_SERIAL: Uint8Array = Uint8Array.of(0x5a, 0x17, 0xc3, 0x08, 0x9e, 0x42, 0x61, 0xd0);
export const FIXTURE_TERMINAL_ID = 0x0000_0101;

export const FIXTURE_ACCOUNT: AccountBlock = {
  accountNo: '003401000001',
  meterNo: '020180012345',
  tariffCode: 1,
  issueTime: new Date('2025-03-01T02:00:00Z'),
  generation: 0,
};

export const FIXTURE_DIGESTS = {
  first: Uint8Array.of(0x3c, 0x91, 0x0e, 0x7a),
  second: Uint8Array.of(0xa4, 0x28, 0x5f, 0x13),
  third: Uint8Array.of(0x6d, 0xe0, 0x44, 0xb9),
} as const;

/** The first purchase: 50 m³ for ￥140.00 in 2026 (tier 1 at 2.80). */
export const FIXTURE_FIRST_PURCHASE: PurchaseRecord = {
  sequence: 1,
  volume: gas(5000),
  amount: fen(14000),
  yearToDate: gas(5000),
  tariffYear: 2026,
  terminalId: FIXTURE_TERMINAL_ID,
  purchaseTime: new Date('2026-03-10T02:30:00Z'),
  digest: FIXTURE_DIGESTS.first,
};

/** The second purchase: 30 m³ for ￥84.00, same tariff year. */
export const FIXTURE_SECOND_PURCHASE: PurchaseRecord = {
  sequence: 2,
  volume: gas(3000),
  amount: fen(8400),
  yearToDate: gas(8000),
  tariffYear: 2026,
  terminalId: FIXTURE_TERMINAL_ID,
  purchaseTime: new Date('2026-04-02T06:15:00Z'),
  digest: FIXTURE_DIGESTS.second,
};

/** What the meter writes after loading the first purchase (it had 3.20 m³ left). */
export const FIXTURE_LOADED_FIRST: ReturnBlock = {
  remaining: gas(5320),
  measuredTotal: gas(128_450),
  lastLoadedSequence: 1,
  status: NO_METER_STATUS,
  meterTime: new Date('2026-03-10T11:02:41Z'),
  acceptedGeneration: 0,
  lastLoadedDigest: FIXTURE_DIGESTS.first,
};

export interface CardParts {
  /** Header bytes, or what to encode; omitted: zero. */
  readonly header?: Uint8Array | HeaderInput;
  readonly account?: Uint8Array | AccountBlock;
  readonly slotA?: Uint8Array | PurchaseRecord;
  readonly slotB?: Uint8Array | PurchaseRecord;
  readonly returnBlock?: Uint8Array | ReturnBlock;
  /** Bytes for 0xA0..0xFF; omitted: zero. */
  readonly reserved?: Uint8Array;
}

/** A card image from its blocks; anything omitted is zero. */
export function composeCardImage(parts: CardParts): Uint8Array {
  const image = new Uint8Array(CARD_SIZE);
  const put = (offset: number, block: Uint8Array | undefined): void => {
    if (block !== undefined) writeBytes(image, offset, block, BLOCK_SIZE, `block at ${offset}`);
  };
  const { header, account, slotA, slotB, returnBlock } = parts;
  put(HEADER.offset, header instanceof Uint8Array || header === undefined ? header : encodeHeader(header));
  put(ACCOUNT.offset, account instanceof Uint8Array || account === undefined ? account : encodeAccountBlock(account));
  put(SLOT_A_OFFSET, slotA instanceof Uint8Array || slotA === undefined ? slotA : encodeSlot(slotA));
  put(SLOT_B_OFFSET, slotB instanceof Uint8Array || slotB === undefined ? slotB : encodeSlot(slotB));
  put(RETURN_BLOCK.offset, returnBlock instanceof Uint8Array || returnBlock === undefined ? returnBlock : encodeReturnBlock(returnBlock));
  if (parts.reserved !== undefined) writeBytes(image, RESERVED_AREA.offset, parts.reserved, RESERVED_AREA.size, 'reserved area');
  return image;
}

/**
 * The image left by a write of `bytes` at `address` that stopped after `written` bytes (the
 * SLE4442 writes byte by byte, and a pulled card keeps the bytes written so far). `written` = 0
 * leaves the old content; `written` = `bytes.length` is a complete write.
 */
export function tornWrite(image: Uint8Array, address: number, bytes: Uint8Array, written: number): Uint8Array {
  if (!Number.isSafeInteger(written) || written < 0 || written > bytes.length) {
    throw new RangeError(`written must be 0..${bytes.length}, got ${written}`);
  }
  const out = image.slice();
  writeBytes(out, address, bytes.subarray(0, written), written, 'torn write');
  return out;
}

export type DamageKind = 'not-successive' | 'both-torn' | 'torn-and-empty';

export type CardFixture =
  /** All 256 bytes zero, as delivered (PSC FF FF FF). */
  | { readonly kind: 'blank' }
  /** Header and account block written; no purchase; never in a meter. */
  | { readonly kind: 'issued' }
  /** The first purchase in slot A; the card has not been in the meter yet. */
  | { readonly kind: 'purchase-unloaded' }
  /** The same card after the meter loaded the purchase (valid return block naming it). */
  | { readonly kind: 'purchase-loaded' }
  /**
   * The loaded card with the second purchase written into slot B and the card pulled after
   * `writtenBytes` of its 32 bytes (default 16; 0 leaves slot B empty, 32 completes the write).
   */
  | { readonly kind: 'torn-slot-b'; readonly writtenBytes?: number }
  /** Slots the table calls damaged (default: two valid records, neither the successor of the other). */
  | { readonly kind: 'damaged'; readonly damage?: DamageKind }
  /** A loaded card of another utility. */
  | { readonly kind: 'foreign-utility' }
  /**
   * A generation-0 card with its purchase, back from a meter that has since adopted a generation-1
   * replacement card: the meter wrote only the return block, with 0x8F = 1.
   */
  | { readonly kind: 'stale-generation' };

export type CardFixtureKind = CardFixture['kind'];

export type CardFixtureOptions = CardFixture & {
  /** Fields of the account block to change (e.g. a generation for a replacement card). */
  readonly account?: Partial<AccountBlock>;
  readonly utilityCode?: number;
  readonly serial?: Uint8Array;
};

/** The 256-byte image of a fixture card. */
export function buildCardImage(options: CardFixtureOptions): Uint8Array {
  const header: HeaderInput = { utilityCode: options.utilityCode ?? FIXTURE_UTILITY_CODE, serial: options.serial ?? FIXTURE_SERIAL };
  const account: AccountBlock = { ...FIXTURE_ACCOUNT, ...options.account };
  const issued = { header, account };
  const loaded: CardParts = {
    ...issued,
    slotA: FIXTURE_FIRST_PURCHASE,
    returnBlock: { ...FIXTURE_LOADED_FIRST, acceptedGeneration: account.generation },
  };
  switch (options.kind) {
    case 'blank':
      return new Uint8Array(CARD_SIZE);
    case 'issued':
      return composeCardImage(issued);
    case 'purchase-unloaded':
      return composeCardImage({ ...issued, slotA: FIXTURE_FIRST_PURCHASE });
    case 'purchase-loaded':
      return composeCardImage(loaded);
    case 'torn-slot-b':
      return tornWrite(composeCardImage(loaded), SLOT_B_OFFSET, encodeSlot(FIXTURE_SECOND_PURCHASE), options.writtenBytes ?? 16);
    case 'damaged':
      return composeCardImage({ ...issued, ...damagedSlots(options.damage ?? 'not-successive') });
    case 'foreign-utility':
      return composeCardImage({ ...loaded, header: { ...header, utilityCode: options.utilityCode ?? FIXTURE_FOREIGN_UTILITY_CODE } });
    case 'stale-generation':
      return composeCardImage({
        ...loaded,
        returnBlock: { ...FIXTURE_LOADED_FIRST, acceptedGeneration: account.generation + 1, meterTime: new Date('2026-05-20T09:00:00Z') },
      });
    default: {
      const unreachable: never = options;
      throw new Error(`unknown card fixture ${JSON.stringify(unreachable)}`);
    }
  }
}

function damagedSlots(damage: DamageKind): Pick<CardParts, 'slotA' | 'slotB'> {
  const second = encodeSlot(FIXTURE_SECOND_PURCHASE);
  const torn = tornWrite(encodeSlot(FIXTURE_FIRST_PURCHASE), 0, second, 20);
  switch (damage) {
    case 'not-successive':
      return { slotA: FIXTURE_FIRST_PURCHASE, slotB: { ...FIXTURE_SECOND_PURCHASE, sequence: 3, digest: FIXTURE_DIGESTS.third } };
    case 'both-torn':
      return { slotA: torn, slotB: tornWrite(second, 0, encodeSlot(FIXTURE_FIRST_PURCHASE), 12) };
    case 'torn-and-empty':
      return { slotA: torn };
    default: {
      const unreachable: never = damage;
      throw new Error(`unknown damage ${String(unreachable)}`);
    }
  }
}
