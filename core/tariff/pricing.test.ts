import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_GAS, MoneyError, fen, gas, parseCubicMetres, parseUnitPrice, parseYuan, priceOf, unitPrice } from '../money/money.js';
import type { GasVolume } from '../money/money.js';
import type { Pricing } from '../schema/documents.js';
import { pricingSchema } from '../schema/documents.js';
import { PricingError, assertValidPricing, priceByVolume, pricingProblems, volumeForAmount } from './pricing.js';
import type { PriceBreakdown } from './pricing.js';

const m3 = (text: string): GasVolume => parseCubicMetres(text);

/** domain.md's illustrative residential tariff. */
const RESIDENTIAL: Pricing = {
  kind: 'tiered',
  tiers: [
    { upTo: m3('300'), price: parseUnitPrice('2.80') },
    { upTo: m3('600'), price: parseUnitPrice('3.36') },
    { upTo: null, price: parseUnitPrice('4.20') },
  ],
};
const FLAT: Pricing = { kind: 'flat', price: parseUnitPrice('3.60') };

function sumVolume(b: PriceBreakdown): number {
  return b.parts.reduce((total, part) => total + part.volume, 0);
}
function sumAmount(b: PriceBreakdown): number {
  return b.parts.reduce((total, part) => total + part.amount, 0);
}

describe('pricingProblems', () => {
  it('accepts the illustrative tariffs', () => {
    expect(pricingProblems(RESIDENTIAL)).toEqual([]);
    expect(pricingProblems(FLAT)).toEqual([]);
    expect(pricingProblems({ kind: 'tiered', tiers: [{ upTo: null, price: parseUnitPrice('2.80') }] })).toEqual([]);
    expect(() => assertValidPricing(RESIDENTIAL)).not.toThrow();
  });

  it('needs at least one tier', () => {
    expect(pricingProblems({ kind: 'tiered', tiers: [] })).toHaveLength(1);
  });

  it('needs strictly ascending bounds above zero', () => {
    const p = (bounds: readonly (number | null)[]): Pricing => ({
      kind: 'tiered',
      tiers: bounds.map((upTo) => ({ upTo: upTo === null ? null : gas(upTo), price: parseUnitPrice('3') })),
    });
    expect(pricingProblems(p([100, 100, null]))).toHaveLength(1);
    expect(pricingProblems(p([200, 100, null]))).toHaveLength(1);
    expect(pricingProblems(p([0, null]))).toHaveLength(1);
    expect(pricingProblems(p([100, 200, null]))).toEqual([]);
  });

  it('allows only the last tier to be unbounded, and requires it to be', () => {
    const p = (bounds: readonly (number | null)[]): Pricing => ({
      kind: 'tiered',
      tiers: bounds.map((upTo) => ({ upTo: upTo === null ? null : gas(upTo), price: parseUnitPrice('3') })),
    });
    expect(pricingProblems(p([100, null, null]))).toHaveLength(1);
    expect(pricingProblems(p([null, 100]))).toHaveLength(2);
    expect(pricingProblems(p([100, 200]))).toHaveLength(1);
  });

  it('catches prices and bounds that bypassed the schema', () => {
    const bad = { kind: 'tiered', tiers: [{ upTo: 1.5, price: -1 }, { upTo: null, price: 2800 }] } as unknown as Pricing;
    expect(pricingProblems(bad)).toHaveLength(2);
    expect(pricingProblems({ kind: 'flat', price: 0.5 } as unknown as Pricing)).toHaveLength(1);
    expect(() => assertValidPricing(bad)).toThrow(PricingError);
  });
});

describe('priceByVolume: worked examples', () => {
  it('prices a purchase across the tier 1/2 boundary in parts (domain.md: 290 m³ + 20 m³ = ￥61.60)', () => {
    const b = priceByVolume(RESIDENTIAL, m3('290'), m3('20'));
    expect(b.amount).toBe(parseYuan('61.60'));
    expect(b.parts).toEqual([
      { tierIndex: 0, volume: m3('10'), price: parseUnitPrice('2.80'), amount: parseYuan('28.00') },
      { tierIndex: 1, volume: m3('10'), price: parseUnitPrice('3.36'), amount: parseYuan('33.60') },
    ]);
    expect(b.ytdBefore).toBe(m3('290'));
    expect(b.ytdAfter).toBe(m3('310'));
    expect(b.volume).toBe(m3('20'));
  });

  it('prices a purchase spanning all three tiers', () => {
    const b = priceByVolume(RESIDENTIAL, m3('250'), m3('400'));
    expect(b.parts.map((p) => [p.tierIndex, p.volume, p.amount])).toEqual([
      [0, m3('50'), parseYuan('140.00')],
      [1, m3('300'), parseYuan('1008.00')],
      [2, m3('50'), parseYuan('210.00')],
    ]);
    expect(b.amount).toBe(parseYuan('1358.00'));
  });

  it('treats a bound as exclusive: the 300th m³ is tier 1, the next is tier 2', () => {
    expect(priceByVolume(RESIDENTIAL, gas(0), m3('300')).parts.map((p) => p.tierIndex)).toEqual([0]);
    expect(priceByVolume(RESIDENTIAL, m3('300'), m3('1')).parts.map((p) => p.tierIndex)).toEqual([1]);
    expect(priceByVolume(RESIDENTIAL, m3('700'), m3('1')).parts.map((p) => p.tierIndex)).toEqual([2]);
  });

  it('rounds each part once, then sums', () => {
    // 0.01 m³ in each tier: 2.8 → 3 fen, 3.36 → 3 fen
    const b = priceByVolume(RESIDENTIAL, gas(29_999), gas(2));
    expect(b.parts.map((p) => p.amount)).toEqual([3, 3]);
    expect(b.amount).toBe(6);
  });

  it('prices a flat tariff as one part regardless of the year so far', () => {
    const b = priceByVolume(FLAT, m3('10000'), m3('12.5'));
    expect(b.parts).toEqual([{ tierIndex: 0, volume: m3('12.5'), price: parseUnitPrice('3.60'), amount: parseYuan('45.00') }]);
    expect(b.amount).toBe(parseYuan('45.00'));
  });

  it('has no parts for a zero volume', () => {
    const b = priceByVolume(RESIDENTIAL, m3('300'), gas(0));
    expect(b.parts).toEqual([]);
    expect(b.amount).toBe(0);
    expect(b.ytdAfter).toBe(m3('300'));
  });

  it('refuses negative volumes, negative year-to-date and totals beyond MAX_GAS', () => {
    expect(() => priceByVolume(RESIDENTIAL, gas(0), gas(-1))).toThrow(PricingError);
    expect(() => priceByVolume(RESIDENTIAL, gas(-1), gas(1))).toThrow(PricingError);
    expect(() => priceByVolume(RESIDENTIAL, gas(MAX_GAS), gas(1))).toThrow(PricingError);
  });

  it('refuses an invalid pricing', () => {
    expect(() => priceByVolume({ kind: 'tiered', tiers: [] }, gas(0), gas(1))).toThrow(PricingError);
  });
});

describe('volumeForAmount: worked examples', () => {
  it('buys exactly 20 m³ for ￥61.60 at 290 m³ year-to-date', () => {
    const b = volumeForAmount(RESIDENTIAL, m3('290'), parseYuan('61.60'));
    expect(b.volume).toBe(m3('20'));
    expect(b.amount).toBe(parseYuan('61.60'));
  });

  it('charges the exact price of the largest affordable volume, never more than tendered', () => {
    // ￥100 at 2.80: 35.71 m³ costs 99.988 → ￥99.99; 35.72 m³ costs ￥100.016 → ￥100.02.
    const b = volumeForAmount(RESIDENTIAL, gas(0), parseYuan('100'));
    expect(b.volume).toBe(m3('35.71'));
    expect(b.amount).toBe(parseYuan('99.99'));
  });

  it('buys nothing for less than the smallest price', () => {
    // 0.01 m³ at 2.80 costs 3 fen (2.8 rounded).
    expect(volumeForAmount(RESIDENTIAL, gas(0), fen(2)).volume).toBe(0);
    expect(volumeForAmount(RESIDENTIAL, gas(0), fen(3)).volume).toBe(1);
    expect(volumeForAmount(RESIDENTIAL, gas(0), fen(0)).parts).toEqual([]);
  });

  it('works for a flat tariff', () => {
    const b = volumeForAmount(FLAT, m3('5'), parseYuan('36'));
    expect(b.volume).toBe(m3('10'));
    expect(b.amount).toBe(parseYuan('36.00'));
  });

  it('caps at MAX_GAS when gas is free', () => {
    const free: Pricing = { kind: 'flat', price: parseUnitPrice('0') };
    const b = volumeForAmount(free, m3('100'), parseYuan('1'));
    expect(b.ytdAfter).toBe(MAX_GAS);
    expect(b.amount).toBe(0);
  });

  it('refuses negative amounts', () => {
    expect(() => volumeForAmount(RESIDENTIAL, gas(0), fen(-1))).toThrow(MoneyError);
  });

  it('answers the largest amount quickly', () => {
    const started = Date.now();
    const b = volumeForAmount(RESIDENTIAL, gas(0), parseYuan('100000000'));
    expect(b.amount).toBeLessThanOrEqual(parseYuan('100000000'));
    expect(Date.now() - started).toBeLessThan(250);
  });
});

// ---- properties ----

const price = fc.integer({ min: 0, max: 10_000 });
const tieredPricing: fc.Arbitrary<Pricing> = fc
  .tuple(fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 7 }), fc.array(price, { minLength: 8, maxLength: 8 }))
  .map(([steps, prices]) => {
    let bound = 0;
    const bounded = steps.map((step, i) => {
      bound += step;
      return { upTo: gas(bound), price: unitPrice(prices[i] ?? 0) };
    });
    return { kind: 'tiered', tiers: [...bounded, { upTo: null, price: unitPrice(prices[7] ?? 0) }] };
  });
const flatPricing: fc.Arbitrary<Pricing> = price.map((p) => ({ kind: 'flat', price: unitPrice(p) }));
const anyPricing = fc.oneof(tieredPricing, flatPricing);
const volume = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 1_000_000 }));
const ytd = fc.integer({ min: 0, max: 1_000_000 }).map(gas);

describe('pricing properties', () => {
  it('generated pricings are valid and pass the document schema', () => {
    fc.assert(
      fc.property(anyPricing, (p) => {
        expect(pricingProblems(p)).toEqual([]);
        expect(pricingSchema.safeParse(p).success).toBe(true);
      }),
    );
  });

  it('parts sum to the volume and the amount; each part is priceOf its volume; ytd adds up', () => {
    fc.assert(
      fc.property(anyPricing, ytd, volume, (p, y, v) => {
        const b = priceByVolume(p, y, gas(v));
        expect(sumVolume(b)).toBe(v);
        expect(sumAmount(b)).toBe(b.amount);
        expect(b.ytdAfter).toBe(y + v);
        for (const part of b.parts) {
          expect(part.volume).toBeGreaterThan(0);
          expect(part.amount).toBe(priceOf(part.volume, part.price));
        }
        const indexes = b.parts.map((part) => part.tierIndex);
        expect(indexes).toEqual([...indexes].sort((a, c) => a - c));
        expect(new Set(indexes).size).toBe(indexes.length);
        if (p.kind === 'flat') expect(b.parts.length).toBe(v === 0 ? 0 : 1);
      }),
      { numRuns: 300 },
    );
  });

  it('each part lies inside its tier', () => {
    fc.assert(
      fc.property(tieredPricing, ytd, volume, (p, y, v) => {
        if (p.kind !== 'tiered') return;
        let cursor: number = y;
        for (const part of priceByVolume(p, y, gas(v)).parts) {
          const tier = p.tiers[part.tierIndex];
          const from = part.tierIndex === 0 ? 0 : (p.tiers[part.tierIndex - 1]?.upTo ?? 0);
          expect(tier).toBeDefined();
          expect(part.price).toBe(tier?.price);
          expect(cursor).toBeGreaterThanOrEqual(from);
          cursor += part.volume;
          if (tier?.upTo != null) expect(cursor).toBeLessThanOrEqual(tier.upTo);
        }
        expect(cursor).toBe(y + v);
      }),
      { numRuns: 300 },
    );
  });

  it('price is monotone non-decreasing in volume', () => {
    fc.assert(
      fc.property(anyPricing, ytd, volume, volume, (p, y, a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        expect(priceByVolume(p, y, gas(small)).amount).toBeLessThanOrEqual(priceByVolume(p, y, gas(large)).amount);
        expect(priceByVolume(p, y, gas(small)).amount).toBeLessThanOrEqual(priceByVolume(p, y, gas(small + 1)).amount);
      }),
      { numRuns: 300 },
    );
  });

  it('splitting a purchase keeps the tier assignment; amounts differ by rounding only (±1 fen per tier)', () => {
    fc.assert(
      fc.property(anyPricing, ytd, volume, volume, (p, y, a, b) => {
        const first = priceByVolume(p, y, gas(a));
        const second = priceByVolume(p, first.ytdAfter, gas(b));
        const whole = priceByVolume(p, y, gas(a + b));
        expect(second.ytdAfter).toBe(whole.ytdAfter);

        const volumes = new Map<number, number>();
        const amounts = new Map<number, number>();
        for (const part of [...first.parts, ...second.parts]) {
          volumes.set(part.tierIndex, (volumes.get(part.tierIndex) ?? 0) + part.volume);
          amounts.set(part.tierIndex, (amounts.get(part.tierIndex) ?? 0) + part.amount);
        }
        expect(new Map(whole.parts.map((part) => [part.tierIndex, part.volume]))).toEqual(volumes);
        for (const part of whole.parts) {
          expect(Math.abs((amounts.get(part.tierIndex) ?? 0) - part.amount)).toBeLessThanOrEqual(1);
        }
        expect(Math.abs(first.amount + second.amount - whole.amount)).toBeLessThanOrEqual(whole.parts.length);
      }),
      { numRuns: 300 },
    );
  });

  it('volumeForAmount finds the largest volume whose price does not exceed the amount', () => {
    const amount = fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 10_000_000 }));
    fc.assert(
      fc.property(anyPricing, ytd, amount, (p, y, a) => {
        const b = volumeForAmount(p, y, fen(a));
        expect(b.amount).toBeLessThanOrEqual(a);
        expect(b).toEqual(priceByVolume(p, y, b.volume));
        if (b.ytdAfter < MAX_GAS) {
          expect(priceByVolume(p, y, gas(b.volume + 1)).amount).toBeGreaterThan(a);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('volumeForAmount of an exact price buys at least that volume', () => {
    fc.assert(
      fc.property(anyPricing, ytd, volume, (p, y, v) => {
        const priced = priceByVolume(p, y, gas(v));
        const bought = volumeForAmount(p, y, priced.amount);
        expect(bought.volume).toBeGreaterThanOrEqual(v);
        expect(bought.amount).toBe(priced.amount);
      }),
      { numRuns: 300 },
    );
  });
});
