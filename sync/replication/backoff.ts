/**
 * How long to wait before the next attempt after `failures` consecutive failed rounds: the
 * delay doubles from `initialMs` up to `maxMs`, and a random part spreads the retries of many
 * stations that lost central at the same moment (a central restart) so they do not all come
 * back in the same second. "Equal jitter": half the delay is fixed, half random, so the delay
 * still grows with every failure (full jitter can draw 0 ms and hammer central).
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000 };

/** `failures` ≥ 1; `random` in [0, 1). No failures: no wait. */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  // 2^30 already exceeds any sensible maxMs; capping the exponent keeps the number finite.
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(failures - 1, 30));
  const half = ceiling / 2;
  return Math.round(half + half * Math.min(Math.max(random(), 0), 1));
}
