/**
 * Paid twice: another station (a van, offline) took the same bill a little earlier. Its entry
 * arrives in the station's `district` database, as the district-ledger pull puts it there; the
 * bill is settled once, by the earlier payment (the same rule at every station), and this
 * station's payment for it becomes credit 预存, which pays the next bill and can be refunded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localDateOf } from '../../core/time/local-date.js';
import { CURRENT_SCHEMA_VERSION, docId, type LedgerEntryDoc } from '../../core/schema/documents.js';
import { fen } from '../../core/money/money.js';
import { openStationDatabases } from '../../electron/station/database.js';
import { findDemoAccount } from '../support/demo-accounts.js';
import { openTestStation, TEST_NOW, TEST_SEED, unwrap, type TestStation } from '../support/station-fixture.js';

let t: TestStation;
let session: string;
const { account, unpaid } = findDemoAccount({ seed: TEST_SEED, count: 50, today: localDateOf(new Date(TEST_NOW), 'Asia/Shanghai'), minUnpaid: 2 });

beforeEach(async () => {
  t = await openTestStation(50);
  session = await t.login('1001');
});
afterEach(async () => {
  await t.dispose();
});

const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error?.code);

describe('the same bill paid at two stations', () => {
  it('settles it once, by the earlier payment; the later one is credit, used for the next bill and refunded', async () => {
    const sorted = [...unpaid].sort((a, b) => a.period.localeCompare(b.period));
    const [first, second] = sorted;
    if (!first || !second) throw new Error('two unpaid bills needed');
    const quote = unwrap(await t.call('payments.prepare', { accountNo: account.accountNo, billIds: [first.billId] }, session));
    const ours = unwrap(await t.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.due }, session)).entry;
    const line = quote.lines[0];
    if (!line) throw new Error('no line');

    // The van's payment of the same bill, ten minutes earlier, pulled from the district ledger.
    const vanId = 'HF-VAN-02:0mi8abcde-00112233';
    const van: LedgerEntryDoc = {
      _id: docId.ledger(vanId),
      type: 'ledger-entry',
      schemaVersion: CURRENT_SCHEMA_VERSION['ledger-entry'],
      entryId: vanId,
      kind: 'bill-payment',
      stationId: 'HF-VAN-02',
      at: new Date(Date.parse(TEST_NOW) - 600_000).toISOString(),
      operator: { staffNo: '1002', name: '张伟' },
      accountNo: account.accountNo,
      tariffVersionId: ours.tariffVersionId,
      amount: fen(line.amount + line.lateFee),
      method: 'cash',
      reference: null,
      tendered: fen(line.amount + line.lateFee),
      change: fen(0),
      bills: [line],
      creditDelta: fen(0),
      reversal: null,
      auditSeq: 7,
    };
    await t.station.close();
    const dbs = openStationDatabases(t.dataDir);
    await dbs.district.put(van);
    await dbs.close();
    await t.restart();
    session = await t.login('1001');

    const detail = unwrap(await t.call('accounts.get', { accountNo: account.accountNo }, session));
    const bill = detail.bills.find((b) => b.billId === first.billId);
    expect(bill?.status).toBe('paid');
    expect(bill?.paidByEntryId).toBe(vanId);
    expect(bill?.paidByStationId).toBe('HF-VAN-02');
    const doubled = line.amount + line.lateFee;
    expect(detail.doublePayments).toEqual([
      { billId: first.billId, period: first.period, entryId: ours.entryId, stationId: 'HF-SS-01', at: ours.at, amount: doubled, settledByEntryId: vanId, settledByStationId: 'HF-VAN-02' },
    ]);
    expect(detail.creditBalance).toBe(doubled);

    // Part of it is refunded, with a supervisor's approval, never more than the credit.
    const approver = { staffNo: '2001', password: '123456' };
    const half = Math.floor(doubled / 2);
    expect(codeOf(await t.call('credit.refund', { accountNo: account.accountNo, amount: fen(doubled + 1), method: 'cash', reason: '重复缴费退款', approver }, session))).toBe('CREDIT_TOO_LOW');
    expect(codeOf(await t.call('credit.refund', { accountNo: account.accountNo, amount: fen(half), method: 'cash', reason: '重复缴费退款', approver: { staffNo: '1001', password: '123456' } }, session))).toBe('APPROVER_IS_MAKER');
    const refund = unwrap(await t.call('credit.refund', { accountNo: account.accountNo, amount: fen(half), method: 'cash', reason: '重复缴费退款', approver }, session)).entry;
    expect(refund.kind).toBe('credit-refund');
    expect(refund.amount).toBe(-half);
    expect(refund.creditDelta).toBe(-half);
    expect(refund.refund?.approvedBy.staffNo).toBe('2001');
    expect(codeOf(await t.call('ledger.reverse', { entryId: refund.entryId, reason: '测试', approver }, session))).toBe('NOT_REVERSIBLE');
    const rest = doubled - half;
    expect(unwrap(await t.call('accounts.get', { accountNo: account.accountNo }, session)).creditBalance).toBe(rest);

    // The rest pays towards the next bill first.
    const next = unwrap(await t.call('payments.prepare', { accountNo: account.accountNo, billIds: [second.billId] }, session));
    const applied = Math.min(rest, next.billsTotal + next.lateFeesTotal);
    expect(applied).toBeGreaterThan(0);
    expect(next.creditApplied).toBe(applied);
    const paidNext = unwrap(await t.call('payments.confirm', { txnId: next.txnId, method: 'cash', tendered: next.due }, session)).entry;
    expect(paidNext.creditDelta).toBe(-applied);
    expect(unwrap(await t.call('accounts.get', { accountNo: account.accountNo }, session)).creditBalance).toBe(rest - applied);
    const receipts = unwrap(await t.call('receipts.list', { accountNo: account.accountNo }, session)).receipts;
    expect(receipts.find((receipt) => receipt.entryId === refund.entryId)?.kind).toBe('credit-refund');

    // The doubled payment's credit is spent: reversing that payment would leave the account owing it.
    expect(codeOf(await t.call('ledger.reverse', { entryId: ours.entryId, reason: '收款有误', approver }, session))).toBe('CREDIT_TOO_LOW');
    expect(unwrap(await t.call('accounts.get', { accountNo: account.accountNo }, session)).creditBalance).toBe(rest - applied);
  });
});
