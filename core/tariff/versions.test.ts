import { describe, expect, it } from 'vitest';
import { gas, parseUnitPrice } from '../money/money.js';
import { docId, tariffVersionDocSchema } from '../schema/documents.js';
import type { TariffVersionDoc } from '../schema/documents.js';
import { priceByVolume, pricingProblems } from './pricing.js';
import { illustrativeTariffs, tariffInForce, tariffVersionId } from './versions.js';

function version(tariffCode: string, v: number, effectiveFrom: string): TariffVersionDoc {
  return {
    _id: docId.tariff(tariffCode, v),
    type: 'tariff-version',
    schemaVersion: 1,
    tariffCode,
    versionId: tariffVersionId(tariffCode, v),
    version: v,
    name: tariffCode,
    customerType: 'residential',
    effectiveFrom,
    pricing: { kind: 'flat', price: parseUnitPrice('3') },
  };
}

describe('tariffInForce', () => {
  const tariffs = illustrativeTariffs();

  it('picks the version whose effective date has most recently passed', () => {
    expect(tariffInForce(tariffs, 'RES-GAS', '2024-01-01')?.versionId).toBe('RES-GAS@1');
    expect(tariffInForce(tariffs, 'RES-GAS', '2025-06-30')?.versionId).toBe('RES-GAS@1');
    expect(tariffInForce(tariffs, 'RES-GAS', '2025-07-01')?.versionId).toBe('RES-GAS@2');
    expect(tariffInForce(tariffs, 'RES-GAS', '2026-03-15')?.versionId).toBe('RES-GAS@2');
    expect(tariffInForce(tariffs, 'COM-GAS', '2026-03-15')?.versionId).toBe('COM-GAS@1');
  });

  it('is null before the first version and for an unknown code', () => {
    expect(tariffInForce(tariffs, 'RES-GAS', '2023-12-31')).toBeNull();
    expect(tariffInForce(tariffs, 'HEAT', '2026-01-01')).toBeNull();
    expect(tariffInForce([], 'RES-GAS', '2026-01-01')).toBeNull();
  });

  it('does not depend on the order of the list', () => {
    const reversed = [...tariffs].reverse();
    expect(tariffInForce(reversed, 'RES-GAS', '2025-06-30')?.versionId).toBe('RES-GAS@1');
    expect(tariffInForce(reversed, 'RES-GAS', '2025-07-01')?.versionId).toBe('RES-GAS@2');
  });

  it('breaks a tie on the same effective date by the higher version', () => {
    const list = [version('X', 3, '2026-01-01'), version('X', 4, '2026-01-01'), version('X', 2, '2026-01-01'), version('X', 5, '2026-02-01')];
    expect(tariffInForce(list, 'X', '2026-01-15')?.version).toBe(4);
    expect(tariffInForce([...list].reverse(), 'X', '2026-01-15')?.version).toBe(4);
  });

  it('lets a later effective date win over a higher version number', () => {
    // A version published late but effective earlier must not shadow the newer price list.
    const list = [version('X', 2, '2025-01-01'), version('X', 1, '2025-06-01')];
    expect(tariffInForce(list, 'X', '2025-07-01')?.version).toBe(1);
    expect(tariffInForce(list, 'X', '2025-03-01')?.version).toBe(2);
  });

  it('refuses a malformed date', () => {
    expect(() => tariffInForce(tariffs, 'RES-GAS', '2026-1-5')).toThrow(RangeError);
    expect(() => tariffInForce(tariffs, 'RES-GAS', '2026-02-30')).toThrow(RangeError);
  });
});

describe('illustrativeTariffs', () => {
  const tariffs = illustrativeTariffs();

  it('are valid documents with ids from docId.tariff', () => {
    expect(tariffs).toHaveLength(3);
    for (const t of tariffs) {
      expect(tariffVersionDocSchema.parse(t)).toEqual(t);
      expect(t._id).toBe(docId.tariff(t.tariffCode, t.version));
      expect(t.versionId).toBe(`${t.tariffCode}@${t.version}`);
      expect(t.type).toBe('tariff-version');
      expect(t.schemaVersion).toBe(1);
      expect(pricingProblems(t.pricing)).toEqual([]);
    }
    expect(new Set(tariffs.map((t) => t._id)).size).toBe(3);
  });

  it('price residential gas in three tiers at 1 : 1.2 : 1.5', () => {
    for (const t of tariffs.filter((x) => x.tariffCode === 'RES-GAS')) {
      expect(t.customerType).toBe('residential');
      expect(t.name).toBe('居民管道天然气');
      if (t.pricing.kind !== 'tiered') throw new Error('expected tiered');
      const [p1, p2, p3] = t.pricing.tiers.map((tier) => tier.price);
      expect(t.pricing.tiers.map((tier) => tier.upTo)).toEqual([30_000, 60_000, null]);
      expect(p2 !== undefined && p1 !== undefined && p2 * 10 === p1 * 12).toBe(true);
      expect(p3 !== undefined && p1 !== undefined && p3 * 10 === p1 * 15).toBe(true);
    }
  });

  it('carry the prices domain.md gives', () => {
    const v2 = tariffs.find((t) => t.versionId === 'RES-GAS@2');
    expect(v2?.effectiveFrom).toBe('2025-07-01');
    expect(v2?.pricing).toEqual({
      kind: 'tiered',
      tiers: [
        { upTo: 30_000, price: 2800 },
        { upTo: 60_000, price: 3360 },
        { upTo: null, price: 4200 },
      ],
    });
    const v1 = tariffs.find((t) => t.versionId === 'RES-GAS@1');
    expect(v1?.effectiveFrom).toBe('2024-01-01');
    expect(v1?.pricing.kind === 'tiered' ? v1.pricing.tiers.map((tier) => tier.price) : null).toEqual([2600, 3120, 3900]);
    const com = tariffs.find((t) => t.versionId === 'COM-GAS@1');
    expect(com?.customerType).toBe('commercial');
    expect(com?.name).toBe('非居民天然气');
    expect(com?.pricing).toEqual({ kind: 'flat', price: 3600 });
    if (v2) expect(priceByVolume(v2.pricing, gas(29_000), gas(2_000)).amount).toBe(6160);
  });

  it('returns fresh documents each call', () => {
    const a = illustrativeTariffs();
    a.pop();
    expect(illustrativeTariffs()).toHaveLength(3);
  });
});
