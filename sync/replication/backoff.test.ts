import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';

describe('backoffDelay', () => {
  it('is zero before any failure', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0.5)).toBe(0);
  });

  it('doubles from 1 s to the 60 s ceiling', () => {
    const top = (failures: number) => backoffDelay(failures, DEFAULT_BACKOFF, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map(top)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  it('keeps half the delay fixed and draws the other half', () => {
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(2000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5)).toBe(3000);
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay(4, DEFAULT_BACKOFF);
      expect(delay).toBeGreaterThanOrEqual(4000);
      expect(delay).toBeLessThanOrEqual(8000);
    }
  });

  it('never grows smaller with more failures, whatever the draw', () => {
    for (let failures = 1; failures < 12; failures += 1) {
      expect(backoffDelay(failures + 1, DEFAULT_BACKOFF, () => 0)).toBeGreaterThanOrEqual(backoffDelay(failures, DEFAULT_BACKOFF, () => 0));
    }
  });
});
