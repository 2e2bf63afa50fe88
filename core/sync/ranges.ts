/**
 * Number ranges central hands to stations: receipt numbers (per station, each station prints its
 * own prefix) and account numbers (unique across the utility, from one allocator on central).
 * The decisions are here, pure; the central service (sync/service/grants.ts) does the writes.
 *
 * A number is never handed out twice: receipt blocks start after everything the station was
 * granted or was seen using; account blocks come from `allocator:account`, which is written
 * (with its revision, so two writers cannot both win) before the grant it pays for.
 */

export type RangeKind = 'account' | 'receipt';

export const RECEIPT_BLOCK_SIZE = 5000;
export const ACCOUNT_BLOCK_SIZE = 500;
/** The first account number central allocates: above the legacy numbers brought in from the old system. */
export const ACCOUNT_NUMBERS_START = 3_500_000_000;
/** A station is refilled when what is left of its grants falls below this share of one block. */
export const REFILL_FRACTION = 0.4;

export interface GrantedRange {
  readonly grantNo: number;
  /** Both ends included. */
  readonly from: number;
  readonly to: number;
}

export function blockSize(kind: RangeKind): number {
  switch (kind) {
    case 'account':
      return ACCOUNT_BLOCK_SIZE;
    case 'receipt':
      return RECEIPT_BLOCK_SIZE;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

export function isInGrants(grants: readonly GrantedRange[], n: number): boolean {
  return grants.some((g) => n >= g.from && n <= g.to);
}

/**
 * Numbers the station still holds: those of its grants above the highest number it was seen
 * using inside a grant. The station takes its grants in grantNo order, and each later grant lies
 * above the earlier ones, so everything at or below that highest number is used (or skipped).
 */
export function remainingInGrants(grants: readonly GrantedRange[], highestUsedInGrants: number | null): number {
  let remaining = 0;
  for (const g of grants) {
    const lowest = highestUsedInGrants === null ? g.from : Math.max(g.from, highestUsedInGrants + 1);
    if (g.to >= lowest) remaining += g.to - lowest + 1;
  }
  return remaining;
}

export function needsRefill(kind: RangeKind, grants: readonly GrantedRange[], highestUsedInGrants: number | null): boolean {
  if (grants.length === 0) return true;
  return remainingInGrants(grants, highestUsedInGrants) < REFILL_FRACTION * blockSize(kind);
}

/** The grant number the next grant gets: one more than the highest so far, so a retry after a crash makes the same id. */
export function nextGrantNo(grants: readonly GrantedRange[]): number {
  let highest = 0;
  for (const g of grants) highest = Math.max(highest, g.grantNo);
  return highest + 1;
}

/**
 * The next receipt block of a station: after its last grant and after the highest receipt number
 * it was seen using (a station that printed receipts from its configured range before central
 * granted it anything continues above them). Receipt numbers start at 1.
 */
export function nextReceiptBlock(grants: readonly GrantedRange[], highestSeen: number | null): { from: number; to: number } {
  let floor = 0;
  for (const g of grants) floor = Math.max(floor, g.to);
  if (highestSeen !== null) floor = Math.max(floor, highestSeen);
  return { from: floor + 1, to: floor + RECEIPT_BLOCK_SIZE };
}

/** The block the account allocator hands out next, and the allocator's next value after it. */
export function nextAccountBlock(allocatorNext: number): { from: number; to: number; next: number } {
  const from = Math.max(allocatorNext, ACCOUNT_NUMBERS_START);
  const to = from + ACCOUNT_BLOCK_SIZE - 1;
  return { from, to, next: to + 1 };
}

/** The highest number used so far, counting a newly seen one. */
export function higher(previous: number | null, seen: number): number {
  return previous === null ? seen : Math.max(previous, seen);
}

/** Like `higher`, but only numbers inside the station's grants count (legacy config ranges do not use up a grant). */
export function higherInGrants(previous: number | null, seen: number, grants: readonly GrantedRange[]): number | null {
  return isInGrants(grants, seen) ? higher(previous, seen) : previous;
}

/**
 * Whether a station may have opened an account under this number: it lies in one of the
 * station's account grants, or the station had been granted nothing when it opened the account
 * (it was still using the range from its configuration). An opening made after a grant existed
 * must use granted numbers.
 */
export function openingNumberAllowed(accountNo: number, openedAt: string, grants: readonly (GrantedRange & { readonly at: string })[]): boolean {
  if (isInGrants(grants, accountNo)) return true;
  const openedAtMs = Date.parse(openedAt);
  return !grants.some((g) => Date.parse(g.at) <= openedAtMs);
}
