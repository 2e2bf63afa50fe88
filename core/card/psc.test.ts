import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BLANK_PSC, CardKeyError, parseCardKeyHex, pscFor, type HmacSha256 } from './psc.js';

const hmac: HmacSha256 = (key, message) => new Uint8Array(createHmac('sha256', key).update(message).digest());

describe('pscFor', () => {
  it('matches the layout test vector: key 00112233445566778899aabbccddeeff, serial 0102030405060708 → 77 E3 13', () => {
    const key = parseCardKeyHex('00112233445566778899aabbccddeeff');
    const serial = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    expect([...pscFor(key, serial, hmac)]).toEqual([0x77, 0xe3, 0x13]);
  });

  it('is the first 3 bytes of the MAC over the raw serial', () => {
    const key = new Uint8Array(32).fill(0xab);
    const serial = Uint8Array.of(0x5a, 0x17, 0xc3, 0x08, 0x9e, 0x42, 0x61, 0xd0);
    const mac = createHmac('sha256', key).update(serial).digest();
    expect([...pscFor(key, serial, hmac)]).toEqual([...mac.subarray(0, 3)]);
  });

  it('refuses a serial that is not 8 bytes and a key of the wrong size', () => {
    const key = new Uint8Array(16);
    expect(() => pscFor(key, new Uint8Array(7), hmac)).toThrow(RangeError);
    expect(() => pscFor(new Uint8Array(15), new Uint8Array(8), hmac)).toThrow(CardKeyError);
  });

  it('knows the blank card PSC', () => {
    expect(BLANK_PSC).toEqual([0xff, 0xff, 0xff]);
  });
});

describe('parseCardKeyHex', () => {
  it('parses 16..64 bytes of hex in either case, ignoring surrounding white space', () => {
    expect([...parseCardKeyHex('00112233445566778899AABBCCDDEEFF\n')]).toEqual([
      0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    ]);
    expect(parseCardKeyHex('ab'.repeat(64))).toHaveLength(64);
  });

  it.each([
    ['odd-length', '0'.repeat(33)],
    ['not-hex', '00112233445566778899aabbccddeefg'],
    ['not-hex', '00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff'],
    ['not-hex', '0x00112233445566778899aabbccddeeff'],
    ['too-short', '00112233445566778899aabbccddee'],
    ['too-short', ''],
    ['too-long', 'ab'.repeat(65)],
  ] as const)('refuses %s: %j', (problem, text) => {
    let caught: unknown;
    try {
      parseCardKeyHex(text);
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CardKeyError);
    expect((caught as CardKeyError).problem).toBe(problem);
  });

  it('never quotes the key in its error message (it would end up in a log)', () => {
    const secret = '5ec2e7ab5ec2e7ab5ec2e7ab5ec2e7aZ';
    expect(() => parseCardKeyHex(secret)).toThrow(CardKeyError);
    try {
      parseCardKeyHex(secret);
    } catch (error: unknown) {
      expect(String(error)).not.toContain('5ec2e7ab');
    }
  });
});
