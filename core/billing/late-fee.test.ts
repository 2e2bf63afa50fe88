import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MoneyError, fen, parseYuan } from '../money/money.js';
import { addDays } from '../time/local-date.js';
import { DEFAULT_LATE_FEE_POLICY, lateFee, lateFeePolicySchema, overdueDays } from './late-fee.js';
import type { LateFeePolicy } from './late-fee.js';

describe('overdueDays', () => {
  it('is zero on or before the due date', () => {
    expect(overdueDays('2026-01-10', '2026-01-10', 0)).toBe(0);
    expect(overdueDays('2026-01-10', '2026-01-01', 0)).toBe(0);
    expect(overdueDays('2026-01-10', '2025-12-01', 3)).toBe(0);
  });

  it('counts calendar days after the due date', () => {
    expect(overdueDays('2026-01-10', '2026-01-11', 0)).toBe(1);
    expect(overdueDays('2026-01-31', '2026-03-01', 0)).toBe(29);
    expect(overdueDays('2025-12-31', '2026-01-01', 0)).toBe(1);
  });

  it('runs grace days from the due date', () => {
    expect(overdueDays('2026-01-10', '2026-01-15', 5)).toBe(0);
    expect(overdueDays('2026-01-10', '2026-01-16', 5)).toBe(1);
    expect(overdueDays('2026-01-10', '2026-01-20', 5)).toBe(5);
  });

  it('refuses bad input', () => {
    expect(() => overdueDays('2026-01-10', '2026-01-20', -1)).toThrow(RangeError);
    expect(() => overdueDays('2026-01-10', '2026-01-20', 1.5)).toThrow(RangeError);
    expect(() => overdueDays('2026-02-30', '2026-03-20', 0)).toThrow(RangeError);
  });
});

describe('lateFee', () => {
  const policy = DEFAULT_LATE_FEE_POLICY;

  it('has an illustrative default of 0.1 % a day, no grace, capped', () => {
    expect(DEFAULT_LATE_FEE_POLICY).toEqual({ ratePerDayPpm: 1000, graceDays: 0, capAtPrincipal: true });
    expect(lateFeePolicySchema.parse(DEFAULT_LATE_FEE_POLICY)).toEqual(DEFAULT_LATE_FEE_POLICY);
  });

  it('charges nothing when paid on the due date', () => {
    expect(lateFee(parseYuan('100'), '2026-01-10', '2026-01-10', policy)).toEqual({ overdueDays: 0, fee: 0 });
  });

  it('charges rate × days × amount', () => {
    // ￥100.00 ten days late at 0.1 %/day = ￥1.00
    expect(lateFee(parseYuan('100'), '2026-01-10', '2026-01-20', policy)).toEqual({ overdueDays: 10, fee: parseYuan('1.00') });
  });

  it('rounds the whole fee once, half away from zero', () => {
    // 123.45 × 0.1 % × 3 = 0.37035 yuan → 37 fen
    expect(lateFee(fen(12_345), '2026-01-10', '2026-01-13', policy).fee).toBe(37);
    // 123.45 × 0.1 % × 5 = 0.61725 yuan → 62 fen
    expect(lateFee(fen(12_345), '2026-01-10', '2026-01-15', policy).fee).toBe(62);
    // 5.00 × 0.1 % × 1 = 0.5 fen → 1 fen
    expect(lateFee(fen(500), '2026-01-10', '2026-01-11', policy).fee).toBe(1);
    // 4.99 × 0.1 % × 1 = 0.499 fen → 0
    expect(lateFee(fen(499), '2026-01-10', '2026-01-11', policy).fee).toBe(0);
  });

  it('honours grace days', () => {
    const graced: LateFeePolicy = { ...policy, graceDays: 5 };
    expect(lateFee(parseYuan('100'), '2026-01-10', '2026-01-15', graced)).toEqual({ overdueDays: 0, fee: 0 });
    expect(lateFee(parseYuan('100'), '2026-01-10', '2026-01-17', graced)).toEqual({ overdueDays: 2, fee: 20 });
  });

  it('caps at the principal when asked, and not otherwise', () => {
    // 1000 ppm × 1000 days = 100 %
    const due = '2020-01-01';
    const later = addDays(due, 1500);
    expect(lateFee(parseYuan('80'), due, later, policy)).toEqual({ overdueDays: 1500, fee: parseYuan('80') });
    expect(lateFee(parseYuan('80'), due, addDays(due, 999), policy).fee).toBe(parseYuan('79.92'));
    expect(lateFee(parseYuan('80'), due, addDays(due, 1000), policy).fee).toBe(parseYuan('80'));
    const uncapped: LateFeePolicy = { ...policy, capAtPrincipal: false };
    expect(lateFee(parseYuan('80'), due, later, uncapped).fee).toBe(parseYuan('120'));
  });

  it('does not overflow on a bill forgotten for decades when capped', () => {
    expect(lateFee(parseYuan('100000000'), '1990-01-01', '2026-01-01', policy).fee).toBe(parseYuan('100000000'));
  });

  it('charges nothing at a zero rate or on a zero bill', () => {
    expect(lateFee(parseYuan('100'), '2026-01-10', '2026-03-10', { ...policy, ratePerDayPpm: 0 }).fee).toBe(0);
    expect(lateFee(fen(0), '2026-01-10', '2026-03-10', policy)).toEqual({ overdueDays: 59, fee: 0 });
  });

  it('refuses negative amounts and invalid policies', () => {
    expect(() => lateFee(fen(-100), '2026-01-10', '2026-01-20', policy)).toThrow(MoneyError);
    expect(() => lateFee(fen(100), '2026-01-10', '2026-01-20', { ...policy, ratePerDayPpm: 0.5 })).toThrow(RangeError);
    expect(() => lateFee(fen(100), '2026-01-10', '2026-01-20', { ...policy, ratePerDayPpm: -1 })).toThrow(RangeError);
    expect(() => lateFee(fen(100), '2026-01-10', '2026-01-20', { ...policy, graceDays: -1 })).toThrow(RangeError);
  });

  it('the schema refuses rates above 100 % a day and fractional days', () => {
    expect(lateFeePolicySchema.safeParse({ ratePerDayPpm: 1_000_001, graceDays: 0, capAtPrincipal: true }).success).toBe(false);
    expect(lateFeePolicySchema.safeParse({ ratePerDayPpm: 500, graceDays: 1.5, capAtPrincipal: true }).success).toBe(false);
    expect(lateFeePolicySchema.safeParse({ ratePerDayPpm: 500, graceDays: 3, capAtPrincipal: false }).success).toBe(true);
  });

  it('is non-decreasing in days, never negative, and capped when the policy says so', () => {
    const arbPolicy = fc.record({
      ratePerDayPpm: fc.integer({ min: 0, max: 20_000 }),
      graceDays: fc.integer({ min: 0, max: 30 }),
      capAtPrincipal: fc.boolean(),
    });
    fc.assert(
      fc.property(arbPolicy, fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: -30, max: 3_000 }), fc.nat(50), (p, amount, days, more) => {
        const due = '2026-01-10';
        const a = lateFee(fen(amount), due, addDays(due, days), p);
        const b = lateFee(fen(amount), due, addDays(due, days + more), p);
        expect(a.fee).toBeGreaterThanOrEqual(0);
        expect(b.fee).toBeGreaterThanOrEqual(a.fee);
        expect(a.overdueDays).toBe(Math.max(0, days - p.graceDays));
        if (p.capAtPrincipal) expect(b.fee).toBeLessThanOrEqual(amount);
        if (a.overdueDays === 0) expect(a.fee).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
