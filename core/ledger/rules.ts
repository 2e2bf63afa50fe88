/**
 * Ledger rules. The ledger is append-only: an entry is never updated or deleted, so two
 * stations can never conflict over one. Everything a clerk sees — which bills are paid, the
 * credit balance, whether an entry was reversed — is derived from the entries.
 */
import { addFen, negFen, type Fen } from '../money/money.js';
import type { BillDoc, LedgerEntryDoc } from '../schema/documents.js';

/** Entry ids are made by the station: `<stationId>:<time base36>-<random>`; also the idempotency key. */
export function makeEntryId(stationId: string, at: Date, randomHex: string): string {
  if (!/^[0-9a-f]{8,32}$/.test(randomHex)) throw new Error('entry ids need 8 to 32 random hex digits');
  return `${stationId}:${at.getTime().toString(36).padStart(9, '0')}-${randomHex}`;
}

/** A reversal's id follows from the entry it reverses, so one station can reverse an entry only once. */
export function reversalEntryId(stationId: string, originalEntryId: string): string {
  return `${stationId}:R:${originalEntryId}`;
}

/** original entry id → the reversal that cancelled it (the earliest, if several stations reversed it). */
export function reversalsByOriginal(entries: Iterable<LedgerEntryDoc>): Map<string, LedgerEntryDoc> {
  const reversals = new Map<string, LedgerEntryDoc>();
  for (const entry of entries) {
    if (entry.kind !== 'reversal' || entry.reversal === null) continue;
    const existing = reversals.get(entry.reversal.reversesEntryId);
    if (!existing || entry.at < existing.at) reversals.set(entry.reversal.reversesEntryId, entry);
  }
  return reversals;
}

export type BillSettlement = { readonly by: 'external' } | { readonly by: 'ledger'; readonly entryId: string };

/**
 * Which bills are settled, and by what. A bill is settled by central's record of an outside
 * payment, or by the earliest unreversed ledger payment that covers it (a later one that also
 * covered it is a double payment, credited to the account in the sync issue).
 */
export function billSettlements(bills: Iterable<BillDoc>, entries: readonly LedgerEntryDoc[]): Map<string, BillSettlement> {
  const reversed = reversalsByOriginal(entries);
  const settled = new Map<string, BillSettlement>();
  for (const bill of bills) if (bill.externalPayment !== null) settled.set(bill.billId, { by: 'external' });
  const payments = entries
    .filter((entry) => entry.kind === 'bill-payment' && !reversed.has(entry.entryId))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.entryId < b.entryId ? -1 : 1));
  for (const payment of payments) {
    for (const line of payment.bills) {
      if (!settled.has(line.billId)) settled.set(line.billId, { by: 'ledger', entryId: payment.entryId });
    }
  }
  return settled;
}

/** The account's credit 预存: what it brought into Tongda plus every entry's credit change. */
export function creditBalance(openingCredit: Fen, entries: readonly LedgerEntryDoc[]): Fen {
  return addFen(openingCredit, ...entries.map((entry) => entry.creditDelta));
}

/** 'card-required': a top-up is cancelled on its card (a cancel record), never in the ledger alone. */
export type ReversalRefusal = 'not-reversible' | 'already-reversed' | 'card-required';

/** Whether `entry` may be reversed given every entry known for its account. */
export function reversalRefusal(entry: LedgerEntryDoc, accountEntries: readonly LedgerEntryDoc[]): ReversalRefusal | null {
  switch (entry.kind) {
    case 'reversal':
      return 'not-reversible';
    case 'bill-payment':
      return reversalsByOriginal(accountEntries).has(entry.entryId) ? 'already-reversed' : null;
    case 'top-up':
      return reversalsByOriginal(accountEntries).has(entry.entryId) ? 'already-reversed' : 'card-required';
    // A card fee taken in error is refunded like a payment; the card itself stays issued.
    case 'card-issue':
      return reversalsByOriginal(accountEntries).has(entry.entryId) ? 'already-reversed' : null;
    default: {
      const unreachable: never = entry.kind;
      return unreachable;
    }
  }
}

/** The fields of a reversal that cancel the original: money and credit negated, the same bills freed. */
export function cancellingAmounts(original: LedgerEntryDoc): { amount: Fen; creditDelta: Fen } {
  return { amount: negFen(original.amount), creditDelta: negFen(original.creditDelta) };
}
