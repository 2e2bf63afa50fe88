/**
 * Byte helpers shared by the card codecs: big-endian unsigned integers, hex, comparison.
 *
 * The card layout (`/work/shared/specs/gas-card-layout.md`, "Encodings") stores every integer
 * unsigned and big-endian. These helpers check their ranges and offsets instead of silently
 * truncating, because a value that does not fit its field would otherwise be written to a card
 * as a different, valid-looking number.
 */

/** The byte at `index`, or a RangeError: an out-of-range read is a bug in a codec, not data. */
export function byteAt(bytes: Uint8Array, index: number): number {
  const value = bytes[index];
  if (value === undefined) throw new RangeError(`byte ${index} is outside ${bytes.length} bytes`);
  return value;
}

export function readU8(bytes: Uint8Array, offset: number): number {
  return byteAt(bytes, offset);
}

export function readU16(bytes: Uint8Array, offset: number): number {
  return byteAt(bytes, offset) * 0x100 + byteAt(bytes, offset + 1);
}

// Multiplication, not `<<`: bit operators work on signed 32-bit values, so 0xFFFFFFFF would
// come back as -1.
export function readU32(bytes: Uint8Array, offset: number): number {
  return readU16(bytes, offset) * 0x1_0000 + readU16(bytes, offset + 2);
}

function checkUint(value: number, max: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} must be an integer in 0..${max}, got ${value}`);
  }
}

function checkRange(bytes: Uint8Array, offset: number, size: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + size > bytes.length) {
    throw new RangeError(`cannot write ${size} bytes at ${offset} into ${bytes.length} bytes`);
  }
}

export function writeU8(bytes: Uint8Array, offset: number, value: number, what = 'value'): void {
  checkUint(value, 0xff, what);
  checkRange(bytes, offset, 1);
  bytes[offset] = value;
}

export function writeU16(bytes: Uint8Array, offset: number, value: number, what = 'value'): void {
  checkUint(value, 0xffff, what);
  checkRange(bytes, offset, 2);
  bytes[offset] = Math.floor(value / 0x100);
  bytes[offset + 1] = value % 0x100;
}

export function writeU32(bytes: Uint8Array, offset: number, value: number, what = 'value'): void {
  checkUint(value, 0xffff_ffff, what);
  checkRange(bytes, offset, 4);
  writeU16(bytes, offset, Math.floor(value / 0x1_0000));
  writeU16(bytes, offset + 2, value % 0x1_0000);
}

/** Copies `source` into `target` at `offset`; `source` must have exactly `size` bytes. */
export function writeBytes(target: Uint8Array, offset: number, source: Uint8Array, size: number, what = 'bytes'): void {
  if (source.length !== size) throw new RangeError(`${what} must be ${size} bytes, got ${source.length}`);
  checkRange(target, offset, size);
  target.set(source, offset);
}

export function isAllZero(bytes: Uint8Array, from = 0, to = bytes.length): boolean {
  for (let i = from; i < to; i++) if (byteAt(bytes, i) !== 0) return false;
  return true;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const HEX_DIGITS = '0123456789ABCDEF';

/** Upper-case hex without separators, as printed on a card's face. */
export function toHex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += (HEX_DIGITS[byte >> 4] ?? '') + (HEX_DIGITS[byte & 0x0f] ?? '');
  return text;
}

/** Throws unless `bytes` has exactly `size` bytes: every block codec takes a fixed-size block. */
export function requireLength(bytes: Uint8Array, size: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    throw new RangeError(`${what} must be a Uint8Array of ${size} bytes, got ${describeLength(bytes)}`);
  }
}

function describeLength(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
}
