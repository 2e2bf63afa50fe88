/**
 * Money and gas volume as branded integers.
 *
 * - `Fen`: money in fen (1 yuan = 100 fen). Always an integer; never a float yuan.
 * - `GasVolume`: gas in 0.01 m³ ("centi cubic metres"). Always an integer.
 * - `UnitPrice`: a price in li (厘, 0.001 yuan) per m³, so tariffs with three decimals
 *   (e.g. 3.045 元/m³) are exact.
 *
 * THE ROUNDING RULE (the only one in Tongda): whenever an exact rational amount of fen
 * must become an integer, it is rounded half away from zero (四舍五入), once, at the
 * end of the computation that produced it (see `divRoundHalfUp`). Amounts are summed only
 * after each has been rounded, and each line of a receipt is one rounded amount, so the
 * total printed is always the sum of the lines printed.
 *
 * Integers stay far below 2^53: the largest amount we accept is MAX_FEN (one hundred
 * million yuan), and intermediate products are checked by `safeMul`.
 */

declare const fenBrand: unique symbol;
declare const gasBrand: unique symbol;
declare const priceBrand: unique symbol;

export type Fen = number & { readonly [fenBrand]: 'Fen' };
export type GasVolume = number & { readonly [gasBrand]: 'GasVolume' };
export type UnitPrice = number & { readonly [priceBrand]: 'UnitPrice' };

/** 100,000,000 yuan: no counter transaction comes near it; keeps every product < 2^53. */
export const MAX_FEN = 10_000_000_000;
/** 10,000,000 m³ in 0.01 m³. */
export const MAX_GAS = 1_000_000_000;
/** 1,000 yuan per m³ in li. */
export const MAX_UNIT_PRICE = 1_000_000;

export class MoneyError extends Error {
  override readonly name = 'MoneyError';
}

function assertInt(value: number, max: number, what: string): void {
  if (!Number.isSafeInteger(value) || Math.abs(value) > max) {
    throw new MoneyError(`${what} must be an integer of magnitude at most ${max}, got ${value}`);
  }
}

export function fen(value: number): Fen {
  assertInt(value, MAX_FEN, 'fen');
  return value as Fen;
}

export function gas(value: number): GasVolume {
  assertInt(value, MAX_GAS, 'gas volume');
  return value as GasVolume;
}

export function unitPrice(value: number): UnitPrice {
  assertInt(value, MAX_UNIT_PRICE, 'unit price');
  if (value < 0) throw new MoneyError('unit price must not be negative');
  return value as UnitPrice;
}

export const ZERO_FEN = fen(0);
export const ZERO_GAS = gas(0);

export function addFen(...amounts: readonly Fen[]): Fen {
  let total = 0;
  for (const amount of amounts) total += amount;
  return fen(total);
}

export function subFen(a: Fen, b: Fen): Fen {
  return fen(a - b);
}

export function negFen(a: Fen): Fen {
  return fen(a === 0 ? 0 : 0 - a);
}

export function minFen(a: Fen, b: Fen): Fen {
  return a <= b ? a : b;
}

export function maxFen(a: Fen, b: Fen): Fen {
  return a >= b ? a : b;
}

export function addGas(...volumes: readonly GasVolume[]): GasVolume {
  let total = 0;
  for (const volume of volumes) total += volume;
  return gas(total);
}

export function subGas(a: GasVolume, b: GasVolume): GasVolume {
  return gas(a - b);
}

/** Multiplies two integers, refusing a product that would leave the exact range. */
export function safeMul(a: number, b: number): number {
  const product = a * b;
  if (!Number.isSafeInteger(product)) throw new MoneyError(`product out of range: ${a} × ${b}`);
  return product;
}

/**
 * numerator / denominator rounded half away from zero (四舍五入). The one rounding rule.
 * Both arguments must be safe integers; the denominator positive.
 */
export function divRoundHalfUp(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new MoneyError(`cannot divide ${numerator} by ${denominator}`);
  }
  const sign = numerator < 0 ? -1 : 1;
  const magnitude = Math.abs(numerator);
  const quotient = Math.floor(magnitude / denominator);
  const remainder = magnitude - quotient * denominator;
  const rounded = remainder * 2 >= denominator ? quotient + 1 : quotient;
  return rounded === 0 ? 0 : sign * rounded;
}

/** The price in fen of `volume` (0.01 m³) at `price` (li per m³): volume × price / 1000, rounded once. */
export function priceOf(volume: GasVolume, price: UnitPrice): Fen {
  return fen(divRoundHalfUp(safeMul(volume, price), 1000));
}

const DECIMAL = /^([+-]?)(\d{1,12})(?:\.(\d{0,3}))?$/;

function parseFixed(text: string, decimals: number, what: string): number {
  // Clerks type amounts with full-width digits and currency signs on Chinese IMEs.
  const normalised = text
    .normalize('NFKC')
    .trim()
    .replace(/^([+-]?)[￥¥]/, '$1')
    .replace(/,/g, '')
    .replace(/。/g, '.');
  const match = DECIMAL.exec(normalised);
  if (!match) throw new MoneyError(`not a ${what}: "${text}"`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  if (fraction.length > decimals) {
    throw new MoneyError(`${what} has more than ${decimals} decimal places: "${text}"`);
  }
  const digits = whole + fraction.padEnd(decimals, '0');
  const value = Number.parseInt(digits, 10);
  // No negative zero: Object.is(-0, 0) is false and would make equal amounts compare unequal.
  return sign === '-' && value !== 0 ? 0 - value : value;
}

/** Parses a yuan amount typed by a person ("12.3", "￥12.34", "１２") straight into fen, no floats. */
export function parseYuan(text: string): Fen {
  return fen(parseFixed(text, 2, 'yuan amount'));
}

/** Parses a volume in m³ ("12.5") into 0.01 m³. */
export function parseCubicMetres(text: string): GasVolume {
  return gas(parseFixed(text, 2, 'gas volume in m³'));
}

/** Parses a unit price in yuan per m³ ("2.80", "3.045") into li per m³. */
export function parseUnitPrice(text: string): UnitPrice {
  return unitPrice(parseFixed(text, 3, 'unit price'));
}

function formatFixed(value: number, decimals: number): string {
  const sign = value < 0 ? '-' : '';
  const digits = String(Math.abs(value)).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${sign}${whole}.${fraction}`;
}

/** `￥12.34` — the full-width yuan sign, because many Chinese printers cannot print `¥`. */
export function formatYuan(amount: Fen): string {
  const text = formatFixed(amount, 2);
  return text.startsWith('-') ? `-￥${text.slice(1)}` : `￥${text}`;
}

/** `12.34` without a sign, for input fields. */
export function formatYuanPlain(amount: Fen): string {
  return formatFixed(amount, 2);
}

/** `12.34 m³` */
export function formatCubicMetres(volume: GasVolume): string {
  return `${formatFixed(volume, 2)} m³`;
}

/** `2.80 元/m³`, or `3.045 元/m³` when the third decimal is used. */
export function formatUnitPrice(price: UnitPrice): string {
  const text = formatFixed(price, 3);
  return `${price % 10 === 0 ? text.slice(0, -1) : text} 元/m³`;
}
