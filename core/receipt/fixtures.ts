/**
 * Test fixtures for receipts: a bill payment, a top-up crossing a tier boundary, a reversal and
 * a replacement card, with the account, clerk and station they print.
 */
import { fen, gas, unitPrice } from '../money/money.js';
import type { LedgerEntryDoc } from '../schema/documents.js';
import type { ReceiptInput } from './layout.js';

type Own = Pick<LedgerEntryDoc, '_id' | 'entryId' | 'kind' | 'amount' | 'method'> & Partial<LedgerEntryDoc>;

function entryOf(own: Own): LedgerEntryDoc {
  return {
    type: 'ledger-entry',
    schemaVersion: 1,
    stationId: 'HF-SS-01',
    at: '2026-11-21T02:15:00.000Z',
    operator: { staffNo: '1001', name: '李娜' },
    accountNo: '3401000001',
    tariffVersionId: 'RES-GAS@2',
    reference: null,
    tendered: null,
    change: null,
    bills: [],
    creditDelta: fen(0),
    reversal: null,
    auditSeq: 12,
    ...own,
  };
}

export const billPayment = entryOf({
  _id: 'ledger:HF-SS-01:mhq3k2x0a-0a1b2c3d',
  entryId: 'HF-SS-01:mhq3k2x0a-0a1b2c3d',
  kind: 'bill-payment',
  amount: fen(9360),
  method: 'cash',
  tendered: fen(10000),
  change: fen(640),
  bills: [
    { billId: '3401000001-2026-09', period: '2026-09', amount: fen(5180), lateFee: fen(180), overdueDays: 32 },
    { billId: '3401000001-2026-10', period: '2026-10', amount: fen(4000), lateFee: fen(0), overdueDays: 0 },
  ],
});

export const topUp = entryOf({
  _id: 'ledger:HF-SS-01:mhq3k9z1b-4e5f6a7b',
  entryId: 'HF-SS-01:mhq3k9z1b-4e5f6a7b',
  kind: 'top-up',
  amount: fen(17920),
  method: 'qr',
  reference: '4200001234202611210012345678',
  card: {
    serial: '0102030405060708',
    generation: 0,
    slot: 'A',
    sequence: 7,
    digestHex: '9f86d081',
    recordHex: '0'.repeat(64),
    volume: gas(6000),
    yearToDateBefore: gas(26000),
    yearToDateAfter: gas(32000),
    tariffYear: 2026,
    parts: [
      { tierIndex: 0, volume: gas(4000), price: unitPrice(2800), amount: fen(11200) },
      { tierIndex: 1, volume: gas(2000), price: unitPrice(3360), amount: fen(6720) },
    ],
  },
});

export const reversal = entryOf({
  _id: 'ledger:HF-SS-01:mhq4a0c2c-8c9d0e1f',
  entryId: 'HF-SS-01:mhq4a0c2c-8c9d0e1f',
  kind: 'reversal',
  at: '2026-11-21T02:40:00.000Z',
  amount: fen(-9360),
  method: 'cash',
  reversal: {
    reversesEntryId: 'HF-SS-01:mhq3k2x0a-0a1b2c3d',
    reason: '户号输错，应为3401000011',
    approvedBy: { staffNo: '2001', name: '王强' },
  },
});

export const replacementCard = entryOf({
  _id: 'ledger:HF-SS-01:mhq4b1d3d-1a2b3c4d',
  entryId: 'HF-SS-01:mhq4b1d3d-1a2b3c4d',
  kind: 'card-issue',
  amount: fen(2000),
  method: 'bank-card',
  reference: '000123',
  cardIssue: {
    serial: '0102030405060709',
    generation: 1,
    replacement: true,
    previousSerial: '0102030405060708',
    reason: '卡片丢失',
    approvedBy: null,
    carried: { entryId: 'HF-SS-01:mhq3k9z1b-4e5f6a7b', sequence: 7, recordHex: '0'.repeat(64) },
  },
});

export function inputFor(entry: LedgerEntryDoc, paperColumns: 32 | 48, over: Partial<ReceiptInput> = {}): ReceiptInput {
  return {
    entry,
    account: { accountNo: '3401000001', ownerName: '张伟', idNumber: '34010419900307123X' },
    operator: { staffNo: '1001', name: '李娜' },
    station: { utilityName: '合肥燃气', stationName: '滨湖营业厅 3号窗口', stationKind: 'hall', hotline: '0551-96511', timeZone: 'Asia/Shanghai' },
    receiptNo: 'R2026112100012',
    creditLeft: null,
    reprint: 0,
    paperColumns,
    ...over,
  };
}
