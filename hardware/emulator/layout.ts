/**
 * The minimum of the gas card layout (gas-card-layout.md, version 1 revision 3) that the
 * emulator needs to build demo cards and to play the meter: CRC-16/CCITT-FALSE, packed BCD,
 * header/account/slot/return-block encode and decode, the slot table.
 *
 * Private to the emulator on purpose: it was written before `core/card` existed, and the
 * emulator must stay an independent reading of the spec (a shared codec bug would otherwise
 * agree with itself on both sides of the wire). Offsets and rules are the spec's, verbatim.
 */

export const HEADER_ADDR = 0x00;
export const ACCOUNT_ADDR = 0x20;
export const SLOT_A_ADDR = 0x40;
export const SLOT_B_ADDR = 0x60;
export const RETURN_ADDR = 0x80;
export const BLOCK_BYTES = 32;

export const MAGIC = [0x47, 0x43] as const; // ASCII "GC"
export const LAYOUT_VERSION = 0x01;
export const USER_CARD = 0x01;

/** CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** 12 decimal digits, zero-filled on the left, as 6 bytes of packed BCD. */
export function encodeBcd12(digits: string): Uint8Array {
  if (!/^\d{1,12}$/.test(digits)) throw new RangeError(`"${digits}" is not 1..12 decimal digits`);
  const padded = digits.padStart(12, '0');
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i += 1) out[i] = (Number(padded[2 * i]) << 4) | Number(padded[2 * i + 1]);
  return out;
}

/** The 12 digits, or null when a nibble is A..F (the block is then invalid). */
export function decodeBcd12(bytes: Uint8Array): string | null {
  let out = '';
  for (const b of bytes) {
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (hi > 9 || lo > 9) return null;
    out += String(hi) + String(lo);
  }
  return out;
}

export interface Header {
  readonly utilityCode: number;
  readonly serial: Uint8Array;
}

export function encodeHeader(header: Header): Uint8Array {
  const out = new Uint8Array(BLOCK_BYTES);
  out.set(MAGIC, 0);
  out[2] = LAYOUT_VERSION;
  out[3] = USER_CARD;
  new DataView(out.buffer).setUint32(4, header.utilityCode >>> 0);
  out.set(header.serial.subarray(0, 8), 8);
  return out;
}

export function decodeHeader(block: Uint8Array): Header | null {
  if (block.length !== BLOCK_BYTES) return null;
  if (block[0] !== MAGIC[0] || block[1] !== MAGIC[1] || block[2] !== LAYOUT_VERSION || block[3] !== USER_CARD) return null;
  for (let i = 0x10; i < 0x20; i += 1) if (block[i] !== 0) return null;
  return { utilityCode: view(block).getUint32(4), serial: block.slice(8, 16) };
}

export interface AccountBlock {
  readonly accountNo: string;
  readonly meterNo: string;
  readonly tariffCode: number;
  readonly issueTime: number;
  readonly generation: number;
}

export function encodeAccount(account: AccountBlock): Uint8Array {
  const out = new Uint8Array(BLOCK_BYTES);
  const dv = view(out);
  out.set(encodeBcd12(account.accountNo), 0);
  out.set(encodeBcd12(account.meterNo), 6);
  dv.setUint16(0x0c, account.tariffCode);
  dv.setUint32(0x0e, account.issueTime >>> 0);
  out[0x12] = account.generation & 0xff;
  dv.setUint16(0x1e, crc16(out.subarray(0, 0x1e)));
  return out;
}

export function decodeAccount(block: Uint8Array): AccountBlock | null {
  if (block.length !== BLOCK_BYTES) return null;
  const dv = view(block);
  if (dv.getUint16(0x1e) !== crc16(block.subarray(0, 0x1e))) return null;
  const accountNo = decodeBcd12(block.subarray(0, 6));
  const meterNo = decodeBcd12(block.subarray(6, 12));
  if (accountNo === null || meterNo === null) return null;
  return { accountNo, meterNo, tariffCode: dv.getUint16(0x0c), issueTime: dv.getUint32(0x0e), generation: block[0x12] ?? 0 };
}

export interface PurchaseRecord {
  readonly seq: number;
  readonly volume: number;
  readonly amount: number;
  readonly yearToDate: number;
  readonly tariffYear: number;
  readonly terminalId: number;
  readonly time: number;
  /** 4 bytes: first 4 bytes of SHA-256 of the ledger entry's _id. */
  readonly digest: Uint8Array;
}

export function encodeSlot(record: PurchaseRecord): Uint8Array {
  const out = new Uint8Array(BLOCK_BYTES);
  const dv = view(out);
  dv.setUint16(0, record.seq);
  dv.setUint32(2, record.volume >>> 0);
  dv.setUint32(6, record.amount >>> 0);
  dv.setUint32(10, record.yearToDate >>> 0);
  dv.setUint16(14, record.tariffYear);
  dv.setUint32(16, record.terminalId >>> 0);
  dv.setUint32(20, record.time >>> 0);
  out.set(record.digest.subarray(0, 4), 24);
  out[28] = 0x01;
  dv.setUint16(30, crc16(out.subarray(0, 30)));
  return out;
}

export type SlotState =
  | { readonly kind: 'empty' }
  | { readonly kind: 'valid'; readonly record: PurchaseRecord }
  | { readonly kind: 'torn' };

export function decodeSlot(block: Uint8Array): SlotState {
  if (block.every((b) => b === 0)) return { kind: 'empty' };
  const dv = view(block);
  const seq = dv.getUint16(0);
  if (seq === 0 || dv.getUint16(30) !== crc16(block.subarray(0, 30))) return { kind: 'torn' };
  return {
    kind: 'valid',
    record: {
      seq,
      volume: dv.getUint32(2),
      amount: dv.getUint32(6),
      yearToDate: dv.getUint32(10),
      tariffYear: dv.getUint16(14),
      terminalId: dv.getUint32(16),
      time: dv.getUint32(20),
      digest: block.slice(24, 28),
    },
  };
}

/** The successor of s: s + 1, and of 65535, 1. */
export function successor(seq: number): number {
  return seq >= 0xffff ? 1 : seq + 1;
}

/** a is newer than b when (a - b) mod 65536 lies in 1..32767. */
export function isNewer(a: number, b: number): boolean {
  const d = (a - b + 0x10000) % 0x10000;
  return d >= 1 && d <= 32767;
}

export type CurrentRecord =
  | { readonly kind: 'none' }
  | { readonly kind: 'current'; readonly slot: 'A' | 'B'; readonly record: PurchaseRecord }
  | { readonly kind: 'damaged' };

/** The slot table of "Purchase slots A and B". */
export function currentRecord(a: SlotState, b: SlotState): CurrentRecord {
  if (a.kind === 'empty' && b.kind === 'empty') return { kind: 'none' };
  if (a.kind === 'valid' && b.kind === 'valid') {
    if (b.record.seq === successor(a.record.seq)) return { kind: 'current', slot: 'B', record: b.record };
    if (a.record.seq === successor(b.record.seq)) return { kind: 'current', slot: 'A', record: a.record };
    return { kind: 'damaged' };
  }
  if (a.kind === 'valid') return { kind: 'current', slot: 'A', record: a.record };
  if (b.kind === 'valid') return { kind: 'current', slot: 'B', record: b.record };
  return { kind: 'damaged' };
}

export function isCancelRecord(record: PurchaseRecord): boolean {
  return record.volume === 0 && record.amount === 0;
}

/** Status bits of the return block's 0x8A. */
export const METER_STATUS = {
  VALVE_CLOSED: 0x01,
  BATTERY_LOW: 0x02,
  CASE_OPENED: 0x04,
  MAGNETIC_ATTACK: 0x08,
  METER_FAULT: 0x10,
} as const;

export interface ReturnBlock {
  readonly remaining: number;
  readonly measured: number;
  readonly lastSeq: number;
  readonly status: number;
  readonly meterTime: number;
  readonly generation: number;
  readonly lastDigest: Uint8Array;
}

export function encodeReturnBlock(block: ReturnBlock): Uint8Array {
  const out = new Uint8Array(BLOCK_BYTES);
  const dv = view(out);
  dv.setUint32(0, block.remaining >>> 0);
  dv.setUint32(4, block.measured >>> 0);
  dv.setUint16(8, block.lastSeq);
  out[0x0a] = block.status & 0xff;
  dv.setUint32(0x0b, block.meterTime >>> 0);
  out[0x0f] = block.generation & 0xff;
  out.set(block.lastDigest.subarray(0, 4), 0x10);
  dv.setUint16(0x1e, crc16(out.subarray(0, 0x1e)));
  return out;
}

export type ReturnState = { readonly kind: 'zero' } | { readonly kind: 'valid'; readonly block: ReturnBlock } | { readonly kind: 'torn' };

export function decodeReturnBlock(bytes: Uint8Array): ReturnState {
  if (bytes.every((b) => b === 0)) return { kind: 'zero' };
  const dv = view(bytes);
  if (dv.getUint16(0x1e) !== crc16(bytes.subarray(0, 0x1e))) return { kind: 'torn' };
  return {
    kind: 'valid',
    block: {
      remaining: dv.getUint32(0),
      measured: dv.getUint32(4),
      lastSeq: dv.getUint16(8),
      status: bytes[0x0a] ?? 0,
      meterTime: dv.getUint32(0x0b),
      generation: bytes[0x0f] ?? 0,
      lastDigest: bytes.slice(0x10, 0x14),
    },
  };
}

/** Seconds since 2000-01-01T00:00:00Z, the layout's time unit. */
export function layoutTime(ms: number): number {
  return Math.max(0, Math.floor((ms - Date.UTC(2000, 0, 1)) / 1000));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
