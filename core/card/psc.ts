/**
 * The card's programmable security code (PSC): `gas-card-layout.md`, "The security code".
 *
 * Each card's PSC is the first 3 bytes of HMAC-SHA256(key = the utility's card key as raw bytes,
 * message = the 8 raw serial bytes at 0x08..0x0F). Deriving it from the serial means no table of
 * codes has to be kept, and one leaked PSC opens one card only.
 *
 * THE CARD KEY lives in the main process's configuration only (configured on each terminal as
 * hex). It never reaches a renderer process, a log, an error message, a receipt or the sync
 * stream; a leaked key lets anyone write gas onto every card of the utility. That is why the
 * errors below never quote the text they were given.
 *
 * HMAC is injected because core may not import node:crypto.
 */

/** HMAC-SHA256, injected. Returns the 32-byte MAC. */
export type HmacSha256 = (key: Uint8Array, message: Uint8Array) => Uint8Array;

export const PSC_SIZE = 3;
/** The PSC of a blank card, before issuing changes it. */
export const BLANK_PSC: readonly number[] = [0xff, 0xff, 0xff];
export const MIN_CARD_KEY_BYTES = 16;
export const MAX_CARD_KEY_BYTES = 64;

export type CardKeyProblem = 'odd-length' | 'not-hex' | 'too-short' | 'too-long';

/** A card key that cannot be used. The message names the problem and never the key. */
export class CardKeyError extends Error {
  override readonly name = 'CardKeyError';
  constructor(readonly problem: CardKeyProblem) {
    super(`the card key is not usable: ${problem} (expected ${MIN_CARD_KEY_BYTES}..${MAX_CARD_KEY_BYTES} bytes as hex)`);
  }
}

function checkKeyLength(bytes: number): void {
  if (bytes < MIN_CARD_KEY_BYTES) throw new CardKeyError('too-short');
  if (bytes > MAX_CARD_KEY_BYTES) throw new CardKeyError('too-long');
}

/**
 * The card key from its configured hex form: hex digits only (either case), an even count,
 * 16..64 bytes. Surrounding white space (a trailing newline in a config file) is ignored;
 * white space or separators inside the key are not, so a mistyped key is refused, not guessed.
 */
export function parseCardKeyHex(hex: string): Uint8Array {
  const text = hex.trim();
  if (!/^[0-9a-fA-F]*$/.test(text)) throw new CardKeyError('not-hex');
  if (text.length % 2 !== 0) throw new CardKeyError('odd-length');
  checkKeyLength(text.length / 2);
  const key = new Uint8Array(text.length / 2);
  for (let i = 0; i < key.length; i++) key[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return key;
}

/** The PSC of the card with `serial` (the 8 raw bytes at 0x08..0x0F). */
export function pscFor(cardKey: Uint8Array, serial: Uint8Array, hmac: HmacSha256): Uint8Array {
  checkKeyLength(cardKey.length);
  if (serial.length !== 8) throw new RangeError(`a card serial is 8 bytes, got ${serial.length}`);
  const mac = hmac(cardKey, serial);
  if (mac.length !== 32) throw new RangeError(`HMAC-SHA256 must return 32 bytes, got ${mac.length}`);
  return mac.slice(0, PSC_SIZE);
}
