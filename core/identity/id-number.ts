/**
 * Chinese resident ID numbers 身份证号 (GB 11643-1999): 17 digits and a check character
 * computed with ISO 7064 MOD 11-2. Also the masks every screen and receipt uses.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** The 18th character for the first 17 digits. */
export function idNumberCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('the first 17 characters of an ID number must be digits');
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += (first17.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS.charAt(sum % 11);
}

export type IdNumberProblem = 'format' | 'birth-date' | 'check-digit';

/** Why an ID number is not valid, or null when it is. A lower-case x is accepted as X. */
export function idNumberProblem(raw: string): IdNumberProblem | null {
  const id = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return 'format';
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return 'birth-date';
  }
  return idNumberCheckChar(id.slice(0, 17)) === id.charAt(17) ? null : 'check-digit';
}

export function isValidIdNumber(raw: string): boolean {
  return idNumberProblem(raw) === null;
}

/** `340104********123X`: region code and the last four, the birth date hidden. */
export function maskIdNumber(id: string): string {
  if (id.length <= 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/** `138****5678` for a mobile; landlines keep their last four. */
export function maskPhone(phone: string): string {
  if (phone.length === 11) return `${phone.slice(0, 3)}****${phone.slice(7)}`;
  if (phone.length <= 4) return phone;
  return `${'*'.repeat(phone.length - 4)}${phone.slice(-4)}`;
}
