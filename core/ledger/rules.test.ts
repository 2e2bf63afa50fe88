import { describe, expect, it } from 'vitest';
import { fen } from '../money/money.js';
import { v1Samples } from '../schema/samples.js';
import { billDocSchema, ledgerEntryDocSchema, type BillDoc, type LedgerEntryDoc } from '../schema/documents.js';
import { billSettlements, cancellingAmounts, creditBalance, makeEntryId, reversalEntryId, reversalRefusal, reversalsByOriginal } from './rules.js';

const baseEntry = ledgerEntryDocSchema.parse(v1Samples['ledger-entry']);
const baseBill = billDocSchema.parse(v1Samples.bill);

function bill(period: string, paidExternally = false): BillDoc {
  return {
    ...baseBill,
    _id: `bill:3401000001:${period}`,
    billId: `3401000001-${period}`,
    period,
    externalPayment: paidExternally ? { paidOn: '2026-01-01', channel: '银行代扣' } : null,
  };
}

function payment(id: string, at: string, billIds: string[], creditDelta = 0): LedgerEntryDoc {
  return {
    ...baseEntry,
    _id: `ledger:HF-SS-01:${id}`,
    entryId: `HF-SS-01:${id}`,
    at,
    bills: billIds.map((billId) => ({ billId, period: billId.slice(-7), amount: fen(1000), lateFee: fen(0), overdueDays: 0 })),
    creditDelta: fen(creditDelta),
  };
}

function reversal(of: LedgerEntryDoc, at: string, station = 'HF-SS-01'): LedgerEntryDoc {
  const { amount, creditDelta } = cancellingAmounts(of);
  const entryId = reversalEntryId(station, of.entryId);
  return { ...of, _id: `ledger:${entryId}`, entryId, kind: 'reversal', at, amount, creditDelta, reversal: { reversesEntryId: of.entryId, reason: '录错', approvedBy: { staffNo: '2001', name: '王强' } } };
}

describe('entry ids', () => {
  it('are made by the station, sortable by time, and refuse a weak random part', () => {
    const id = makeEntryId('HF-SS-01', new Date('2026-11-21T02:00:00Z'), '0a1b2c3d');
    expect(id).toMatch(/^HF-SS-01:[0-9a-z]{9}-0a1b2c3d$/);
    expect(makeEntryId('HF-SS-01', new Date('2026-11-21T02:00:01Z'), '00000000') > makeEntryId('HF-SS-01', new Date('2026-11-21T02:00:00Z'), 'ffffffff')).toBe(true);
    expect(() => makeEntryId('HF-SS-01', new Date(), 'xyz')).toThrow();
    expect(reversalEntryId('HF-SS-02', id)).toBe(`HF-SS-02:R:${id}`);
  });
});

describe('bill settlement', () => {
  const bills = [bill('2026-08'), bill('2026-09'), bill('2026-07', true)];

  it('counts outside payments and unreversed ledger payments; the earliest payment settles a bill', () => {
    const first = payment('a', '2026-11-21T02:00:00.000Z', ['3401000001-2026-08']);
    const second = payment('b', '2026-11-21T03:00:00.000Z', ['3401000001-2026-08', '3401000001-2026-09']);
    const settled = billSettlements(bills, [second, first]);
    expect(settled.get('3401000001-2026-07')).toEqual({ by: 'external' });
    expect(settled.get('3401000001-2026-08')).toEqual({ by: 'ledger', entryId: first.entryId });
    expect(settled.get('3401000001-2026-09')).toEqual({ by: 'ledger', entryId: second.entryId });
  });

  it('frees the bills of a reversed payment', () => {
    const paid = payment('a', '2026-11-21T02:00:00.000Z', ['3401000001-2026-08']);
    const settled = billSettlements(bills, [paid, reversal(paid, '2026-11-21T02:10:00.000Z')]);
    expect(settled.has('3401000001-2026-08')).toBe(false);
  });
});

describe('credit and reversals', () => {
  it('derives credit from the opening credit and every entry, a reversal restoring what was used', () => {
    const used = payment('a', '2026-11-21T02:00:00.000Z', ['3401000001-2026-08'], -500);
    expect(creditBalance(fen(800), [used])).toBe(300);
    expect(creditBalance(fen(800), [used, reversal(used, '2026-11-21T02:05:00.000Z')])).toBe(800);
  });

  it('refuses to reverse a reversal or a reversed entry, and picks the earliest of two reversals', () => {
    const paid = payment('a', '2026-11-21T02:00:00.000Z', ['3401000001-2026-08']);
    const here = reversal(paid, '2026-11-21T02:10:00.000Z');
    const there = reversal(paid, '2026-11-21T02:05:00.000Z', 'HF-SS-02');
    expect(reversalRefusal(paid, [paid])).toBeNull();
    expect(reversalRefusal(paid, [paid, here])).toBe('already-reversed');
    expect(reversalRefusal(here, [paid, here])).toBe('not-reversible');
    expect(reversalsByOriginal([paid, here, there]).get(paid.entryId)?.entryId).toBe(there.entryId);
    expect(cancellingAmounts(paid)).toEqual({ amount: 0 - paid.amount, creditDelta: 0 });
  });
});
