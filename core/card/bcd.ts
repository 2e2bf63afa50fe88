/**
 * Account and meter numbers on the gas card: 12 decimal digits in 6 bytes of packed BCD
 * (`gas-card-layout.md`, "Encodings"): two digits a byte, the first digit in the high nibble,
 * shorter numbers zero-filled on the left. A nibble A..F makes the block invalid, so decoding
 * reports it as a named error instead of guessing a digit.
 */

export const BCD_DIGITS = 12;
export const BCD_BYTES = 6;

export type BcdError = 'bad-length' | 'bad-nibble';

/** Thrown by `encodeBcd12` for a number that cannot go on the card. */
export class BcdEncodeError extends Error {
  override readonly name = 'BcdEncodeError';
}

const DIGITS = /^\d{1,12}$/;

/** Packs up to 12 decimal digits, zero-filled on the left, into 6 bytes. */
export function encodeBcd12(digits: string): Uint8Array {
  // Only ASCII digits: \d in a non-unicode regex is [0-9], so full-width digits are refused
  // here rather than being packed as something else.
  if (!DIGITS.test(digits)) throw new BcdEncodeError(`a card number is 1 to 12 ASCII digits, got "${digits}"`);
  const padded = digits.padStart(BCD_DIGITS, '0');
  const out = new Uint8Array(BCD_BYTES);
  for (let i = 0; i < BCD_BYTES; i++) {
    const high = padded.charCodeAt(2 * i) - 0x30;
    const low = padded.charCodeAt(2 * i + 1) - 0x30;
    out[i] = (high << 4) | low;
  }
  return out;
}

export type BcdDecodeResult = { readonly ok: true; readonly digits: string } | { readonly ok: false; readonly error: BcdError };

/** Unpacks 6 bytes into 12 digits (leading zeros kept), or names why they are not a number. */
export function decodeBcd12(bytes: Uint8Array): BcdDecodeResult {
  if (bytes.length !== BCD_BYTES) return { ok: false, error: 'bad-length' };
  let digits = '';
  for (const byte of bytes) {
    const high = byte >> 4;
    const low = byte & 0x0f;
    if (high > 9 || low > 9) return { ok: false, error: 'bad-nibble' };
    digits += String(high) + String(low);
  }
  return { ok: true, digits };
}
