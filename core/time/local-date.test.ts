import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_TIME_ZONE,
  addDays,
  daysBetween,
  fixedClock,
  isLocalDate,
  localDateOf,
  localDateTimeOf,
  manualClock,
  systemClock,
} from './local-date.js';

describe('clocks', () => {
  it('systemClock tells the real time', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('fixedClock always gives the same instant, as a fresh Date', () => {
    const clock = fixedClock('2026-01-01T16:30:00Z');
    const a = clock.now();
    a.setTime(0);
    expect(clock.now().toISOString()).toBe('2026-01-01T16:30:00.000Z');
  });

  it('fixedClock accepts offsets and refuses zone-less or malformed instants', () => {
    expect(fixedClock('2026-01-02T00:30:00+08:00').now().toISOString()).toBe('2026-01-01T16:30:00.000Z');
    expect(() => fixedClock('2026-01-01T16:30:00')).toThrow(RangeError);
    expect(() => fixedClock('2026-01-01')).toThrow(RangeError);
    expect(() => fixedClock('yesterday')).toThrow(RangeError);
    expect(() => fixedClock('2026-13-01T00:00:00Z')).toThrow(RangeError);
  });

  it('manualClock advances and can be set', () => {
    const clock = manualClock('2026-03-01T00:00:00Z');
    clock.advance(90_000);
    expect(clock.now().toISOString()).toBe('2026-03-01T00:01:30.000Z');
    clock.set('2026-03-05T12:00:00.250Z');
    expect(clock.now().toISOString()).toBe('2026-03-05T12:00:00.250Z');
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.set('soon')).toThrow(RangeError);
  });
});

describe('localDateOf / localDateTimeOf', () => {
  it('uses Asia/Shanghai by default', () => {
    expect(DEFAULT_TIME_ZONE).toBe('Asia/Shanghai');
    // 16:30 UTC is already half past midnight of the next day in Shanghai (UTC+8).
    const instant = new Date('2026-01-01T16:30:00Z');
    expect(localDateOf(instant)).toBe('2026-01-02');
    expect(localDateOf(instant, 'UTC')).toBe('2026-01-01');
    expect(localDateTimeOf(instant)).toBe('2026-01-02 00:30:00');
    expect(localDateTimeOf(instant, 'UTC')).toBe('2026-01-01 16:30:00');
  });

  it('handles the last second before local midnight and local midnight itself', () => {
    expect(localDateTimeOf(new Date('2025-12-31T15:59:59Z'))).toBe('2025-12-31 23:59:59');
    expect(localDateTimeOf(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01 00:00:00');
    expect(localDateOf(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
  });

  it('UTC midnight is 08:00 the same day in Shanghai', () => {
    expect(localDateTimeOf(new Date('2026-06-15T00:00:00Z'))).toBe('2026-06-15 08:00:00');
  });

  it('works for other zones, including ones west of UTC', () => {
    expect(localDateTimeOf(new Date('2026-01-01T03:00:00Z'), 'America/New_York')).toBe('2025-12-31 22:00:00');
    expect(localDateOf(new Date('2026-02-28T20:00:00Z'), 'Asia/Urumqi')).toBe('2026-03-01');
  });

  it('refuses invalid dates and unknown zones', () => {
    expect(() => localDateOf(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => localDateOf(new Date(0), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('agrees with fixed +8 arithmetic for any instant (China has no DST since 1991)', () => {
    const from = Date.UTC(1992, 0, 1);
    const to = Date.UTC(2099, 11, 31);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (ms) => {
        const shifted = new Date(ms + 8 * 3_600_000).toISOString();
        const expected = `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}`;
        expect(localDateTimeOf(new Date(ms))).toBe(expected);
        expect(localDateOf(new Date(ms))).toBe(expected.slice(0, 10));
      }),
      { numRuns: 300 },
    );
  });
});

describe('calendar dates', () => {
  it('isLocalDate accepts real dates only', () => {
    expect(isLocalDate('2026-01-02')).toBe(true);
    expect(isLocalDate('2024-02-29')).toBe(true);
    expect(isLocalDate('2025-02-29')).toBe(false);
    expect(isLocalDate('2026-02-30')).toBe(false);
    expect(isLocalDate('2026-04-31')).toBe(false);
    expect(isLocalDate('2026-13-01')).toBe(false);
    expect(isLocalDate('2026-00-10')).toBe(false);
    expect(isLocalDate('2026-1-2')).toBe(false);
    expect(isLocalDate('2026-01-02T00:00:00Z')).toBe(false);
    expect(isLocalDate('')).toBe(false);
    expect(isLocalDate('0050-06-01')).toBe(true);
  });

  it('daysBetween counts calendar days and can be negative', () => {
    expect(daysBetween('2026-01-01', '2026-01-01')).toBe(0);
    expect(daysBetween('2026-01-01', '2026-01-02')).toBe(1);
    expect(daysBetween('2026-01-02', '2026-01-01')).toBe(-1);
    expect(daysBetween('2025-12-31', '2026-01-01')).toBe(1);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2025-02-28', '2025-03-01')).toBe(1);
    expect(daysBetween('2025-01-01', '2026-01-01')).toBe(365);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(() => daysBetween('2026-02-30', '2026-03-01')).toThrow(RangeError);
  });

  it('addDays crosses months, leap days and years', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2026-01-01', 0)).toBe('2026-01-01');
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
    expect(() => addDays('2026-01-01', 0.5)).toThrow(RangeError);
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
    expect(() => addDays('not a date', 1)).toThrow(RangeError);
  });

  it('addDays and daysBetween are inverses', () => {
    const date = fc
      .integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) })
      .map((ms) => new Date(ms).toISOString().slice(0, 10));
    fc.assert(
      fc.property(date, fc.integer({ min: -40_000, max: 40_000 }), (d, n) => {
        const later = addDays(d, n);
        expect(isLocalDate(later)).toBe(true);
        expect(daysBetween(d, later)).toBe(n);
        expect(addDays(later, -n)).toBe(d);
      }),
      { numRuns: 300 },
    );
  });
});
