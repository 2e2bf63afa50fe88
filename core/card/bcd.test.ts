import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BcdEncodeError, decodeBcd12, encodeBcd12 } from './bcd.js';

describe('encodeBcd12', () => {
  it('packs two digits a byte, first digit in the high nibble', () => {
    expect([...encodeBcd12('123456789012')]).toEqual([0x12, 0x34, 0x56, 0x78, 0x90, 0x12]);
  });

  it('zero-fills shorter numbers on the left', () => {
    expect([...encodeBcd12('1234')]).toEqual([0x00, 0x00, 0x00, 0x00, 0x12, 0x34]);
    expect([...encodeBcd12('3401000001')]).toEqual([0x00, 0x34, 0x01, 0x00, 0x00, 0x01]);
    expect([...encodeBcd12('7')]).toEqual([0, 0, 0, 0, 0, 0x07]);
  });

  it('refuses what is not 1 to 12 ASCII digits', () => {
    for (const bad of ['', '1234567890123', '12a4', '-1', ' 12', '１２', '1.5']) {
      expect(() => encodeBcd12(bad), bad).toThrow(BcdEncodeError);
    }
  });
});

describe('decodeBcd12', () => {
  it('unpacks 12 digits, keeping leading zeros', () => {
    expect(decodeBcd12(Uint8Array.of(0x00, 0x34, 0x01, 0x00, 0x00, 0x01))).toEqual({ ok: true, digits: '003401000001' });
  });

  it('names a nibble A..F in either half of a byte', () => {
    expect(decodeBcd12(Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0x9a, 0x12))).toEqual({ ok: false, error: 'bad-nibble' });
    expect(decodeBcd12(Uint8Array.of(0xf2, 0x34, 0x56, 0x78, 0x90, 0x12))).toEqual({ ok: false, error: 'bad-nibble' });
    expect(decodeBcd12(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toEqual({ ok: false, error: 'bad-nibble' });
  });

  it('names a wrong length', () => {
    expect(decodeBcd12(new Uint8Array(5))).toEqual({ ok: false, error: 'bad-length' });
  });

  it('round-trips every number of up to 12 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,12}$/), (digits) => {
        expect(decodeBcd12(encodeBcd12(digits))).toEqual({ ok: true, digits: digits.padStart(12, '0') });
      }),
      { numRuns: 200 },
    );
  });

  it('accepts exactly the bytes whose nibbles are all 0..9', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (bytes) => {
        const decimal = [...bytes].every((b) => b >> 4 <= 9 && (b & 0x0f) <= 9);
        const result = decodeBcd12(bytes);
        expect(result.ok).toBe(decimal);
        if (result.ok) expect([...encodeBcd12(result.digits)]).toEqual([...bytes]);
      }),
      { numRuns: 300 },
    );
  });
});
