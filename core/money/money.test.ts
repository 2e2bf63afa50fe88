import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_FEN,
  MAX_GAS,
  MAX_UNIT_PRICE,
  MoneyError,
  addFen,
  divRoundHalfUp,
  fen,
  formatCubicMetres,
  formatUnitPrice,
  formatYuan,
  formatYuanPlain,
  gas,
  negFen,
  parseCubicMetres,
  parseUnitPrice,
  parseYuan,
  priceOf,
  safeMul,
  unitPrice,
} from './money.js';

describe('parseYuan', () => {
  it('parses plain amounts into fen', () => {
    expect(parseYuan('12.3')).toBe(1230);
    expect(parseYuan('12.34')).toBe(1234);
    expect(parseYuan('12')).toBe(1200);
    expect(parseYuan('12.')).toBe(1200);
    expect(parseYuan('0.05')).toBe(5);
    expect(parseYuan('0')).toBe(0);
    expect(parseYuan('  7.5 ')).toBe(750);
    expect(parseYuan('-3.2')).toBe(-320);
  });

  it('accepts the yuan sign, full-width digits, thousands separators and the ideographic full stop', () => {
    expect(parseYuan('￥12.34')).toBe(1234);
    expect(parseYuan('¥12.34')).toBe(1234);
    expect(parseYuan('１２')).toBe(1200);
    expect(parseYuan('￥１２．５')).toBe(1250);
    expect(parseYuan('1,234.5')).toBe(123450);
    expect(parseYuan('1，234.5')).toBe(123450);
    expect(parseYuan('12。3')).toBe(1230);
  });

  it('rejects more than two decimals and anything that is not a number', () => {
    for (const bad of ['1.234', 'abc', '', '   ', '.', '-', '.5', 'NaN', 'Infinity', '-Infinity', '1e3', '0x10', '1.2.3', '12 34', '￥', '1/2']) {
      expect(() => parseYuan(bad), bad).toThrow(MoneyError);
    }
  });

  it('rejects amounts beyond MAX_FEN', () => {
    expect(parseYuan('100000000')).toBe(MAX_FEN);
    expect(() => parseYuan('100000000.01')).toThrow(MoneyError);
    expect(() => parseYuan('1000000000000')).toThrow(MoneyError);
  });
});

describe('formatYuan', () => {
  it('uses the full-width yuan sign and two decimals', () => {
    expect(formatYuan(fen(1234))).toBe('￥12.34');
    expect(formatYuan(fen(5))).toBe('￥0.05');
    expect(formatYuan(fen(0))).toBe('￥0.00');
    expect(formatYuan(fen(100))).toBe('￥1.00');
    expect(formatYuan(fen(-100))).toBe('-￥1.00');
    expect(formatYuan(fen(-5))).toBe('-￥0.05');
    expect(formatYuan(fen(MAX_FEN))).toBe('￥100000000.00');
  });

  it('formatYuanPlain has no sign', () => {
    expect(formatYuanPlain(fen(1234))).toBe('12.34');
    expect(formatYuanPlain(fen(-1234))).toBe('-12.34');
    expect(formatYuanPlain(fen(7))).toBe('0.07');
  });
});

describe('divRoundHalfUp', () => {
  it('rounds half away from zero', () => {
    expect(divRoundHalfUp(5, 2)).toBe(3);
    expect(divRoundHalfUp(15, 10)).toBe(2);
    expect(divRoundHalfUp(25, 10)).toBe(3);
    expect(divRoundHalfUp(14, 10)).toBe(1);
    expect(divRoundHalfUp(16, 10)).toBe(2);
    expect(divRoundHalfUp(10, 5)).toBe(2);
    expect(divRoundHalfUp(1, 3)).toBe(0);
    expect(divRoundHalfUp(2, 3)).toBe(1);
  });

  it('rounds negatives symmetrically and never yields -0', () => {
    expect(divRoundHalfUp(-5, 2)).toBe(-3);
    expect(divRoundHalfUp(-25, 10)).toBe(-3);
    expect(divRoundHalfUp(-14, 10)).toBe(-1);
    expect(divRoundHalfUp(-16, 10)).toBe(-2);
    expect(Object.is(divRoundHalfUp(-1, 3), 0)).toBe(true);
    expect(Object.is(divRoundHalfUp(0, 7), 0)).toBe(true);
  });

  it('refuses non-integers and non-positive denominators', () => {
    expect(() => divRoundHalfUp(1, 0)).toThrow(MoneyError);
    expect(() => divRoundHalfUp(1, -2)).toThrow(MoneyError);
    expect(() => divRoundHalfUp(1.5, 2)).toThrow(MoneyError);
    expect(() => divRoundHalfUp(1, 2.5)).toThrow(MoneyError);
    expect(() => divRoundHalfUp(Number.NaN, 2)).toThrow(MoneyError);
    expect(() => divRoundHalfUp(2 ** 53, 2)).toThrow(MoneyError);
  });

  it('is the nearest integer, ties away from zero (checked exactly with BigInt)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 2_000_000_000 }),
        (n, d) => {
          const r = BigInt(divRoundHalfUp(n, d));
          const distance2 = 2n * (BigInt(n) - r * BigInt(d));
          const abs = (x: bigint): bigint => (x < 0n ? -x : x);
          expect(abs(distance2) <= BigInt(d)).toBe(true);
          if (abs(distance2) === BigInt(d)) expect(abs(r * BigInt(d)) > abs(BigInt(n))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('priceOf', () => {
  it('is volume × price / 1000 rounded once', () => {
    // 10 m³ at 2.80 元/m³
    expect(priceOf(gas(1000), unitPrice(2800))).toBe(2800);
    // 0.01 m³ at 2.80: 2.8 fen → 3
    expect(priceOf(gas(1), unitPrice(2800))).toBe(3);
    // 0.05 m³ at 3.045: 15.225 fen → 15
    expect(priceOf(gas(5), unitPrice(3045))).toBe(15);
    // 0.02 m³ at 2.75: 5.5 fen → 6 (half away from zero)
    expect(priceOf(gas(2), unitPrice(2750))).toBe(6);
    expect(priceOf(gas(0), unitPrice(4200))).toBe(0);
    expect(priceOf(gas(12345), unitPrice(0))).toBe(0);
  });

  it('refuses a price beyond MAX_FEN instead of overflowing', () => {
    expect(() => priceOf(gas(MAX_GAS), unitPrice(MAX_UNIT_PRICE))).toThrow(MoneyError);
  });
});

describe('unit prices', () => {
  it('parses yuan per m³ into li, up to three decimals', () => {
    expect(parseUnitPrice('2.80')).toBe(2800);
    expect(parseUnitPrice('2.8')).toBe(2800);
    expect(parseUnitPrice('3.045')).toBe(3045);
    expect(parseUnitPrice('４.２')).toBe(4200);
    expect(() => parseUnitPrice('3.0455')).toThrow(MoneyError);
    expect(() => parseUnitPrice('-2.80')).toThrow(MoneyError);
    expect(() => parseUnitPrice('1000.001')).toThrow(MoneyError);
  });

  it('formats with two decimals unless the third is used', () => {
    expect(formatUnitPrice(unitPrice(2800))).toBe('2.80 元/m³');
    expect(formatUnitPrice(unitPrice(3360))).toBe('3.36 元/m³');
    expect(formatUnitPrice(unitPrice(3045))).toBe('3.045 元/m³');
    expect(formatUnitPrice(unitPrice(0))).toBe('0.00 元/m³');
    expect(formatUnitPrice(unitPrice(5))).toBe('0.005 元/m³');
  });

  it('format then parse is the identity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_UNIT_PRICE }), (li) => {
        const text = formatUnitPrice(unitPrice(li));
        expect(text.endsWith(' 元/m³')).toBe(true);
        expect(parseUnitPrice(text.slice(0, -' 元/m³'.length))).toBe(li);
      }),
    );
  });
});

describe('gas volumes', () => {
  it('parse and format m³ in 0.01 m³', () => {
    expect(parseCubicMetres('12.5')).toBe(1250);
    expect(formatCubicMetres(gas(1250))).toBe('12.50 m³');
    expect(formatCubicMetres(gas(3))).toBe('0.03 m³');
    expect(() => parseCubicMetres('1.005')).toThrow(MoneyError);
  });
});

describe('integer guards', () => {
  it('fen, gas and unitPrice refuse fractions and out-of-range values', () => {
    expect(() => fen(1.5)).toThrow(MoneyError);
    expect(() => fen(MAX_FEN + 1)).toThrow(MoneyError);
    expect(() => gas(MAX_GAS + 1)).toThrow(MoneyError);
    expect(() => unitPrice(-1)).toThrow(MoneyError);
    expect(() => unitPrice(MAX_UNIT_PRICE + 1)).toThrow(MoneyError);
    expect(() => safeMul(2 ** 26, 2 ** 26)).not.toThrow();
    expect(() => safeMul(2 ** 27, 2 ** 26)).toThrow(MoneyError);
  });

  it('addFen sums and negFen never makes -0', () => {
    expect(addFen(fen(1), fen(2), fen(-4))).toBe(-1);
    expect(addFen()).toBe(0);
    expect(Object.is(negFen(fen(0)), 0)).toBe(true);
    expect(negFen(fen(5))).toBe(-5);
  });
});

describe('round trips', () => {
  const anyFen = fc.integer({ min: -MAX_FEN, max: MAX_FEN });

  it('parseYuan of formatYuanPlain is the identity for every fen in range', () => {
    fc.assert(
      fc.property(anyFen, (amount) => {
        expect(parseYuan(formatYuanPlain(fen(amount)))).toBe(amount);
      }),
      { numRuns: 1000 },
    );
  });

  it('parseYuan of formatYuan is the identity for non-negative amounts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_FEN }), (amount) => {
        expect(parseYuan(formatYuan(fen(amount)))).toBe(amount);
      }),
      { numRuns: 1000 },
    );
  });

  it('formatYuanPlain of parseYuan normalises what a person typed to two decimals', () => {
    const typed = fc.record({
      whole: fc.integer({ min: 0, max: 99_999_999 }),
      fraction: fc.stringMatching(/^\d{0,2}$/),
      negative: fc.boolean(),
    });
    fc.assert(
      fc.property(typed, ({ whole, fraction, negative }) => {
        const text = `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
        const expected = `${whole}.${fraction.padEnd(2, '0')}`;
        const isZero = Number(expected) === 0;
        // "-0.00" formats as "0.00": there is no negative zero amount.
        expect(formatYuanPlain(parseYuan(text))).toBe(negative && !isZero ? `-${expected}` : expected);
        // Full-width input means the same thing.
        const fullWidth = text.replace(/[0-9.]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
        expect(parseYuan(fullWidth)).toBe(parseYuan(text));
      }),
      { numRuns: 500 },
    );
  });
});
