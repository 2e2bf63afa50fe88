/**
 * The card's security code (gas-card-layout.md, "The security code"): the first 3 bytes of
 * HMAC-SHA256(key = the utility's card key as raw bytes, message = the 8 serial bytes).
 * Test vector: key 00112233445566778899aabbccddeeff, serial 0102030405060708 -> 77 E3 13.
 */
import { createHmac } from 'node:crypto';

export function parseHex(hex: string, what = 'hex'): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`${what} is not hex: "${hex}"`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function derivePsc(cardKey: Uint8Array, serial: Uint8Array): [number, number, number] {
  if (serial.length !== 8) throw new RangeError('a card serial is 8 bytes');
  const mac = createHmac('sha256', cardKey).update(serial).digest();
  return [mac[0] ?? 0, mac[1] ?? 0, mac[2] ?? 0];
}
