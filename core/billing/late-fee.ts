/**
 * Late fee 违约金 on an unpaid bill: a rate per overdue day on the bill amount.
 *
 * The rate is a station setting, not a law of nature: utilities set their own (commonly a few
 * tenths of a percent per day) and many cap the fee at the principal. The fee is computed from
 * the overdue days in one step and rounded once, so it never drifts from accumulating daily
 * roundings.
 */
import { z } from 'zod';
import { MoneyError, divRoundHalfUp, fen, safeMul } from '../money/money.js';
import type { Fen } from '../money/money.js';
import { daysBetween } from '../time/local-date.js';

export interface LateFeePolicy {
  /** Parts per million of the bill amount charged per overdue day (1000 = 0.1 % a day). */
  readonly ratePerDayPpm: number;
  /** Days after the due date before the fee starts; those days are never charged. */
  readonly graceDays: number;
  /** The fee never exceeds the bill amount. */
  readonly capAtPrincipal: boolean;
}

const PPM = 1_000_000;

export const lateFeePolicySchema = z.object({
  // Up to 100 % a day: anything larger is a typing error, not a policy.
  ratePerDayPpm: z.number().int().min(0).max(PPM),
  graceDays: z.number().int().min(0).max(366),
  capAtPrincipal: z.boolean(),
}) satisfies z.ZodType<LateFeePolicy>;

export const DEFAULT_LATE_FEE_POLICY: LateFeePolicy = {
  ratePerDayPpm: 1000 /* 0.1 %/day, illustrative; configurable per station */,
  graceDays: 0,
  capAtPrincipal: true,
};

/**
 * Days the bill is late on `today`. Paying on the due date is on time; grace days run from the
 * due date, so with 5 grace days a bill due on the 10th is 1 day late on the 16th.
 */
export function overdueDays(dueDate: string, today: string, graceDays: number): number {
  if (!Number.isSafeInteger(graceDays) || graceDays < 0) throw new RangeError(`grace days must be a non-negative integer, got ${graceDays}`);
  return Math.max(0, daysBetween(dueDate, today) - graceDays);
}

/** The late fee on `amount` as of `today`, with the days it was charged for. */
export function lateFee(amount: Fen, dueDate: string, today: string, policy: LateFeePolicy): { overdueDays: number; fee: Fen } {
  const parsed = lateFeePolicySchema.safeParse(policy);
  if (!parsed.success) throw new RangeError(`invalid late fee policy: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  if (!Number.isSafeInteger(amount) || amount < 0) throw new MoneyError(`a bill amount must be a non-negative integer of fen, got ${amount}`);
  const days = overdueDays(dueDate, today, policy.graceDays);
  const ppmDays = safeMul(policy.ratePerDayPpm, days);
  // Past 100 % the capped fee is the principal whatever the product; deciding that first also
  // keeps a bill forgotten for decades from overflowing the product.
  if (policy.capAtPrincipal && ppmDays >= PPM) return { overdueDays: days, fee: amount };
  // Below 100 % the rounded fee cannot exceed the principal, so no second cap is needed.
  return { overdueDays: days, fee: fen(divRoundHalfUp(safeMul(amount, ppmDays), PPM)) };
}
