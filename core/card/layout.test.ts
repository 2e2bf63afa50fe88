import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fen, gas } from '../money/money.js';
import { crc16 } from './crc16.js';
import {
  FIXTURE_ACCOUNT,
  FIXTURE_FIRST_PURCHASE,
  FIXTURE_LOADED_FIRST,
  FIXTURE_SECOND_PURCHASE,
  FIXTURE_SERIAL,
  composeCardImage,
  tornWrite,
} from './fixtures.js';
import {
  ACCOUNT,
  CARD_EPOCH_MS,
  NO_METER_STATUS,
  RETURN_BLOCK,
  SLOT,
  SLOT_B_OFFSET,
  cardPurchaseState,
  decodeAccountBlock,
  decodeCard,
  decodeHeader,
  decodeReturnBlock,
  decodeSlot,
  encodeAccountBlock,
  encodeHeader,
  encodeReturnBlock,
  encodeSlot,
  fromCardTime,
  isCancelRecord,
  isNewer,
  loadedState,
  recordDigest,
  sameRecord,
  successorOf,
  tariffYearOf,
  toCardTime,
  type PurchaseRecord,
  type ReturnBlock,
  type ReturnBlockState,
  type Sha256,
  type SlotState,
} from './layout.js';
import { utf8Encode } from './utf8.js';

const sha256: Sha256 = (data) => new Uint8Array(createHash('sha256').update(data).digest());

const record = (overrides: Partial<PurchaseRecord> = {}): PurchaseRecord => ({ ...FIXTURE_FIRST_PURCHASE, ...overrides });
const valid = (r: PurchaseRecord): SlotState => ({ kind: 'valid', record: r });
const EMPTY: SlotState = { kind: 'empty' };
const TORN: SlotState = { kind: 'torn' };

/** Sets the CRC of a 32-byte block so it is valid again after a test edited it. */
function fixCrc(block: Uint8Array): Uint8Array {
  const out = block.slice();
  const crc = crc16(out, 0, 30);
  out[30] = crc >> 8;
  out[31] = crc & 0xff;
  return out;
}

describe('card times', () => {
  it('counts seconds from 2000-01-01T00:00:00Z', () => {
    expect(CARD_EPOCH_MS).toBe(Date.parse('2000-01-01T00:00:00Z'));
    expect(toCardTime(new Date('2000-01-01T00:00:00Z'))).toBe(0);
    expect(toCardTime(new Date('2000-01-01T00:01:01Z'))).toBe(61);
    expect(toCardTime(new Date('2026-01-01T00:00:00Z'))).toBe(820_540_800);
    expect(fromCardTime(820_540_800).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(fromCardTime(0xffffffff).toISOString()).toBe('2136-02-07T06:28:15.000Z');
  });

  it('drops milliseconds (rounding down) because the card holds whole seconds', () => {
    expect(toCardTime(new Date('2026-03-10T02:30:00.999Z'))).toBe(toCardTime(new Date('2026-03-10T02:30:00Z')));
  });

  it('refuses what a card time cannot hold', () => {
    expect(() => toCardTime(new Date('1999-12-31T23:59:59Z'))).toThrow(RangeError);
    expect(() => toCardTime(new Date('2136-02-07T06:28:16Z'))).toThrow(RangeError);
    expect(() => toCardTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => fromCardTime(-1)).toThrow(RangeError);
    expect(() => fromCardTime(0x1_0000_0000)).toThrow(RangeError);
  });
});

describe('tariffYearOf', () => {
  it('is the calendar year in the utility zone, UTC+8 by default', () => {
    expect(tariffYearOf(new Date('2025-12-31T15:59:59Z'))).toBe(2025);
    expect(tariffYearOf(new Date('2025-12-31T16:00:00Z'))).toBe(2026);
    expect(tariffYearOf(new Date('2025-12-31T16:00:00Z'), 'UTC')).toBe(2025);
  });
});

describe('header', () => {
  const header = encodeHeader({ utilityCode: 0x05510001, serial: FIXTURE_SERIAL });

  it('is laid out as the spec says', () => {
    expect([...header.subarray(0, 8)]).toEqual([0x47, 0x43, 0x01, 0x01, 0x05, 0x51, 0x00, 0x01]);
    expect([...header.subarray(8, 16)]).toEqual([...FIXTURE_SERIAL]);
    expect([...header.subarray(16)]).toEqual(new Array<number>(16).fill(0));
  });

  it('round-trips, with the serial in upper-case hex', () => {
    const result = decodeHeader(header);
    expect(result).toEqual({
      ok: true,
      header: { magic: 'GC', layoutVersion: 1, cardKind: 1, utilityCode: 0x05510001, serial: FIXTURE_SERIAL, serialHex: '5A17C3089E4261D0' },
    });
    const max = decodeHeader(encodeHeader({ utilityCode: 0xffffffff, serial: new Uint8Array(8) }));
    expect(max.ok && max.header.utilityCode).toBe(0xffffffff);
  });

  it('names each way a header is not a version-1 user card', () => {
    const edit = (at: number, value: number): Uint8Array => {
      const out = header.slice();
      out[at] = value;
      return out;
    };
    expect(decodeHeader(new Uint8Array(32))).toEqual({ ok: false, error: 'bad-magic' });
    expect(decodeHeader(edit(1, 0x44))).toEqual({ ok: false, error: 'bad-magic' });
    expect(decodeHeader(edit(2, 0x02))).toEqual({ ok: false, error: 'unsupported-layout' });
    expect(decodeHeader(edit(3, 0x02))).toEqual({ ok: false, error: 'not-user-card' });
    expect(decodeHeader(edit(0x1f, 0x01))).toEqual({ ok: false, error: 'header-reserved-not-zero' });
  });

  it('refuses to encode what does not fit', () => {
    expect(() => encodeHeader({ utilityCode: 0x1_0000_0000, serial: FIXTURE_SERIAL })).toThrow(RangeError);
    expect(() => encodeHeader({ utilityCode: -1, serial: FIXTURE_SERIAL })).toThrow(RangeError);
    expect(() => encodeHeader({ utilityCode: 1, serial: new Uint8Array(7) })).toThrow(RangeError);
    expect(() => decodeHeader(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('account block', () => {
  const block = encodeAccountBlock(FIXTURE_ACCOUNT);

  it('is laid out as the spec says, CRC over 0x20..0x3D high byte first', () => {
    expect([...block.subarray(0, 6)]).toEqual([0x00, 0x34, 0x01, 0x00, 0x00, 0x01]);
    expect([...block.subarray(6, 12)]).toEqual([0x02, 0x01, 0x80, 0x01, 0x23, 0x45]);
    expect([...block.subarray(0x0c, 0x0e)]).toEqual([0x00, 0x01]);
    const issue = toCardTime(FIXTURE_ACCOUNT.issueTime);
    expect([...block.subarray(0x0e, 0x12)]).toEqual([issue >>> 24, (issue >>> 16) & 0xff, (issue >>> 8) & 0xff, issue & 0xff]);
    expect(block[0x12]).toBe(0);
    expect([...block.subarray(0x13, 0x1e)]).toEqual(new Array<number>(11).fill(0));
    const crc = crc16(block, 0, 0x1e);
    expect([block[0x1e], block[0x1f]]).toEqual([crc >> 8, crc & 0xff]);
    expect(ACCOUNT.crc.offset - ACCOUNT.offset).toBe(0x1e);
  });

  it('round-trips, zero-filling short numbers', () => {
    expect(decodeAccountBlock(block)).toEqual({ ok: true, account: FIXTURE_ACCOUNT });
    const short = decodeAccountBlock(encodeAccountBlock({ ...FIXTURE_ACCOUNT, accountNo: '3401000001', generation: 255 }));
    expect(short).toEqual({ ok: true, account: { ...FIXTURE_ACCOUNT, accountNo: '003401000001', generation: 255 } });
  });

  it('names a wrong CRC, a nibble A..F and non-zero padding', () => {
    const flipped = block.slice();
    flipped[0x10] = 0x01;
    expect(decodeAccountBlock(flipped)).toEqual({ ok: false, error: 'account-crc' });
    expect(decodeAccountBlock(new Uint8Array(32))).toEqual({ ok: false, error: 'account-crc' });

    const hexMeter = block.slice();
    hexMeter[0x0b] = 0x4a;
    expect(decodeAccountBlock(fixCrc(hexMeter))).toEqual({ ok: false, error: 'account-bcd' });

    const padded = block.slice();
    padded[0x1d] = 0x01;
    expect(decodeAccountBlock(fixCrc(padded))).toEqual({ ok: false, error: 'account-reserved-not-zero' });
  });

  it('refuses to encode a generation above 255 or a number that is not digits', () => {
    expect(() => encodeAccountBlock({ ...FIXTURE_ACCOUNT, generation: 256 })).toThrow(RangeError);
    expect(() => encodeAccountBlock({ ...FIXTURE_ACCOUNT, meterNo: '0201800123456' })).toThrow();
  });
});

describe('purchase slots', () => {
  it('are laid out as the spec says', () => {
    const bytes = encodeSlot(FIXTURE_SECOND_PURCHASE);
    expect([...bytes.subarray(0, 2)]).toEqual([0x00, 0x02]);
    expect([...bytes.subarray(2, 6)]).toEqual([0x00, 0x00, 0x0b, 0xb8]); // 3000
    expect([...bytes.subarray(6, 10)]).toEqual([0x00, 0x00, 0x20, 0xd0]); // 8400
    expect([...bytes.subarray(10, 14)]).toEqual([0x00, 0x00, 0x1f, 0x40]); // 8000
    expect([...bytes.subarray(14, 16)]).toEqual([0x07, 0xea]); // 2026
    expect([...bytes.subarray(16, 20)]).toEqual([0x00, 0x00, 0x01, 0x01]);
    expect([...bytes.subarray(24, 28)]).toEqual([...FIXTURE_SECOND_PURCHASE.digest]);
    expect([bytes[28], bytes[29]]).toEqual([0x01, 0x00]);
    const crc = crc16(bytes, 0, 30);
    expect([bytes[30], bytes[31]]).toEqual([crc >> 8, crc & 0xff]);
    expect(SLOT.crc.offset).toBe(30);
  });

  it('decode as empty, valid or torn exactly as the spec defines them', () => {
    expect(decodeSlot(new Uint8Array(32))).toEqual({ kind: 'empty' });
    expect(decodeSlot(encodeSlot(FIXTURE_FIRST_PURCHASE))).toEqual({ kind: 'valid', record: FIXTURE_FIRST_PURCHASE });

    const badCrc = encodeSlot(FIXTURE_FIRST_PURCHASE);
    badCrc[31] = (badCrc[31] ?? 0) ^ 0x01;
    expect(decodeSlot(badCrc)).toEqual({ kind: 'torn' });

    // A right CRC with sequence 0 is still torn: 0 is never a record's sequence.
    const zeroSequence = encodeSlot(FIXTURE_FIRST_PURCHASE);
    zeroSequence[1] = 0;
    expect(decodeSlot(fixCrc(zeroSequence))).toEqual({ kind: 'torn' });

    const oneByte = new Uint8Array(32);
    oneByte[31] = 1;
    expect(decodeSlot(oneByte)).toEqual({ kind: 'torn' });

    // The layout's test for valid is the CRC and the sequence only; the marker is not part of it.
    const otherMarker = encodeSlot(FIXTURE_FIRST_PURCHASE);
    otherMarker[28] = 0x02;
    expect(decodeSlot(fixCrc(otherMarker)).kind).toBe('valid');
  });

  it('round-trip the extremes of every field', () => {
    const extreme = record({
      sequence: 65535,
      volume: gas(1_000_000_000),
      amount: fen(0xffffffff),
      yearToDate: gas(1_000_000_000),
      tariffYear: 0xffff,
      terminalId: 0xffffffff,
      purchaseTime: fromCardTime(0xffffffff),
      digest: Uint8Array.of(0xff, 0xff, 0xff, 0xff),
    });
    expect(decodeSlot(encodeSlot(extreme))).toEqual({ kind: 'valid', record: extreme });
    // A card may hold volumes above MAX_GAS; decoding must not throw on them.
    const huge = encodeSlot(FIXTURE_FIRST_PURCHASE);
    huge.set([0xff, 0xff, 0xff, 0xff], 2);
    const decoded = decodeSlot(fixCrc(huge));
    expect(decoded.kind === 'valid' && decoded.record.volume).toBe(0xffffffff);
  });

  it('refuse to encode a record that does not fit', () => {
    expect(() => encodeSlot(record({ sequence: 0 }))).toThrow(RangeError);
    expect(() => encodeSlot(record({ sequence: 65536 }))).toThrow(RangeError);
    expect(() => encodeSlot(record({ volume: gas(-1) }))).toThrow(RangeError);
    expect(() => encodeSlot(record({ amount: fen(0x1_0000_0000) }))).toThrow(RangeError);
    expect(() => encodeSlot(record({ tariffYear: 65536 }))).toThrow(RangeError);
    expect(() => encodeSlot(record({ digest: new Uint8Array(3) }))).toThrow(RangeError);
    expect(() => encodeSlot(record({ purchaseTime: new Date('1999-01-01T00:00:00Z') }))).toThrow(RangeError);
  });

  it('round-trip every valid record (property)', () => {
    fc.assert(
      fc.property(arbitraryRecord(), (r) => {
        const state = decodeSlot(encodeSlot(r));
        expect(state.kind).toBe('valid');
        if (state.kind === 'valid') {
          expect(state.record).toEqual(r);
          expect(sameRecord(state.record, r)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('know a cancel record by volume 0 and amount 0', () => {
    expect(isCancelRecord(record({ volume: gas(0), amount: fen(0) }))).toBe(true);
    expect(isCancelRecord(record({ volume: gas(0), amount: fen(1) }))).toBe(false);
    expect(isCancelRecord(record({ volume: gas(1), amount: fen(0) }))).toBe(false);
    expect(isCancelRecord(FIXTURE_FIRST_PURCHASE)).toBe(false);
  });
});

function arbitraryRecord(sequence: fc.Arbitrary<number> = fc.integer({ min: 1, max: 65535 })): fc.Arbitrary<PurchaseRecord> {
  return fc.record({
    sequence,
    volume: fc.integer({ min: 0, max: 1_000_000_000 }).map(gas),
    amount: fc.integer({ min: 0, max: 0xffffffff }).map(fen),
    yearToDate: fc.integer({ min: 0, max: 1_000_000_000 }).map(gas),
    tariffYear: fc.integer({ min: 0, max: 0xffff }),
    terminalId: fc.integer({ min: 0, max: 0xffffffff }),
    purchaseTime: fc.integer({ min: 0, max: 0xffffffff }).map(fromCardTime),
    digest: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  });
}

describe('16-bit sequence arithmetic', () => {
  it('successorOf: s + 1, and 1 after 65535', () => {
    expect(successorOf(1)).toBe(2);
    expect(successorOf(65534)).toBe(65535);
    expect(successorOf(65535)).toBe(1);
    expect(() => successorOf(0)).toThrow(RangeError);
    expect(() => successorOf(65536)).toThrow(RangeError);
    expect(() => successorOf(1.5)).toThrow(RangeError);
  });

  it('isNewer: (a − b) mod 65536 in 1..32767', () => {
    expect(isNewer(1, 0)).toBe(true);
    expect(isNewer(0, 0)).toBe(false);
    expect(isNewer(5, 5)).toBe(false);
    expect(isNewer(0, 1)).toBe(false);
    // The 32767 / 32768 boundary.
    expect(isNewer(32767, 0)).toBe(true);
    expect(isNewer(32768, 0)).toBe(false);
    expect(isNewer(0, 32768)).toBe(false);
    expect(isNewer(32768, 1)).toBe(true);
    expect(isNewer(1, 32768)).toBe(false);
    expect(isNewer(32769, 1)).toBe(false);
    expect(isNewer(1, 32769)).toBe(false);
    expect(isNewer(32770, 1)).toBe(false);
    expect(isNewer(1, 32770)).toBe(true);
    // Wrap-around: 1 follows 65535, so it is newer, and newer than what came a little before.
    expect(isNewer(1, 65535)).toBe(true);
    expect(isNewer(65535, 1)).toBe(false);
    expect(isNewer(3, 65530)).toBe(true);
    expect(isNewer(65530, 3)).toBe(false);
    expect(isNewer(65535, 0)).toBe(false);
    expect(() => isNewer(65536, 0)).toThrow(RangeError);
    expect(() => isNewer(0, -1)).toThrow(RangeError);
  });

  it('a successor is always newer, and of two sequences not 32768 apart exactly one is newer (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (s) => {
        expect(isNewer(successorOf(s), s)).toBe(true);
        expect(isNewer(s, successorOf(s))).toBe(false);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (a, b) => {
        const apart = (a - b + 65536) % 65536;
        if (apart === 0 || apart === 32768) {
          expect(isNewer(a, b) || isNewer(b, a)).toBe(false);
        } else {
          expect(isNewer(a, b)).not.toBe(isNewer(b, a));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the slot table (cardPurchaseState)', () => {
  const r1 = record({ sequence: 1 });
  const r2 = record({ sequence: 2, digest: FIXTURE_SECOND_PURCHASE.digest });

  it('both empty: no purchase yet', () => {
    expect(cardPurchaseState(EMPTY, EMPTY)).toEqual({ kind: 'no-purchase' });
  });

  it('one valid, the other empty: that one is current', () => {
    expect(cardPurchaseState(valid(r1), EMPTY)).toEqual({ kind: 'current', slot: 'A', record: r1, otherSlot: 'B', otherState: 'empty' });
    expect(cardPurchaseState(EMPTY, valid(r2))).toEqual({ kind: 'current', slot: 'B', record: r2, otherSlot: 'A', otherState: 'empty' });
  });

  it('one valid, the other torn: that one is current (the torn slot is a write that did not finish)', () => {
    expect(cardPurchaseState(valid(r1), TORN)).toEqual({ kind: 'current', slot: 'A', record: r1, otherSlot: 'B', otherState: 'torn' });
    expect(cardPurchaseState(TORN, valid(r2))).toEqual({ kind: 'current', slot: 'B', record: r2, otherSlot: 'A', otherState: 'torn' });
  });

  it('both valid, one the successor of the other: the successor is current', () => {
    expect(cardPurchaseState(valid(r1), valid(r2))).toEqual({ kind: 'current', slot: 'B', record: r2, otherSlot: 'A', otherState: 'valid' });
    expect(cardPurchaseState(valid(r2), valid(r1))).toEqual({ kind: 'current', slot: 'A', record: r2, otherSlot: 'B', otherState: 'valid' });
    // Across the wrap: 1 is the successor of 65535.
    const last = record({ sequence: 65535 });
    expect(cardPurchaseState(valid(last), valid(r1))).toMatchObject({ kind: 'current', slot: 'B', record: r1 });
    expect(cardPurchaseState(valid(r1), valid(last))).toMatchObject({ kind: 'current', slot: 'A', record: r1 });
  });

  it('both torn: damaged', () => {
    expect(cardPurchaseState(TORN, TORN)).toEqual({ kind: 'damaged', reason: 'both-torn' });
  });

  it('one torn and one empty: damaged', () => {
    expect(cardPurchaseState(TORN, EMPTY)).toEqual({ kind: 'damaged', reason: 'torn-and-empty' });
    expect(cardPurchaseState(EMPTY, TORN)).toEqual({ kind: 'damaged', reason: 'torn-and-empty' });
  });

  it('both valid and neither the successor of the other: damaged', () => {
    const damaged = { kind: 'damaged', reason: 'not-successive' };
    expect(cardPurchaseState(valid(r1), valid(record({ sequence: 3 })))).toEqual(damaged);
    expect(cardPurchaseState(valid(record({ sequence: 3 })), valid(r1))).toEqual(damaged);
    expect(cardPurchaseState(valid(r1), valid(r1))).toEqual(damaged);
    // The successor of 65535 is 1, so 65534 and 1 are two apart.
    expect(cardPurchaseState(valid(record({ sequence: 65534 })), valid(r1))).toEqual(damaged);
  });
});

describe('meter return block', () => {
  const block = encodeReturnBlock(FIXTURE_LOADED_FIRST);

  it('is laid out as the spec says', () => {
    const at = (address: number): number => address - RETURN_BLOCK.offset;
    expect([...block.subarray(at(0x80), at(0x84))]).toEqual([0x00, 0x00, 0x14, 0xc8]); // 5320
    expect([...block.subarray(at(0x88), at(0x8a))]).toEqual([0x00, 0x01]);
    expect(block[at(0x8a)]).toBe(0);
    expect(block[at(0x8f)]).toBe(0);
    expect([...block.subarray(at(0x90), at(0x94))]).toEqual([...FIXTURE_LOADED_FIRST.lastLoadedDigest]);
    expect([...block.subarray(at(0x94), at(0x9e))]).toEqual(new Array<number>(10).fill(0));
    const crc = crc16(block, 0, 30);
    expect([block[30], block[31]]).toEqual([crc >> 8, crc & 0xff]);
  });

  it('round-trips', () => {
    expect(decodeReturnBlock(block)).toEqual({ kind: 'valid', block: FIXTURE_LOADED_FIRST });
  });

  it('maps status bits b0..b4 one by one', () => {
    const names = ['valveClosed', 'batteryLow', 'caseOpened', 'magneticAttack', 'meterFault'] as const;
    names.forEach((name, bit) => {
      const status = { ...NO_METER_STATUS, [name]: true };
      const bytes = encodeReturnBlock({ ...FIXTURE_LOADED_FIRST, status });
      expect(bytes[0x0a], name).toBe(1 << bit);
      expect(decodeReturnBlock(bytes)).toEqual({ kind: 'valid', block: { ...FIXTURE_LOADED_FIRST, status } });
    });
  });

  it('all zero: never in a meter; any other wrong CRC: torn', () => {
    expect(decodeReturnBlock(new Uint8Array(32))).toEqual({ kind: 'never-in-meter' });
    expect(decodeReturnBlock(tornWrite(new Uint8Array(32), 0, block, 12))).toEqual({ kind: 'torn' });
    const flipped = block.slice();
    flipped[0x0f] = 1;
    expect(decodeReturnBlock(flipped)).toEqual({ kind: 'torn' });
  });
});

describe('loadedState ("When a purchase is loaded")', () => {
  const current = record({ sequence: 7, digest: Uint8Array.of(1, 2, 3, 4) });
  const blockWith = (changes: Partial<ReturnBlock>): ReturnBlockState => ({
    kind: 'valid',
    block: { ...FIXTURE_LOADED_FIRST, acceptedGeneration: 2, lastLoadedSequence: 7, lastLoadedDigest: Uint8Array.of(1, 2, 3, 4), ...changes },
  });

  it('loaded: valid, 0x8F = the card generation, 0x88 and 0x90 = the current sequence and digest', () => {
    expect(loadedState(2, current, blockWith({}))).toBe('loaded');
  });

  it('not loaded: the block is all zero or torn', () => {
    expect(loadedState(2, current, { kind: 'never-in-meter' })).toBe('not-loaded');
    expect(loadedState(2, current, { kind: 'torn' })).toBe('not-loaded');
  });

  it('not loaded: valid, same generation, naming an older record (any digest)', () => {
    expect(loadedState(2, current, blockWith({ lastLoadedSequence: 6, lastLoadedDigest: Uint8Array.of(9, 9, 9, 9) }))).toBe('not-loaded');
    expect(loadedState(2, current, blockWith({ lastLoadedSequence: 0, lastLoadedDigest: new Uint8Array(4) }))).toBe('not-loaded');
    // Older across the wrap, and at the far edge of "older".
    expect(loadedState(2, record({ sequence: 2 }), blockWith({ lastLoadedSequence: 65535 }))).toBe('not-loaded');
    expect(loadedState(2, record({ sequence: 32767 }), blockWith({ lastLoadedSequence: 0 }))).toBe('not-loaded');
  });

  it('stale or foreign: a newer record, the same sequence with another digest, or another generation', () => {
    expect(loadedState(2, current, blockWith({ lastLoadedSequence: 8 }))).toBe('stale-or-foreign');
    expect(loadedState(2, current, blockWith({ lastLoadedDigest: Uint8Array.of(1, 2, 3, 5) }))).toBe('stale-or-foreign');
    expect(loadedState(2, current, blockWith({ acceptedGeneration: 3 }))).toBe('stale-or-foreign');
    expect(loadedState(2, current, blockWith({ acceptedGeneration: 1 }))).toBe('stale-or-foreign');
    expect(loadedState(2, current, blockWith({ acceptedGeneration: 3, lastLoadedSequence: 6 }))).toBe('stale-or-foreign');
    // 32768 apart: neither is newer, so the block does not name an older record.
    expect(loadedState(2, record({ sequence: 32768 }), blockWith({ lastLoadedSequence: 0 }))).toBe('stale-or-foreign');
  });

  it('a card with no record: not loaded unless the block shows another generation or a loaded record', () => {
    expect(loadedState(0, null, { kind: 'never-in-meter' })).toBe('not-loaded');
    expect(loadedState(0, null, { kind: 'torn' })).toBe('not-loaded');
    expect(loadedState(2, null, blockWith({ lastLoadedSequence: 0 }))).toBe('not-loaded');
    expect(loadedState(2, null, blockWith({ lastLoadedSequence: 3 }))).toBe('stale-or-foreign');
    expect(loadedState(1, null, blockWith({ lastLoadedSequence: 0 }))).toBe('stale-or-foreign');
  });
});

describe('decodeCard on hand-built images', () => {
  it('throws only on a wrong size', () => {
    expect(() => decodeCard(new Uint8Array(255))).toThrow(RangeError);
  });

  it('never throws on any 256 bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: 256 }), (image) => {
        const view = decodeCard(image);
        expect(Array.isArray(view.problems)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('reports non-zero reserved bytes at 0xA0..0xFF', () => {
    const reserved = new Uint8Array(0x60);
    reserved[0x5f] = 0x01;
    const image = composeCardImage({ header: { utilityCode: 1, serial: FIXTURE_SERIAL }, account: FIXTURE_ACCOUNT, reserved });
    expect(decodeCard(image).problems).toEqual(['reserved-not-zero']);
  });

  it('lists several problems in a fixed order', () => {
    const image = composeCardImage({
      slotA: tornWrite(new Uint8Array(32), 0, encodeSlot(FIXTURE_FIRST_PURCHASE), 20),
      returnBlock: tornWrite(new Uint8Array(32), 0, encodeReturnBlock(FIXTURE_LOADED_FIRST), 12),
    });
    const view = decodeCard(image);
    expect(view.problems).toEqual(['bad-magic', 'account-crc', 'slots-damaged', 'return-block-torn']);
    expect(view.header).toBeNull();
    expect(view.account).toBeNull();
    expect(view.loaded).toBeNull();
  });
});

describe('recordDigest', () => {
  it('is the first 4 bytes of SHA-256 over the UTF-8 _id', () => {
    const id = 'entry:S01:000123';
    const expected = createHash('sha256').update(id, 'utf8').digest().subarray(0, 4);
    expect([...recordDigest(id, sha256)]).toEqual([...expected]);
    const chinese = 'entry:合肥营业厅:000001';
    expect([...recordDigest(chinese, sha256)]).toEqual([...createHash('sha256').update(chinese, 'utf8').digest().subarray(0, 4)]);
  });

  it('refuses a hash function that does not return 32 bytes', () => {
    expect(() => recordDigest('x', () => new Uint8Array(20))).toThrow(RangeError);
  });
});

describe('utf8Encode', () => {
  it('encodes like the platform, including lone surrogates as U+FFFD', () => {
    for (const text of ['', 'abc', 'é', '合肥', '😀', '\ud800', 'a\udc00b', '\ud83d']) {
      expect([...utf8Encode(text)], JSON.stringify(text)).toEqual([...Buffer.from(text, 'utf8')]);
    }
  });

  it('agrees with TextEncoder on any string (property)', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect([...utf8Encode(text)]).toEqual([...encoder.encode(text)]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a slot write torn at every byte boundary', () => {
  // The writer puts the next record into the non-current slot (rule 2). Whatever number of its
  // 32 bytes reached the card, the card must read as the old current record or the new one.
  function checkEveryBoundary(image: Uint8Array, slotOffset: number, next: PurchaseRecord, oldCurrent: PurchaseRecord): void {
    const newBytes = encodeSlot(next);
    const oldSlot = image.slice(slotOffset, slotOffset + 32);
    for (let written = 0; written <= 32; written++) {
      const torn = tornWrite(image, slotOffset, newBytes, written);
      const slot = torn.slice(slotOffset, slotOffset + 32);
      const state = decodeSlot(slot);
      if (state.kind === 'valid') {
        // Valid only when nothing or everything changed (or the bytes written so far equal the old ones).
        const isOld = slot.every((b, i) => b === oldSlot[i]);
        const isNew = slot.every((b, i) => b === newBytes[i]);
        expect(isOld || isNew, `written ${written}`).toBe(true);
      }
      const view = decodeCard(torn);
      expect(view.purchase.kind, `written ${written}`).toBe('current');
      if (view.purchase.kind === 'current') {
        expect(view.purchase.record, `written ${written}`).toEqual(written === 32 ? next : oldCurrent);
      }
    }
  }

  it('into an empty slot B beside slot A', () => {
    const image = composeCardImage({ header: { utilityCode: 1, serial: FIXTURE_SERIAL }, account: FIXTURE_ACCOUNT, slotA: FIXTURE_FIRST_PURCHASE });
    checkEveryBoundary(image, SLOT_B_OFFSET, FIXTURE_SECOND_PURCHASE, FIXTURE_FIRST_PURCHASE);
  });

  it('over an older record in slot A', () => {
    const third = record({ ...FIXTURE_SECOND_PURCHASE, sequence: 3, digest: Uint8Array.of(7, 7, 7, 7), yearToDate: gas(9000), volume: gas(1000) });
    const image = composeCardImage({ slotA: FIXTURE_FIRST_PURCHASE, slotB: FIXTURE_SECOND_PURCHASE });
    checkEveryBoundary(image, 0x40, third, FIXTURE_SECOND_PURCHASE);
  });

  it('across the 65535 → 1 wrap, over a torn slot', () => {
    const last = record({ sequence: 65535 });
    const first = record({ sequence: 1, digest: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) });
    const image = composeCardImage({ slotA: tornWrite(new Uint8Array(32), 0, encodeSlot(first), 9), slotB: last });
    checkEveryBoundary(image, 0x40, first, last);
  });

  it('for random records over an empty, torn or older other slot (property)', () => {
    const scenario = fc
      .tuple(arbitraryRecord(), arbitraryRecord(), arbitraryRecord(), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom('empty', 'torn', 'older'))
      .map(([currentFields, nextFields, olderFields, garbage, other]) => {
        const current = currentFields;
        const next = { ...nextFields, sequence: successorOf(current.sequence) };
        const older = { ...olderFields, sequence: current.sequence === 1 ? 65535 : current.sequence - 1 };
        const otherBytes = other === 'empty' ? new Uint8Array(32) : other === 'older' ? encodeSlot(older) : garbage;
        return { current, next, other, otherBytes };
      })
      .filter(({ other, otherBytes }) => other !== 'torn' || decodeSlot(otherBytes).kind === 'torn');
    // A CRC-16 lets about 1 in 65,536 mixtures of two records pass as valid (see the report on the
    // layout); the seed is fixed so this test is deterministic rather than flaky.
    fc.assert(
      fc.property(scenario, ({ current, next, otherBytes }) => {
        const image = composeCardImage({ slotA: current, slotB: otherBytes });
        checkEveryBoundary(image, SLOT_B_OFFSET, next, current);
      }),
      { numRuns: 150, seed: 20260310 },
    );
  });
});
