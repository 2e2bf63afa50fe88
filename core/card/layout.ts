/**
 * The gas user card, layout version 1 (revision 3): `/work/shared/specs/gas-card-layout.md`.
 *
 * 256 bytes of SLE4442 main memory, in eight 32-byte blocks:
 *
 * | range         | block                                                        |
 * |---------------|--------------------------------------------------------------|
 * | `0x00..0x1F`  | header: magic `GC`, layout version, card kind, utility, serial |
 * | `0x20..0x3F`  | account block: account and meter number (BCD), tariff, issue time, generation, CRC |
 * | `0x40..0x5F`  | purchase slot A                                              |
 * | `0x60..0x7F`  | purchase slot B                                              |
 * | `0x80..0x9F`  | meter return block (written by the meter only)               |
 * | `0xA0..0xFF`  | zero, reserved                                               |
 *
 * Integers are unsigned big-endian, CRCs are CRC-16/CCITT-FALSE stored high byte first, volumes
 * are 0.01 m³, money is fen, times are seconds since 2000-01-01T00:00:00Z.
 *
 * Everything here is a pure function of bytes: decoding never throws on any 256 bytes a card
 * may hold (a damaged card is data, reported as named problems), while encoding throws on a
 * value that does not fit its field, because writing it would put a different number on the card.
 *
 * The two-slot scheme: a writer never overwrites the current purchase; it writes the next record
 * into the other slot, so a write torn by a pulled card leaves the current slot whole and the
 * torn one invalid (by its CRC). `cardPurchaseState` is the spec's slot table, which counters,
 * vans and meters all apply, and `loadedState` decides from the meter's return block whether the
 * current purchase has reached the meter (卡上有气不能购气).
 */
import type { Fen, GasVolume } from '../money/money.js';
import { fen } from '../money/money.js';
import { DEFAULT_TIME_ZONE, localDateOf } from '../time/local-date.js';
import { decodeBcd12, encodeBcd12 } from './bcd.js';
import {
  byteAt,
  bytesEqual,
  isAllZero,
  readU16,
  readU32,
  readU8,
  requireLength,
  toHex,
  writeBytes,
  writeU16,
  writeU32,
  writeU8,
} from './bytes.js';
import { crc16 } from './crc16.js';
import { utf8Encode } from './utf8.js';

/** SHA-256, injected because core may not import node:crypto. Returns the 32-byte digest. */
export type Sha256 = (data: Uint8Array) => Uint8Array;

// ---------------------------------------------------------------------------------------------
// Offsets and sizes
// ---------------------------------------------------------------------------------------------

export const CARD_SIZE = 256;
export const BLOCK_SIZE = 32;

/** Header, `0x00..0x1F`; write-protected when the card is issued. Offsets are card addresses. */
export const HEADER = {
  offset: 0x00,
  size: 0x20,
  magic: { offset: 0x00, size: 2 },
  layoutVersion: { offset: 0x02, size: 1 },
  cardKind: { offset: 0x03, size: 1 },
  utilityCode: { offset: 0x04, size: 4 },
  serial: { offset: 0x08, size: 8 },
  reserved: { offset: 0x10, size: 16 },
} as const;

/** ASCII "GC". */
export const MAGIC = [0x47, 0x43] as const;
export const LAYOUT_VERSION = 0x01;
export const CARD_KIND_USER = 0x01;
export const SERIAL_SIZE = 8;

/** Account block, `0x20..0x3F`; written once at issue. Offsets are card addresses. */
export const ACCOUNT = {
  offset: 0x20,
  size: 0x20,
  accountNo: { offset: 0x20, size: 6 },
  meterNo: { offset: 0x26, size: 6 },
  tariffCode: { offset: 0x2c, size: 2 },
  issueTime: { offset: 0x2e, size: 4 },
  generation: { offset: 0x32, size: 1 },
  reserved: { offset: 0x33, size: 11 },
  /** CRC over `0x20..0x3D`. */
  crc: { offset: 0x3e, size: 2 },
} as const;

export const SLOT_A_OFFSET = 0x40;
export const SLOT_B_OFFSET = 0x60;

/** A purchase slot; offsets are relative to the slot's first byte (`SLOT_A_OFFSET` or `SLOT_B_OFFSET`). */
export const SLOT = {
  size: 0x20,
  sequence: { offset: 0, size: 2 },
  volume: { offset: 2, size: 4 },
  amount: { offset: 6, size: 4 },
  yearToDate: { offset: 10, size: 4 },
  tariffYear: { offset: 14, size: 2 },
  terminalId: { offset: 16, size: 4 },
  purchaseTime: { offset: 20, size: 4 },
  digest: { offset: 24, size: 4 },
  /** Always `0x01`. */
  marker: { offset: 28, size: 1 },
  /** Always zero. */
  zero: { offset: 29, size: 1 },
  /** CRC over `+0..+29`. */
  crc: { offset: 30, size: 2 },
} as const;

export const SLOT_MARKER = 0x01;
export const DIGEST_SIZE = 4;

/** Meter return block, `0x80..0x9F`; written by the meter only. Offsets are card addresses. */
export const RETURN_BLOCK = {
  offset: 0x80,
  size: 0x20,
  remaining: { offset: 0x80, size: 4 },
  measuredTotal: { offset: 0x84, size: 4 },
  lastLoadedSequence: { offset: 0x88, size: 2 },
  status: { offset: 0x8a, size: 1 },
  meterTime: { offset: 0x8b, size: 4 },
  acceptedGeneration: { offset: 0x8f, size: 1 },
  lastLoadedDigest: { offset: 0x90, size: 4 },
  reserved: { offset: 0x94, size: 10 },
  /** CRC over `0x80..0x9D`. */
  crc: { offset: 0x9e, size: 2 },
} as const;

/** Status bits at `0x8A`. Bits 5..7 are not defined by the layout and are ignored. */
export const STATUS_BITS = {
  valveClosed: 0x01,
  batteryLow: 0x02,
  caseOpened: 0x04,
  magneticAttack: 0x08,
  meterFault: 0x10,
} as const;

/** `0xA0..0xFF`: zero, reserved. */
export const RESERVED_AREA = { offset: 0xa0, size: 0x60 } as const;

export type SlotName = 'A' | 'B';

export function slotOffset(slot: SlotName): number {
  switch (slot) {
    case 'A':
      return SLOT_A_OFFSET;
    case 'B':
      return SLOT_B_OFFSET;
    default: {
      const unreachable: never = slot;
      throw new Error(`unknown slot ${String(unreachable)}`);
    }
  }
}

export function otherSlot(slot: SlotName): SlotName {
  return slot === 'A' ? 'B' : 'A';
}

/** The 32 bytes of a block, copied so that editing them cannot change the image. */
export function blockAt(image: Uint8Array, offset: number): Uint8Array {
  requireLength(image, CARD_SIZE, 'a card image');
  return image.slice(offset, offset + BLOCK_SIZE);
}

// Account and return-block field offsets are card addresses; their codecs work on the 32 bytes
// of the block alone, so a card address is turned into an offset within its block.
function within(block: { readonly offset: number }, field: { readonly offset: number }): number {
  return field.offset - block.offset;
}

// ---------------------------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------------------------

/** 2000-01-01T00:00:00Z in Unix milliseconds: card times count seconds from here. */
export const CARD_EPOCH_MS = Date.UTC(2000, 0, 1);
/** The last instant a 4-byte card time can hold (2136-02-07T06:28:15Z). */
export const MAX_CARD_TIME = 0xffff_ffff;

/**
 * Seconds since 2000-01-01T00:00:00Z, as stored on the card. Milliseconds are dropped (rounded
 * down): the card has whole seconds, and rounding down keeps a time from moving into the next
 * second, minute or tariff year.
 */
export function toCardTime(date: Date): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('cannot store an invalid Date on a card');
  const seconds = Math.floor((ms - CARD_EPOCH_MS) / 1000);
  if (seconds < 0 || seconds > MAX_CARD_TIME) {
    throw new RangeError(`${date.toISOString()} is outside what a card time can hold (2000..2136)`);
  }
  return seconds;
}

/** The instant a card time names. */
export function fromCardTime(seconds: number): Date {
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_CARD_TIME) {
    throw new RangeError(`a card time is 0..${MAX_CARD_TIME} seconds, got ${seconds}`);
  }
  return new Date(CARD_EPOCH_MS + seconds * 1000);
}

/** `date` with its milliseconds dropped: the instant the card will hold for it. */
export function toCardSecond(date: Date): Date {
  return fromCardTime(toCardTime(date));
}

/**
 * The tariff year of a purchase: the calendar year of its purchase time in the utility's time
 * zone (the layout's default is UTC+8, which Asia/Shanghai is all year).
 */
export function tariffYearOf(purchaseTime: Date, timeZone: string = DEFAULT_TIME_ZONE): number {
  return Number(localDateOf(purchaseTime, timeZone).slice(0, 4));
}

// Volumes read from a card are 32-bit unsigned: up to 4.29e9, while `gas()` refuses more than
// MAX_GAS (1e9). Decoding must not throw on a card that holds such a number (a damaged or
// hostile card is data), so card volumes are branded without that bound. They are still safe
// integers, and even 2^32 × MAX_UNIT_PRICE stays below 2^53, so pricing remains exact; arithmetic
// through addGas() will refuse them.
function cardGas(value: number): GasVolume {
  return value as GasVolume;
}

// ---------------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------------

export interface CardHeader {
  /** Always "GC": a header that decodes has the right magic. */
  readonly magic: 'GC';
  readonly layoutVersion: typeof LAYOUT_VERSION;
  readonly cardKind: typeof CARD_KIND_USER;
  /** uint32 */
  readonly utilityCode: number;
  /** The 8 raw serial bytes (the PSC is derived from these). */
  readonly serial: Uint8Array;
  /** 16 upper-case hex digits, as printed on the card's face. */
  readonly serialHex: string;
}

export type HeaderError =
  /** Not "GC" at 0x00: a blank card, or not a gas card. */
  | 'bad-magic'
  /** A gas card of another layout version; this code reads version 1 only. */
  | 'unsupported-layout'
  /** A gas card, but not a user card (e.g. a tool card). */
  | 'not-user-card'
  /** 0x10..0x1F must be zero. */
  | 'header-reserved-not-zero';

export type HeaderDecodeResult = { readonly ok: true; readonly header: CardHeader } | { readonly ok: false; readonly error: HeaderError };

export function decodeHeader(bytes: Uint8Array): HeaderDecodeResult {
  requireLength(bytes, BLOCK_SIZE, 'a header block');
  if (byteAt(bytes, 0) !== MAGIC[0] || byteAt(bytes, 1) !== MAGIC[1]) return { ok: false, error: 'bad-magic' };
  if (readU8(bytes, HEADER.layoutVersion.offset) !== LAYOUT_VERSION) return { ok: false, error: 'unsupported-layout' };
  if (readU8(bytes, HEADER.cardKind.offset) !== CARD_KIND_USER) return { ok: false, error: 'not-user-card' };
  const reserved = HEADER.reserved;
  if (!isAllZero(bytes, reserved.offset, reserved.offset + reserved.size)) return { ok: false, error: 'header-reserved-not-zero' };
  const serial = bytes.slice(HEADER.serial.offset, HEADER.serial.offset + SERIAL_SIZE);
  return {
    ok: true,
    header: {
      magic: 'GC',
      layoutVersion: LAYOUT_VERSION,
      cardKind: CARD_KIND_USER,
      utilityCode: readU32(bytes, HEADER.utilityCode.offset),
      serial,
      serialHex: toHex(serial),
    },
  };
}

export interface HeaderInput {
  readonly utilityCode: number;
  readonly serial: Uint8Array;
}

/** The 32 header bytes of a version-1 user card. */
export function encodeHeader(input: HeaderInput): Uint8Array {
  const out = new Uint8Array(BLOCK_SIZE);
  out[0] = MAGIC[0];
  out[1] = MAGIC[1];
  out[HEADER.layoutVersion.offset] = LAYOUT_VERSION;
  out[HEADER.cardKind.offset] = CARD_KIND_USER;
  writeU32(out, HEADER.utilityCode.offset, input.utilityCode, 'utility code');
  writeBytes(out, HEADER.serial.offset, input.serial, SERIAL_SIZE, 'card serial');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Account block
// ---------------------------------------------------------------------------------------------

export interface AccountBlock {
  /** 12 digits, zero-filled on the left. */
  readonly accountNo: string;
  /** 12 digits, zero-filled on the left. */
  readonly meterNo: string;
  /** uint16 */
  readonly tariffCode: number;
  /** Whole seconds. */
  readonly issueTime: Date;
  /** 0 for the first card of the account, +1 at each replacement; 0..255. */
  readonly generation: number;
}

export type AccountError =
  /** The CRC at 0x3E does not match 0x20..0x3D: nothing in the block can be trusted. */
  | 'account-crc'
  /** The CRC is right but the account or meter number holds a nibble A..F. */
  | 'account-bcd'
  /** 0x33..0x3D must be zero. */
  | 'account-reserved-not-zero';

export type AccountDecodeResult = { readonly ok: true; readonly account: AccountBlock } | { readonly ok: false; readonly error: AccountError };

const ACCOUNT_CRC_AT = within(ACCOUNT, ACCOUNT.crc);

export function decodeAccountBlock(bytes: Uint8Array): AccountDecodeResult {
  requireLength(bytes, BLOCK_SIZE, 'an account block');
  if (crc16(bytes, 0, ACCOUNT_CRC_AT) !== readU16(bytes, ACCOUNT_CRC_AT)) return { ok: false, error: 'account-crc' };
  const accountAt = within(ACCOUNT, ACCOUNT.accountNo);
  const meterAt = within(ACCOUNT, ACCOUNT.meterNo);
  const accountNo = decodeBcd12(bytes.subarray(accountAt, accountAt + ACCOUNT.accountNo.size));
  const meterNo = decodeBcd12(bytes.subarray(meterAt, meterAt + ACCOUNT.meterNo.size));
  if (!accountNo.ok || !meterNo.ok) return { ok: false, error: 'account-bcd' };
  const reservedAt = within(ACCOUNT, ACCOUNT.reserved);
  if (!isAllZero(bytes, reservedAt, reservedAt + ACCOUNT.reserved.size)) return { ok: false, error: 'account-reserved-not-zero' };
  return {
    ok: true,
    account: {
      accountNo: accountNo.digits,
      meterNo: meterNo.digits,
      tariffCode: readU16(bytes, within(ACCOUNT, ACCOUNT.tariffCode)),
      issueTime: fromCardTime(readU32(bytes, within(ACCOUNT, ACCOUNT.issueTime))),
      generation: readU8(bytes, within(ACCOUNT, ACCOUNT.generation)),
    },
  };
}

/** The 32 bytes of an account block, CRC filled in. Numbers shorter than 12 digits are zero-filled. */
export function encodeAccountBlock(account: AccountBlock): Uint8Array {
  const out = new Uint8Array(BLOCK_SIZE);
  writeBytes(out, within(ACCOUNT, ACCOUNT.accountNo), encodeBcd12(account.accountNo), ACCOUNT.accountNo.size);
  writeBytes(out, within(ACCOUNT, ACCOUNT.meterNo), encodeBcd12(account.meterNo), ACCOUNT.meterNo.size);
  writeU16(out, within(ACCOUNT, ACCOUNT.tariffCode), account.tariffCode, 'tariff code');
  writeU32(out, within(ACCOUNT, ACCOUNT.issueTime), toCardTime(account.issueTime), 'issue time');
  writeU8(out, within(ACCOUNT, ACCOUNT.generation), account.generation, 'generation');
  writeU16(out, ACCOUNT_CRC_AT, crc16(out, 0, ACCOUNT_CRC_AT));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Purchase records and slots
// ---------------------------------------------------------------------------------------------

export const MIN_SEQUENCE = 1;
export const MAX_SEQUENCE = 0xffff;

export interface PurchaseRecord {
  /** 1..65535; the successor of 65535 is 1. */
  readonly sequence: number;
  /** Bought in this purchase, 0.01 m³ (0 in a cancel record). */
  readonly volume: GasVolume;
  /** Paid for this purchase, fen (0 in a cancel record). */
  readonly amount: Fen;
  /** Bought in the tariff year so far, this purchase included, 0.01 m³. */
  readonly yearToDate: GasVolume;
  /** Calendar year of the purchase time in the utility's zone; 0 in a cancel record with no record before it. */
  readonly tariffYear: number;
  /** uint32 id of the terminal that wrote the record. */
  readonly terminalId: number;
  /** Whole seconds. */
  readonly purchaseTime: Date;
  /** First 4 bytes of SHA-256 over the UTF-8 `_id` of the ledger entry (see `recordDigest`). */
  readonly digest: Uint8Array;
}

/** Volume 0 and amount 0: the record cancels the purchase before it (rule 6). */
export function isCancelRecord(record: PurchaseRecord): boolean {
  return record.volume === 0 && record.amount === 0;
}

export type SlotState =
  /** All 32 bytes zero. */
  | { readonly kind: 'empty' }
  /** CRC right and sequence not 0. */
  | { readonly kind: 'valid'; readonly record: PurchaseRecord }
  /** Anything else: a write that did not finish, or a damaged slot. */
  | { readonly kind: 'torn' };

export type SlotKind = SlotState['kind'];

const SLOT_CRC_AT = SLOT.crc.offset;

/** The 32 bytes of a slot holding `record`: marker 0x01 at +28, zero at +29, CRC over +0..+29 at +30. */
export function encodeSlot(record: PurchaseRecord): Uint8Array {
  const sequence = record.sequence;
  if (!Number.isSafeInteger(sequence) || sequence < MIN_SEQUENCE || sequence > MAX_SEQUENCE) {
    // Sequence 0 would make a slot the card calls torn; refuse it rather than write it.
    throw new RangeError(`a record sequence is ${MIN_SEQUENCE}..${MAX_SEQUENCE}, got ${sequence}`);
  }
  const out = new Uint8Array(BLOCK_SIZE);
  writeU16(out, SLOT.sequence.offset, sequence, 'sequence');
  writeU32(out, SLOT.volume.offset, record.volume, 'volume');
  writeU32(out, SLOT.amount.offset, record.amount, 'amount');
  writeU32(out, SLOT.yearToDate.offset, record.yearToDate, 'year-to-date volume');
  writeU16(out, SLOT.tariffYear.offset, record.tariffYear, 'tariff year');
  writeU32(out, SLOT.terminalId.offset, record.terminalId, 'terminal id');
  writeU32(out, SLOT.purchaseTime.offset, toCardTime(record.purchaseTime), 'purchase time');
  writeBytes(out, SLOT.digest.offset, record.digest, DIGEST_SIZE, 'digest');
  out[SLOT.marker.offset] = SLOT_MARKER;
  writeU16(out, SLOT_CRC_AT, crc16(out, 0, SLOT_CRC_AT));
  return out;
}

/**
 * Classifies a slot exactly as the layout does: empty (all zero), valid (CRC right, sequence not
 * 0), torn (anything else). The marker and zero bytes at +28/+29 are not part of that test; a
 * slot with a right CRC and other bytes there is still valid, because meters apply the same test
 * and a counter that disagreed with the meter about the current record would be worse.
 */
export function decodeSlot(bytes: Uint8Array): SlotState {
  requireLength(bytes, BLOCK_SIZE, 'a purchase slot');
  if (isAllZero(bytes)) return { kind: 'empty' };
  const sequence = readU16(bytes, SLOT.sequence.offset);
  if (sequence === 0 || crc16(bytes, 0, SLOT_CRC_AT) !== readU16(bytes, SLOT_CRC_AT)) return { kind: 'torn' };
  return {
    kind: 'valid',
    record: {
      sequence,
      volume: cardGas(readU32(bytes, SLOT.volume.offset)),
      // A uint32 of fen is at most 4.29e9, inside MAX_FEN, so fen() cannot throw here.
      amount: fen(readU32(bytes, SLOT.amount.offset)),
      yearToDate: cardGas(readU32(bytes, SLOT.yearToDate.offset)),
      tariffYear: readU16(bytes, SLOT.tariffYear.offset),
      terminalId: readU32(bytes, SLOT.terminalId.offset),
      purchaseTime: fromCardTime(readU32(bytes, SLOT.purchaseTime.offset)),
      digest: bytes.slice(SLOT.digest.offset, SLOT.digest.offset + DIGEST_SIZE),
    },
  };
}

/** Field-by-field equality (dates by instant, digests by bytes). */
export function sameRecord(a: PurchaseRecord, b: PurchaseRecord): boolean {
  return (
    a.sequence === b.sequence &&
    a.volume === b.volume &&
    a.amount === b.amount &&
    a.yearToDate === b.yearToDate &&
    a.tariffYear === b.tariffYear &&
    a.terminalId === b.terminalId &&
    a.purchaseTime.getTime() === b.purchaseTime.getTime() &&
    bytesEqual(a.digest, b.digest)
  );
}

// ---------------------------------------------------------------------------------------------
// 16-bit sequence arithmetic
// ---------------------------------------------------------------------------------------------

function checkSequence(value: number, min: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > MAX_SEQUENCE) {
    throw new RangeError(`${what} must be an integer in ${min}..${MAX_SEQUENCE}, got ${value}`);
  }
}

/** `s + 1`, and 1 after 65535 (0 is never a record's sequence, so it is skipped). */
export function successorOf(sequence: number): number {
  checkSequence(sequence, MIN_SEQUENCE, 'a record sequence');
  return sequence === MAX_SEQUENCE ? MIN_SEQUENCE : sequence + 1;
}

/**
 * Sequence `a` is newer than `b` when (a − b) mod 65536 lies in 1..32767. Either may be 0: a
 * meter that has loaded nothing counts its last sequence as 0. Equal sequences are not newer,
 * and neither of two sequences exactly 32768 apart is newer than the other.
 */
export function isNewer(a: number, b: number): boolean {
  checkSequence(a, 0, 'a sequence');
  checkSequence(b, 0, 'a sequence');
  const distance = (a - b + 0x1_0000) % 0x1_0000;
  return distance >= 1 && distance <= 0x7fff;
}

// ---------------------------------------------------------------------------------------------
// The slot table
// ---------------------------------------------------------------------------------------------

export type DamageReason =
  /** Both slots torn. */
  | 'both-torn'
  /** One slot torn, the other empty. */
  | 'torn-and-empty'
  /** Both slots valid and neither is the successor of the other. */
  | 'not-successive';

export type CardPurchaseState =
  /** Both slots empty: no purchase yet. */
  | { readonly kind: 'no-purchase' }
  /** One valid slot is current; `otherState` says what the other slot holds. */
  | {
      readonly kind: 'current';
      readonly slot: SlotName;
      readonly record: PurchaseRecord;
      readonly otherSlot: SlotName;
      readonly otherState: SlotKind;
    }
  /** No sale; settle from the ledger (rewrite, or a replacement card). */
  | { readonly kind: 'damaged'; readonly reason: DamageReason };

/** The layout's slot table, every row of it. */
export function cardPurchaseState(slotA: SlotState, slotB: SlotState): CardPurchaseState {
  const current = (slot: SlotName, record: PurchaseRecord, other: SlotState): CardPurchaseState => ({
    kind: 'current',
    slot,
    record,
    otherSlot: otherSlot(slot),
    otherState: other.kind,
  });
  if (slotA.kind === 'valid' && slotB.kind === 'valid') {
    if (successorOf(slotA.record.sequence) === slotB.record.sequence) return current('B', slotB.record, slotA);
    if (successorOf(slotB.record.sequence) === slotA.record.sequence) return current('A', slotA.record, slotB);
    return { kind: 'damaged', reason: 'not-successive' };
  }
  // A torn slot beside a valid one is a write that did not finish: the valid one stands.
  if (slotA.kind === 'valid') return current('A', slotA.record, slotB);
  if (slotB.kind === 'valid') return current('B', slotB.record, slotA);
  if (slotA.kind === 'empty' && slotB.kind === 'empty') return { kind: 'no-purchase' };
  if (slotA.kind === 'torn' && slotB.kind === 'torn') return { kind: 'damaged', reason: 'both-torn' };
  // Left: one torn, one empty. Torn beside empty is damaged and not "no purchase", because the
  // torn slot may have been the only record (a carried record, or a damaged first purchase).
  return { kind: 'damaged', reason: 'torn-and-empty' };
}

// ---------------------------------------------------------------------------------------------
// Meter return block
// ---------------------------------------------------------------------------------------------

export interface MeterStatus {
  readonly valveClosed: boolean;
  readonly batteryLow: boolean;
  readonly caseOpened: boolean;
  readonly magneticAttack: boolean;
  readonly meterFault: boolean;
}

export interface ReturnBlock {
  /** Volume remaining in the meter, 0.01 m³. */
  readonly remaining: GasVolume;
  /** Volume measured since the meter was installed, 0.01 m³. */
  readonly measuredTotal: GasVolume;
  /** Sequence of the last purchase the meter loaded; 0 when it has loaded none. */
  readonly lastLoadedSequence: number;
  readonly status: MeterStatus;
  /** The meter's clock when it wrote the block, whole seconds. */
  readonly meterTime: Date;
  /** The card generation the meter accepts now, 0..255. */
  readonly acceptedGeneration: number;
  /** Digest of the last record the meter loaded. */
  readonly lastLoadedDigest: Uint8Array;
}

export type ReturnBlockState =
  /** All 32 bytes zero: the card has not been in a meter since it was issued. */
  | { readonly kind: 'never-in-meter' }
  | { readonly kind: 'valid'; readonly block: ReturnBlock }
  /** Wrong CRC: the card must go back into the meter, which writes the block again. */
  | { readonly kind: 'torn' };

const RETURN_CRC_AT = within(RETURN_BLOCK, RETURN_BLOCK.crc);

export function decodeReturnBlock(bytes: Uint8Array): ReturnBlockState {
  requireLength(bytes, BLOCK_SIZE, 'a return block');
  if (isAllZero(bytes)) return { kind: 'never-in-meter' };
  if (crc16(bytes, 0, RETURN_CRC_AT) !== readU16(bytes, RETURN_CRC_AT)) return { kind: 'torn' };
  const status = readU8(bytes, within(RETURN_BLOCK, RETURN_BLOCK.status));
  const digestAt = within(RETURN_BLOCK, RETURN_BLOCK.lastLoadedDigest);
  return {
    kind: 'valid',
    block: {
      remaining: cardGas(readU32(bytes, within(RETURN_BLOCK, RETURN_BLOCK.remaining))),
      measuredTotal: cardGas(readU32(bytes, within(RETURN_BLOCK, RETURN_BLOCK.measuredTotal))),
      lastLoadedSequence: readU16(bytes, within(RETURN_BLOCK, RETURN_BLOCK.lastLoadedSequence)),
      status: {
        valveClosed: (status & STATUS_BITS.valveClosed) !== 0,
        batteryLow: (status & STATUS_BITS.batteryLow) !== 0,
        caseOpened: (status & STATUS_BITS.caseOpened) !== 0,
        magneticAttack: (status & STATUS_BITS.magneticAttack) !== 0,
        meterFault: (status & STATUS_BITS.meterFault) !== 0,
      },
      meterTime: fromCardTime(readU32(bytes, within(RETURN_BLOCK, RETURN_BLOCK.meterTime))),
      acceptedGeneration: readU8(bytes, within(RETURN_BLOCK, RETURN_BLOCK.acceptedGeneration)),
      lastLoadedDigest: bytes.slice(digestAt, digestAt + DIGEST_SIZE),
    },
  };
}

/** The 32 bytes a meter writes (the emulated meter uses this), CRC filled in. */
export function encodeReturnBlock(block: ReturnBlock): Uint8Array {
  const out = new Uint8Array(BLOCK_SIZE);
  writeU32(out, within(RETURN_BLOCK, RETURN_BLOCK.remaining), block.remaining, 'remaining volume');
  writeU32(out, within(RETURN_BLOCK, RETURN_BLOCK.measuredTotal), block.measuredTotal, 'measured volume');
  writeU16(out, within(RETURN_BLOCK, RETURN_BLOCK.lastLoadedSequence), block.lastLoadedSequence, 'last loaded sequence');
  const s = block.status;
  const status =
    (s.valveClosed ? STATUS_BITS.valveClosed : 0) |
    (s.batteryLow ? STATUS_BITS.batteryLow : 0) |
    (s.caseOpened ? STATUS_BITS.caseOpened : 0) |
    (s.magneticAttack ? STATUS_BITS.magneticAttack : 0) |
    (s.meterFault ? STATUS_BITS.meterFault : 0);
  writeU8(out, within(RETURN_BLOCK, RETURN_BLOCK.status), status);
  writeU32(out, within(RETURN_BLOCK, RETURN_BLOCK.meterTime), toCardTime(block.meterTime), 'meter time');
  writeU8(out, within(RETURN_BLOCK, RETURN_BLOCK.acceptedGeneration), block.acceptedGeneration, 'accepted generation');
  writeBytes(out, within(RETURN_BLOCK, RETURN_BLOCK.lastLoadedDigest), block.lastLoadedDigest, DIGEST_SIZE, 'last loaded digest');
  writeU16(out, RETURN_CRC_AT, crc16(out, 0, RETURN_CRC_AT));
  return out;
}

export const NO_METER_STATUS: MeterStatus = {
  valveClosed: false,
  batteryLow: false,
  caseOpened: false,
  magneticAttack: false,
  meterFault: false,
};

// ---------------------------------------------------------------------------------------------
// When a purchase is loaded
// ---------------------------------------------------------------------------------------------

export type LoadedState =
  /** The meter has this record: the card may buy again. */
  | 'loaded'
  /** The meter has not loaded it yet: the card must go into the meter first (卡上有气不能购气). */
  | 'not-loaded'
  /** The card is stale or another record reached the meter: no sale and no cancel; settle from the ledger. */
  | 'stale-or-foreign';

/**
 * "When a purchase is loaded", for the card's generation and current record:
 *
 * - loaded: the block is valid, 0x8F equals the card's generation, 0x88 and 0x90 equal the
 *   current record's sequence and digest;
 * - not loaded: the block is all zero or torn, or valid with 0x8F equal to the card's generation
 *   and naming an older record (one the current record is newer than; the digest of an older
 *   record is not compared);
 * - stale or foreign: anything else (the block names a newer record, the same sequence with
 *   another digest, a record too far away to call older, or 0x8F differs from the card's
 *   generation).
 *
 * `current` may be null (a card with no record), which the spec does not cover; it is treated
 * as sequence 0, the way a meter that loaded nothing counts its last sequence. The answer is then
 * 'not-loaded' (nothing is waiting for the meter either way) unless the block shows another
 * generation or a loaded record, which makes it 'stale-or-foreign': a card whose meter has moved
 * to a newer generation is stale even when it holds no record.
 */
export function loadedState(generation: number, current: PurchaseRecord | null, returnBlock: ReturnBlockState): LoadedState {
  switch (returnBlock.kind) {
    case 'never-in-meter':
    case 'torn':
      return 'not-loaded';
    case 'valid': {
      const block = returnBlock.block;
      if (block.acceptedGeneration !== generation) return 'stale-or-foreign';
      if (current === null) return block.lastLoadedSequence === 0 ? 'not-loaded' : 'stale-or-foreign';
      if (block.lastLoadedSequence === current.sequence) {
        return bytesEqual(block.lastLoadedDigest, current.digest) ? 'loaded' : 'stale-or-foreign';
      }
      return isNewer(current.sequence, block.lastLoadedSequence) ? 'not-loaded' : 'stale-or-foreign';
    }
    default: {
      const unreachable: never = returnBlock;
      throw new Error(`unknown return block state ${JSON.stringify(unreachable)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The whole card
// ---------------------------------------------------------------------------------------------

/** Named problems of a card image, in the order the UI should list them; each gets its own Chinese message there. */
export const cardProblems = [
  /** 0x00 is not "GC": a blank card or not a gas card. */
  'bad-magic',
  /** Another layout version than 1. */
  'unsupported-layout',
  /** A gas card that is not a user card. */
  'not-user-card',
  /** Header bytes 0x10..0x1F are not zero. */
  'header-reserved-not-zero',
  /** The account block's CRC is wrong. */
  'account-crc',
  /** The account or meter number holds a nibble A..F. */
  'account-bcd',
  /** Account block bytes 0x33..0x3D are not zero. */
  'account-reserved-not-zero',
  /** The slot table says damaged: no sale; settle from the ledger. */
  'slots-damaged',
  /** One slot is torn beside a current one: a write that did not finish (the current record stands). */
  'slot-torn',
  /** The return block's CRC is wrong: the card must go back into the meter. */
  'return-block-torn',
  /** The return block shows a stale card or another record in the meter: no sale, no cancel. */
  'return-block-stale-or-foreign',
  /** Bytes 0xA0..0xFF are not zero. */
  'reserved-not-zero',
] as const;
export type CardProblem = (typeof cardProblems)[number];

/** The problems that make a card unusable for any sale or cancel (the rest only inform). */
export const blockingProblems: readonly CardProblem[] = [
  'bad-magic',
  'unsupported-layout',
  'not-user-card',
  'header-reserved-not-zero',
  'account-crc',
  'account-bcd',
  'account-reserved-not-zero',
  'slots-damaged',
  'return-block-stale-or-foreign',
];

export interface CardView {
  /** Null when the header is not a valid version-1 user card header (see `problems`). */
  readonly header: CardHeader | null;
  /** Null when the account block is invalid (see `problems`). */
  readonly account: AccountBlock | null;
  readonly slots: { readonly A: SlotState; readonly B: SlotState };
  readonly purchase: CardPurchaseState;
  readonly returnBlock: ReturnBlockState;
  /**
   * Whether the current record has reached the meter (`loadedState`); for a card with no record,
   * 'not-loaded' or 'stale-or-foreign'. Null when the account block (the card's generation) is
   * unreadable or the slots are damaged, because then there is nothing to compare.
   */
  readonly loaded: LoadedState | null;
  /** Empty for a sound card; otherwise in the order of `cardProblems`. */
  readonly problems: readonly CardProblem[];
}

/** Reads a whole 256-byte image. Never throws on the content; throws only on a wrong size. */
export function decodeCard(image: Uint8Array): CardView {
  requireLength(image, CARD_SIZE, 'a card image');
  const found = new Set<CardProblem>();

  const headerResult = decodeHeader(blockAt(image, HEADER.offset));
  if (!headerResult.ok) found.add(headerResult.error);
  const accountResult = decodeAccountBlock(blockAt(image, ACCOUNT.offset));
  if (!accountResult.ok) found.add(accountResult.error);

  const slots = { A: decodeSlot(blockAt(image, SLOT_A_OFFSET)), B: decodeSlot(blockAt(image, SLOT_B_OFFSET)) };
  const purchase = cardPurchaseState(slots.A, slots.B);
  if (purchase.kind === 'damaged') found.add('slots-damaged');
  if (purchase.kind === 'current' && purchase.otherState === 'torn') found.add('slot-torn');

  const returnBlock = decodeReturnBlock(blockAt(image, RETURN_BLOCK.offset));
  if (returnBlock.kind === 'torn') found.add('return-block-torn');

  const account = accountResult.ok ? accountResult.account : null;
  let loaded: LoadedState | null = null;
  if (account !== null && purchase.kind !== 'damaged') {
    loaded = loadedState(account.generation, purchase.kind === 'current' ? purchase.record : null, returnBlock);
    if (loaded === 'stale-or-foreign') found.add('return-block-stale-or-foreign');
  }

  if (!isAllZero(image, RESERVED_AREA.offset, RESERVED_AREA.offset + RESERVED_AREA.size)) found.add('reserved-not-zero');

  return {
    header: headerResult.ok ? headerResult.header : null,
    account,
    slots,
    purchase,
    returnBlock,
    loaded,
    problems: cardProblems.filter((problem) => found.has(problem)),
  };
}

/** The problems of `view` that forbid any sale or cancel. */
export function blockingProblemsOf(view: CardView): CardProblem[] {
  return view.problems.filter((problem) => blockingProblems.includes(problem));
}

// ---------------------------------------------------------------------------------------------
// Digest
// ---------------------------------------------------------------------------------------------

/**
 * The 4-byte digest a record carries: the first 4 bytes of SHA-256 over the UTF-8 bytes of the
 * ledger entry's `_id`. It ties a slot to one ledger entry, so a rewrite of a pending record can
 * tell "this purchase" from another purchase that happens to share its sequence.
 */
export function recordDigest(ledgerEntryId: string, sha256: Sha256): Uint8Array {
  const hash = sha256(utf8Encode(ledgerEntryId));
  if (hash.length !== 32) throw new RangeError(`SHA-256 must return 32 bytes, got ${hash.length}`);
  return hash.slice(0, DIGEST_SIZE);
}
