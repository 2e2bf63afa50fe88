import { describe, expect, it } from 'vitest';
import { isValidIdNumber } from '../identity/id-number.js';
import { gas, priceOf, unitPrice } from '../money/money.js';
import { accountDocSchema, billDocSchema, docId, type AccountDoc } from '../schema/documents.js';
import { roleSchema, staffNoSchema } from '../schema/primitives.js';
import { dayNumber } from './calendar.js';
import { DEMO_DISTRICTS, DEMO_OPERATORS, generateAccounts, generateBills } from './generator.js';

const TODAY = '2025-06-15';
const sample = [...generateAccounts({ seed: 1, count: 20_000, today: TODAY })];

function share(predicate: (a: AccountDoc) => boolean, accounts: readonly AccountDoc[] = sample): number {
  return accounts.filter(predicate).length / accounts.length;
}

describe('generateAccounts', () => {
  it('yields documents that satisfy the account schema', () => {
    for (const doc of sample.slice(0, 4000)) {
      const parsed = accountDocSchema.safeParse(doc);
      expect(parsed.success, JSON.stringify(doc)).toBe(true);
      expect(doc._id).toBe(docId.account(doc.accountNo));
      expect(doc.schemaVersion).toBe(1);
    }
  });

  it('is deterministic in its options and varies with the seed', () => {
    const again = [...generateAccounts({ seed: 1, count: 500, today: TODAY })];
    expect(again).toEqual(sample.slice(0, 500));
    const other = [...generateAccounts({ seed: 2, count: 500, today: TODAY })];
    expect(other).not.toEqual(again);
  });

  it('streams: a huge count costs nothing until documents are taken', () => {
    const stream = generateAccounts({ seed: 1, count: 1_200_000, today: TODAY });
    expect(stream.next().value).toEqual(sample[0]);
  });

  it('gives unique account, meter and card numbers', () => {
    expect(new Set(sample.map((a) => a.accountNo)).size).toBe(sample.length);
    expect(new Set(sample.map((a) => a.meterNo)).size).toBe(sample.length);
    const cards = sample.flatMap((a) => (a.cardSerial === null ? [] : [a.cardSerial]));
    expect(new Set(cards).size).toBe(cards.length);
  });

  it('numbers accounts by district: a 10-digit number starting with the district prefix', () => {
    const prefixes = new Map(DEMO_DISTRICTS.map((d) => [d.code, d.accountPrefix]));
    for (const a of sample) {
      expect(a.accountNo).toMatch(/^\d{10}$/);
      expect(a.accountNo.slice(0, 2)).toBe(prefixes.get(a.districtCode));
    }
    expect(new Set(sample.map((a) => a.districtName))).toEqual(new Set(DEMO_DISTRICTS.map((d) => d.name)));
  });

  it('gives valid ID numbers of adults aged 20 to 85, from Anhui regions mostly', () => {
    const today = dayNumber(TODAY);
    for (const a of sample) {
      expect(isValidIdNumber(a.idNumber), a.idNumber).toBe(true);
      const born = dayNumber(`${a.idNumber.slice(6, 10)}-${a.idNumber.slice(10, 12)}-${a.idNumber.slice(12, 14)}`);
      const age = (today - born) / 365.25;
      expect(age).toBeGreaterThanOrEqual(20);
      expect(age).toBeLessThan(86);
    }
    expect(share((a) => a.idNumber.startsWith('34'))).toBeGreaterThan(0.9);
  });

  it('draws surnames at realistic shares: 王+李+张 about a fifth', () => {
    const residential = sample.filter((a) => a.customerType === 'residential');
    const top3 = share((a) => ['王', '李', '张'].includes(a.ownerName.charAt(0)), residential);
    expect(top3).toBeGreaterThan(0.18);
    expect(top3).toBeLessThan(0.23);
    const wang = share((a) => a.ownerName.startsWith('王'), residential);
    expect(wang).toBeGreaterThan(0.06);
    expect(wang).toBeLessThan(0.08);
    expect(residential.some((a) => a.ownerName.startsWith('欧阳'))).toBe(true);
    for (const a of residential) expect(a.ownerName).toMatch(/^[\u4e00-\u9fff]{2,4}$/);
  });

  it('mixes meter kinds, customer types and statuses at the configured shares', () => {
    expect(share((a) => a.meterKind === 'prepaid-card')).toBeCloseTo(0.4, 1);
    for (const a of sample) expect(a.cardSerial === null).toBe(a.meterKind === 'post-paid');
    const commercial = share((a) => a.customerType === 'commercial');
    expect(commercial).toBeGreaterThan(0.02);
    expect(commercial).toBeLessThan(0.04);
    for (const a of sample) expect(a.tariffCode).toBe(a.customerType === 'commercial' ? 'COM-GAS' : 'RES-GAS');
    expect(share((a) => a.status === 'suspended')).toBeGreaterThan(0.005);
    expect(share((a) => a.status === 'suspended')).toBeLessThan(0.015);
    expect(share((a) => a.status === 'closed')).toBeGreaterThan(0.002);
    expect(share((a) => a.status === 'closed')).toBeLessThan(0.01);
    const allPrepaid = [...generateAccounts({ seed: 3, count: 200, today: TODAY, prepaidShare: 1 })];
    expect(allPrepaid.every((a) => a.meterKind === 'prepaid-card')).toBe(true);
  });

  it('gives urban and village addresses and real mobile or Hefei fixed-line numbers', () => {
    expect(sample.some((a) => /^合肥市蜀山区.+\d+号.+\d+栋\d+单元\d+室$/.test(a.address))).toBe(true);
    expect(sample.some((a) => /^(肥西县|长丰县).+[镇乡].+村.+组\d+号$/.test(a.address))).toBe(true);
    for (const a of sample) expect(a.phone).toMatch(/^(1[3-9]\d{9}|05516\d{7})$/);
    expect(new Set(sample.map((a) => a.phone)).size).toBeGreaterThan(sample.length * 0.99);
  });

  it('dates inspections within two years, ~3% failed, ~5% overdue', () => {
    const today = dayNumber(TODAY);
    for (const a of sample) {
      expect(dayNumber(a.openedOn)).toBeLessThan(today);
      if (a.inspection.lastDate === null) continue;
      expect(today - dayNumber(a.inspection.lastDate)).toBeLessThan(731);
      expect(dayNumber(a.inspection.lastDate)).toBeGreaterThanOrEqual(dayNumber(a.openedOn));
    }
    const failed = share((a) => a.inspection.result === 'failed');
    expect(failed).toBeGreaterThan(0.02);
    expect(failed).toBeLessThan(0.04);
    const overdue = share((a) => a.inspection.nextDueDate !== null && a.inspection.nextDueDate < TODAY);
    expect(overdue).toBeGreaterThan(0.035);
    expect(overdue).toBeLessThan(0.065);
    expect(share((a) => a.openingCredit > 0)).toBeGreaterThan(0.05);
  });
});

describe('generateBills', () => {
  const postPaid = sample.filter((a) => a.meterKind === 'post-paid').slice(0, 3000);

  it('gives prepaid accounts no bills', () => {
    const prepaid = sample.find((a) => a.meterKind === 'prepaid-card');
    expect(prepaid && generateBills(prepaid, { today: TODAY, seed: 1 })).toEqual([]);
  });

  it('gives post-paid accounts up to 12 monthly bills that satisfy the bill schema', () => {
    let count = 0;
    for (const account of postPaid) {
      const bills = generateBills(account, { today: TODAY, seed: 1 });
      expect(bills.length).toBeLessThanOrEqual(12);
      for (const bill of bills) {
        expect(billDocSchema.safeParse(bill).success, JSON.stringify(bill)).toBe(true);
        expect(bill._id).toBe(docId.bill(account.accountNo, bill.period));
        expect(bill.billId).toBe(`${account.accountNo}-${bill.period}`);
        expect(bill.tariffVersionId).toBe(account.customerType === 'commercial' ? 'COM-GAS@1' : 'RES-GAS@2');
        const price = account.customerType === 'commercial' ? 3600 : 2800;
        expect(bill.amount).toBe(priceOf(gas(bill.volume), unitPrice(price)));
        expect(bill.issuedOn <= TODAY).toBe(true);
        expect(bill.issuedOn.endsWith('-05')).toBe(true);
        expect(bill.dueDate.endsWith('-20')).toBe(true);
        expect(bill.dueDate.slice(0, 7) > bill.period).toBe(true);
        if (bill.externalPayment) expect(bill.externalPayment.paidOn <= TODAY && bill.externalPayment.paidOn >= bill.issuedOn).toBe(true);
        count += 1;
      }
      // Unpaid bills are the most recent ones: once one is unpaid, every later one is too.
      const firstUnpaid = bills.findIndex((b) => b.externalPayment === null);
      if (firstUnpaid >= 0) expect(bills.slice(firstUnpaid).every((b) => b.externalPayment === null)).toBe(true);
    }
    expect(count).toBeGreaterThan(postPaid.length * 10);
  });

  it('covers the 12 periods before today that were already issued', () => {
    const old = postPaid.find((a) => a.openedOn < '2020-01-01');
    const bills = old ? generateBills(old, { today: TODAY, seed: 1 }) : [];
    expect(bills.map((b) => b.period)).toEqual([
      '2024-06', '2024-07', '2024-08', '2024-09', '2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03', '2025-04', '2025-05',
    ]);
    const early = old ? generateBills(old, { today: '2025-06-03', seed: 1 }) : [];
    expect(early.at(-1)?.period).toBe('2025-04');
  });

  it('bills more gas in winter, and mixes owing nothing, owing, and owing overdue', () => {
    const all = postPaid.map((a) => generateBills(a, { today: TODAY, seed: 1 }));
    const volumeIn = (month: string): number => all.flat().filter((b) => b.period.endsWith(month)).reduce((sum, b) => sum + b.volume, 0);
    expect(volumeIn('-01')).toBeGreaterThan(volumeIn('-07') * 2);
    const unpaid = all.map((bills) => bills.filter((b) => b.externalPayment === null));
    expect(unpaid.filter((u) => u.length === 0).length).toBeGreaterThan(all.length * 0.4);
    expect(unpaid.filter((u) => u.some((b) => b.dueDate < TODAY)).length).toBeGreaterThan(all.length * 0.1);
    const channels = new Set(all.flat().flatMap((b) => (b.externalPayment ? [b.externalPayment.channel] : [])));
    expect(channels).toEqual(new Set(['银行代扣', '微信', '支付宝', '营业厅']));
  });

  it('is deterministic in account, today and seed', () => {
    const account = postPaid[0];
    if (!account) throw new Error('no post-paid account in the sample');
    expect(generateBills(account, { today: TODAY, seed: 5 })).toEqual(generateBills(account, { today: TODAY, seed: 5 }));
    expect(generateBills(account, { today: TODAY, seed: 5 })).not.toEqual(generateBills(account, { today: TODAY, seed: 6 }));
  });
});

describe('DEMO_OPERATORS', () => {
  it('has one operator per role with valid staff numbers', () => {
    for (const operator of DEMO_OPERATORS) {
      expect(staffNoSchema.safeParse(operator.staffNo).success).toBe(true);
      expect(roleSchema.safeParse(operator.role).success).toBe(true);
    }
    expect(new Set(DEMO_OPERATORS.map((o) => o.role))).toEqual(new Set(roleSchema.options));
    expect(DEMO_OPERATORS.map((o) => [o.staffNo, o.name, o.role])).toContainEqual(['2001', '王强', 'supervisor']);
  });
});
