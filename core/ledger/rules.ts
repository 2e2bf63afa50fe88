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
 * The one order every station uses between payments: time, then entry id. Two stations that
 * took the same bill offline agree which payment came first without asking anyone.
 */
export function paymentOrder(a: LedgerEntryDoc, b: LedgerEntryDoc): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0;
}

function unreversedPayments(entries: readonly LedgerEntryDoc[]): LedgerEntryDoc[] {
  const reversed = reversalsByOriginal(entries);
  return entries.filter((entry) => entry.kind === 'bill-payment' && !reversed.has(entry.entryId)).sort(paymentOrder);
}

/**
 * Which bills are settled, and by what. A bill is settled by central's record of an outside
 * payment, or by the first (`paymentOrder`) unreversed ledger payment that covers it; a later
 * one that also covered it is a double payment (`doublePayments`), whose money is credit.
 */
export function billSettlements(bills: Iterable<BillDoc>, entries: readonly LedgerEntryDoc[]): Map<string, BillSettlement> {
  const settled = new Map<string, BillSettlement>();
  for (const bill of bills) if (bill.externalPayment !== null) settled.set(bill.billId, { by: 'external' });
  for (const payment of unreversedPayments(entries)) {
    for (const line of payment.bills) {
      if (!settled.has(line.billId)) settled.set(line.billId, { by: 'ledger', entryId: payment.entryId });
    }
  }
  return settled;
}

/** A bill line paid again after another payment (or central's outside payment) had settled the bill. */
export interface DoublePayment {
  readonly billId: string;
  readonly period: string;
  /** The later payment: its money for this line is the account's credit. */
  readonly entryId: string;
  readonly stationId: string;
  readonly at: string;
  /** The line's amount plus its late fee, as the later payment took them. */
  readonly amount: Fen;
  readonly settledBy: BillSettlement;
}

/**
 * Every bill line a payment took for a bill that was already settled: derived from the entries
 * and bills alone, so every station with the same documents finds the same double payments and
 * nothing is written for them. Oldest first.
 */
export function doublePayments(bills: Iterable<BillDoc>, entries: readonly LedgerEntryDoc[]): DoublePayment[] {
  const settled = new Map<string, BillSettlement>();
  for (const bill of bills) if (bill.externalPayment !== null) settled.set(bill.billId, { by: 'external' });
  const doubles: DoublePayment[] = [];
  for (const payment of unreversedPayments(entries)) {
    for (const line of payment.bills) {
      const first = settled.get(line.billId);
      if (first === undefined) {
        settled.set(line.billId, { by: 'ledger', entryId: payment.entryId });
        continue;
      }
      // The same bill twice in one payment cannot be made (prepare refuses it); counted once.
      if (first.by === 'ledger' && first.entryId === payment.entryId) continue;
      doubles.push({
        billId: line.billId,
        period: line.period,
        entryId: payment.entryId,
        stationId: payment.stationId,
        at: payment.at,
        amount: addFen(line.amount, line.lateFee),
        settledBy: first,
      });
    }
  }
  return doubles;
}

/**
 * The account's credit 预存: what it brought into Tongda, every entry's credit change, and the
 * money of every double payment (a bill paid again becomes credit).
 */
export function creditBalance(openingCredit: Fen, entries: readonly LedgerEntryDoc[], bills: Iterable<BillDoc>): Fen {
  const doubled = doublePayments(bills, entries).map((double) => double.amount);
  return addFen(openingCredit, ...entries.map((entry) => entry.creditDelta), ...doubled);
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
    case 'transfer-fee':
      return reversalsByOriginal(accountEntries).has(entry.entryId) ? 'already-reversed' : null;
    // Money paid back out of credit: a refund made in error is a new payment, not a reversal.
    case 'credit-refund':
      return 'not-reversible';
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
