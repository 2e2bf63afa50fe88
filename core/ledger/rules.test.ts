import { describe, expect, it } from 'vitest';
import { fen } from '../money/money.js';
import { v1Samples } from '../schema/samples.js';
import { billDocSchema, ledgerEntryDocSchema, type BillDoc, type LedgerEntryDoc } from '../schema/documents.js';
import { billSettlements, cancellingAmounts, creditBalance, doublePayments, makeEntryId, paymentOrder, reversalEntryId, reversalRefusal, reversalsByOriginal } from './rules.js';

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

function payment(id: string, at: string, billIds: string[], creditDelta = 0, station = 'HF-SS-01'): LedgerEntryDoc {
  return {
    ...baseEntry,
    _id: `ledger:${station}:${id}`,
    entryId: `${station}:${id}`,
    stationId: station,
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
    expect(creditBalance(fen(800), [used], [])).toBe(300);
    expect(creditBalance(fen(800), [used, reversal(used, '2026-11-21T02:05:00.000Z')], [])).toBe(800);
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

describe('paid twice', () => {
  const bills = [bill('2026-08'), bill('2026-09'), bill('2026-07', true)];
  const aug = '3401000001-2026-08';
  const sep = '3401000001-2026-09';

  it('settles the bill by the earlier payment; the later one’s line becomes credit, whatever order the entries arrive in', () => {
    const here = payment('k1', '2026-11-21T02:00:00.000Z', [aug]);
    const there = payment('k2', '2026-11-21T02:30:00.000Z', [aug, sep], 0, 'HF-VAN-02');
    for (const entries of [
      [here, there],
      [there, here],
    ]) {
      expect(billSettlements(bills, entries).get(aug)).toEqual({ by: 'ledger', entryId: here.entryId });
      expect(billSettlements(bills, entries).get(sep)).toEqual({ by: 'ledger', entryId: there.entryId });
      const doubles = doublePayments(bills, entries);
      expect(doubles).toEqual([
        { billId: aug, period: '2026-08', entryId: there.entryId, stationId: 'HF-VAN-02', at: there.at, amount: 1000, settledBy: { by: 'ledger', entryId: here.entryId } },
      ]);
      expect(creditBalance(fen(0), entries, bills)).toBe(1000);
    }
  });

  it('breaks a tie in time by entry id, the same at every station', () => {
    const a = payment('aaa', '2026-11-21T02:00:00.000Z', [aug], 0, 'HF-SS-01');
    const b = payment('aaa', '2026-11-21T02:00:00.000Z', [aug], 0, 'HF-VAN-02');
    expect(paymentOrder(a, b)).toBeLessThan(0);
    expect(doublePayments(bills, [b, a])[0]?.entryId).toBe(b.entryId);
    expect(doublePayments(bills, [a, b])[0]?.entryId).toBe(b.entryId);
  });

  it('counts the late fee of the line, a bill central says was paid outside, and nothing once the later payment is reversed', () => {
    const withFee: LedgerEntryDoc = { ...payment('x', '2026-11-21T03:00:00.000Z', []), bills: [{ billId: aug, period: '2026-08', amount: fen(1000), lateFee: fen(35), overdueDays: 35 }] };
    const first = payment('w', '2026-11-21T02:00:00.000Z', [aug]);
    expect(doublePayments(bills, [first, withFee])[0]?.amount).toBe(1035);
    const outside = payment('o', '2026-11-21T02:00:00.000Z', ['3401000001-2026-07']);
    expect(doublePayments(bills, [outside])[0]?.settledBy).toEqual({ by: 'external' });
    expect(doublePayments(bills, [first, withFee, reversal(withFee, '2026-11-21T04:00:00.000Z')])).toEqual([]);
    // The first payment reversed: the later one settles the bill, and is no double payment.
    const rev = reversal(first, '2026-11-21T04:00:00.000Z');
    expect(doublePayments(bills, [first, withFee, rev])).toEqual([]);
    expect(billSettlements(bills, [first, withFee, rev]).get(aug)).toEqual({ by: 'ledger', entryId: withFee.entryId });
  });

  it('subtracts refunds and credit used from the doubled credit', () => {
    const here = payment('k1', '2026-11-21T02:00:00.000Z', [aug]);
    const there = payment('k2', '2026-11-21T02:30:00.000Z', [aug], 0, 'HF-VAN-02');
    const refund: LedgerEntryDoc = { ...baseEntry, _id: 'ledger:HF-SS-01:r', entryId: 'HF-SS-01:r', kind: 'credit-refund', amount: fen(-400), creditDelta: fen(-400), bills: [] };
    expect(creditBalance(fen(0), [here, there, refund], bills)).toBe(600);
    expect(reversalRefusal(refund, [refund])).toBe('not-reversible');
  });
});
