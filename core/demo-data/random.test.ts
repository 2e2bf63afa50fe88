import { describe, expect, it } from 'vitest';
import { dayNumber, formatDay, formatPeriod, monthIndexOfDay, dayOfMonth } from './calendar.js';
import { createRandom, hashString, WeightedTable } from './random.js';

describe('createRandom', () => {
  it('repeats for a seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const random = createRandom(seed);
      return Array.from({ length: 20 }, () => random.uint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('keeps floats in [0, 1) and integers within bounds, hitting both ends', () => {
    const random = createRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i += 1) {
      const f = random.next();
      expect(f >= 0 && f < 1).toBe(true);
      const n = random.int(-2, 2);
      expect(Number.isInteger(n) && n >= -2 && n <= 2).toBe(true);
      seen.add(n);
    }
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2]);
  });

  it('picks from a list and refuses an empty one', () => {
    const random = createRandom(4);
    expect(['a', 'b', 'c']).toContain(random.pick(['a', 'b', 'c']));
    expect(() => random.pick([])).toThrow();
  });
});

describe('WeightedTable', () => {
  it('draws in proportion to the weights', () => {
    const table = new WeightedTable([
      ['a', 70],
      ['b', 20],
      ['c', 10],
      ['never', 0],
    ]);
    const random = createRandom(5);
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i += 1) {
      const item = table.pick(random);
      counts.set(item, (counts.get(item) ?? 0) + 1);
    }
    expect((counts.get('a') ?? 0) / 20_000).toBeCloseTo(0.7, 1);
    expect((counts.get('c') ?? 0) / 20_000).toBeCloseTo(0.1, 1);
    expect(counts.has('never')).toBe(false);
  });

  it('refuses an empty or all-zero table', () => {
    expect(() => new WeightedTable([])).toThrow();
    expect(() => new WeightedTable([['a', 0]])).toThrow();
  });
});

describe('hashString and calendar helpers', () => {
  it('hashes stably', () => {
    expect(hashString('1100100001')).toBe(hashString('1100100001'));
    expect(hashString('1100100001')).not.toBe(hashString('1100100002'));
  });

  it('converts dates and periods both ways', () => {
    expect(formatDay(dayNumber('2024-02-29'))).toBe('2024-02-29');
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(() => dayNumber('2023-02-29')).toThrow();
    const month = monthIndexOfDay(dayNumber('2024-12-31'));
    expect(formatPeriod(month)).toBe('2024-12');
    expect(formatDay(dayOfMonth(month + 1, 20))).toBe('2025-01-20');
  });
});
