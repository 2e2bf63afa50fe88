import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc16 } from './crc16.js';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

// The textbook bit-by-bit definition, to check the table-driven one against.
function crc16Bitwise(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

describe('crc16 (CRC-16/CCITT-FALSE)', () => {
  it('gives the check value 0x29B1 for ASCII "123456789"', () => {
    expect(crc16(ascii('123456789'))).toBe(0x29b1);
  });

  it('is the initial value 0xFFFF over no bytes (no final XOR)', () => {
    expect(crc16(new Uint8Array(0))).toBe(0xffff);
  });

  it('covers only the given range', () => {
    const bytes = ascii('xx123456789yy');
    expect(crc16(bytes, 2, 11)).toBe(0x29b1);
    expect(() => crc16(bytes, 5, 20)).toThrow(RangeError);
    expect(() => crc16(bytes, 6, 5)).toThrow(RangeError);
  });

  it('agrees with the bitwise definition', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(crc16(bytes)).toBe(crc16Bitwise(bytes));
      }),
      { numRuns: 200 },
    );
  });
});
