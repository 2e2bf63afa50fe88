import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ACCOUNT_BLOCK_SIZE,
  ACCOUNT_NUMBERS_START,
  higherInGrants,
  needsRefill,
  nextAccountBlock,
  nextGrantNo,
  nextReceiptBlock,
  openingNumberAllowed,
  RECEIPT_BLOCK_SIZE,
  remainingInGrants,
} from './ranges.js';

describe('number ranges', () => {
  it('a station with no grant needs one of each kind', () => {
    expect(needsRefill('receipt', [], null)).toBe(true);
    expect(needsRefill('account', [], null)).toBe(true);
  });

  it('counts what is left above the highest number used inside the grants', () => {
    const grants = [
      { grantNo: 1, from: 1, to: 5000 },
      { grantNo: 2, from: 5001, to: 10000 },
    ];
    expect(remainingInGrants(grants, null)).toBe(10000);
    expect(remainingInGrants(grants, 4999)).toBe(5001);
    expect(remainingInGrants(grants, 10000)).toBe(0);
  });

  it('refills below 40% of a block', () => {
    const grants = [{ grantNo: 1, from: 1, to: RECEIPT_BLOCK_SIZE }];
    expect(needsRefill('receipt', grants, 3000)).toBe(false); // 2000 left: exactly 40%
    expect(needsRefill('receipt', grants, 3001)).toBe(true);
    const accounts = [{ grantNo: 1, from: ACCOUNT_NUMBERS_START, to: ACCOUNT_NUMBERS_START + ACCOUNT_BLOCK_SIZE - 1 }];
    expect(needsRefill('account', accounts, ACCOUNT_NUMBERS_START + 299)).toBe(false);
    expect(needsRefill('account', accounts, ACCOUNT_NUMBERS_START + 300)).toBe(true);
  });

  it('the first receipt grant starts at 1, or after the numbers the station already used', () => {
    expect(nextReceiptBlock([], null)).toEqual({ from: 1, to: 5000 });
    expect(nextReceiptBlock([], 1234)).toEqual({ from: 1235, to: 6234 });
    expect(nextReceiptBlock([{ grantNo: 1, from: 1235, to: 6234 }], 3000)).toEqual({ from: 6235, to: 11234 });
    // Numbers used above the grants (a misconfigured station) are never handed out.
    expect(nextReceiptBlock([{ grantNo: 1, from: 1, to: 5000 }], 7000)).toEqual({ from: 7001, to: 12000 });
  });

  it('account blocks come from the allocator, never below the start', () => {
    expect(nextAccountBlock(0)).toEqual({ from: ACCOUNT_NUMBERS_START, to: ACCOUNT_NUMBERS_START + 499, next: ACCOUNT_NUMBERS_START + 500 });
    expect(nextAccountBlock(ACCOUNT_NUMBERS_START + 500).from).toBe(ACCOUNT_NUMBERS_START + 500);
  });

  it('grant numbers follow the highest grant', () => {
    expect(nextGrantNo([])).toBe(1);
    expect(nextGrantNo([{ grantNo: 2, from: 1, to: 2 }, { grantNo: 1, from: 3, to: 4 }])).toBe(3);
  });

  it('usage outside the grants (a configured legacy range) does not use a grant up', () => {
    const grants = [{ grantNo: 1, from: 100, to: 199 }];
    expect(higherInGrants(null, 50, grants)).toBeNull();
    expect(higherInGrants(null, 150, grants)).toBe(150);
    expect(higherInGrants(160, 150, grants)).toBe(160);
  });

  it('an opening must use a granted number once the station had a grant', () => {
    const grants = [{ grantNo: 1, from: 100, to: 199, at: '2026-01-02T00:00:00.000Z' }];
    expect(openingNumberAllowed(150, '2026-01-03T00:00:00.000Z', grants)).toBe(true);
    expect(openingNumberAllowed(50, '2026-01-01T00:00:00.000Z', grants)).toBe(true);
    expect(openingNumberAllowed(50, '2026-01-03T00:00:00.000Z', grants)).toBe(false);
    expect(openingNumberAllowed(50, '2026-01-03T00:00:00.000Z', [])).toBe(true);
  });

  it('successive receipt grants never overlap, whatever the usage seen between them', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20000 }), { minLength: 1, maxLength: 12 }), (usages) => {
        const grants: { grantNo: number; from: number; to: number }[] = [];
        let highest: number | null = null;
        for (const used of usages) {
          highest = highest === null ? used : Math.max(highest, used);
          const block = nextReceiptBlock(grants, highest);
          for (const g of grants) expect(block.from > g.to || block.to < g.from).toBe(true);
          expect(block.from).toBeGreaterThan(highest);
          grants.push({ grantNo: nextGrantNo(grants), ...block });
        }
      }),
    );
  });
});
