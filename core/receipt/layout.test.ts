import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { fen, formatYuan, gas, unitPrice } from '../money/money.js';
import type { LedgerEntryDoc } from '../schema/documents.js';
import {
  ReceiptError,
  layoutOpeningReceipt,
  layoutReceipt,
  lineWidth,
  openingSubject,
  parseReceiptCode,
  receiptCode,
  renderPlainText,
  verifyReceiptCode,
  type ReceiptLine,
} from './layout.js';
import { billPayment, inputFor, replacementCard, reversal, topUp } from './fixtures.js';
import { displayWidth } from './width.js';

const mac = (text: string): string => createHmac('sha256', 'station-key').update(text).digest('hex');

const textOf = (lines: readonly ReceiptLine[]): string[] =>
  lines.flatMap((line) => (line.kind === 'text' ? [line.text] : []));

// Golden receipts. Double-size lines (the utility name, 合计) are placed where they start on
// paper but shown at normal size, so they look short here.
const bill32 = [
  '        合肥燃气',
  '       滨湖营业厅 3号窗口',
  '            缴费收据',
  '================================',
  '收据号：R2026112100012',
  '时间：2026-11-21 10:15:00',
  '营业员：李娜 工号1001',
  '户号：3401000001',
  '户名：张伟',
  '证件号：340104********123X',
  '--------------------------------',
  '2026-09 燃气费           ￥51.80',
  '违约金（逾期32天）        ￥1.80',
  '2026-10 燃气费           ￥40.00',
  '--------------------------------',
  '合计     ￥93.60',
  '支付方式                    现金',
  '实收                    ￥100.00',
  '找零                      ￥6.40',
  '--------------------------------',
  '[QR: TD1|R2026112100012|9360|d9d47f93]',
  '          扫码核验收据',
  '      服务热线：0551-96511',
  '',
  '',
  '- - - - - - - - - - - - - - - -',
].join('\n');

const bill48 = [
  '                合肥燃气',
  '               滨湖营业厅 3号窗口',
  '                    缴费收据',
  '================================================',
  '收据号：R2026112100012',
  '时间：2026-11-21 10:15:00',
  '营业员：李娜 工号1001',
  '户号：3401000001',
  '户名：张伟',
  '证件号：340104********123X',
  '------------------------------------------------',
  '2026-09 燃气费                           ￥51.80',
  '违约金（逾期32天）                        ￥1.80',
  '2026-10 燃气费                           ￥40.00',
  '------------------------------------------------',
  '合计             ￥93.60',
  '支付方式                                    现金',
  '实收                                    ￥100.00',
  '找零                                      ￥6.40',
  '------------------------------------------------',
  '     [QR: TD1|R2026112100012|9360|d9d47f93]',
  '                  扫码核验收据',
  '              服务热线：0551-96511',
  '',
  '',
  '- - - - - - - - - - - - - - - - - - - - - - - -',
].join('\n');

const top32 = [
  '        合肥燃气',
  '       滨湖营业厅 3号窗口',
  '            购气收据',
  '================================',
  '收据号：R2026112100012',
  '时间：2026-11-21 10:15:00',
  '营业员：李娜 工号1001',
  '户号：3401000001',
  '户名：张伟',
  '证件号：340104********123X',
  '--------------------------------',
  '购气量                  60.00 m³',
  '第1档 40.00 m³ × 2.80 元/m³ =',
  '                        ￥112.00',
  '第2档 20.00 m³ × 3.36 元/m³ =',
  '                         ￥67.20',
  '年累计购气             320.00 m³',
  '购气序号                       7',
  '--------------------------------',
  '合计    ￥179.20',
  '支付方式                    扫码',
  '交易参考号：',
  '4200001234202611210012345678',
  '预存余额                 ￥12.34',
  '--------------------------------',
  '[QR: TD1|R2026112100012|17920|52ca5842]',
  '          扫码核验收据',
  '      服务热线：0551-96511',
  '',
  '',
  '- - - - - - - - - - - - - - - -',
].join('\n');

const top48 = [
  '                合肥燃气',
  '               滨湖营业厅 3号窗口',
  '                    购气收据',
  '================================================',
  '收据号：R2026112100012',
  '时间：2026-11-21 10:15:00',
  '营业员：李娜 工号1001',
  '户号：3401000001',
  '户名：张伟',
  '证件号：340104********123X',
  '------------------------------------------------',
  '购气量                                  60.00 m³',
  '第1档 40.00 m³ × 2.80 元/m³ =          ￥112.00',
  '第2档 20.00 m³ × 3.36 元/m³ =           ￥67.20',
  '年累计购气                             320.00 m³',
  '购气序号                                       7',
  '------------------------------------------------',
  '合计            ￥179.20',
  '支付方式                                    扫码',
  '交易参考号：4200001234202611210012345678',
  '预存余额                                 ￥12.34',
  '------------------------------------------------',
  '    [QR: TD1|R2026112100012|17920|52ca5842]',
  '                  扫码核验收据',
  '              服务热线：0551-96511',
  '',
  '',
  '- - - - - - - - - - - - - - - - - - - - - - - -',
].join('\n');

const rev32 = [
  '        合肥燃气',
  '       滨湖营业厅 3号窗口',
  '            冲正收据',
  '================================',
  '收据号：R2026112100012',
  '时间：2026-11-21 10:40:00',
  '营业员：李娜 工号1001',
  '户号：3401000001',
  '户名：张伟',
  '证件号：340104********123X',
  '--------------------------------',
  '冲正原业务：',
  'HF-SS-01:mhq3k2x0a-0a1b2c3d',
  '冲正原因：户号输错，应为',
  '3401000011',
  '批准人：王强 工号2001',
  '--------------------------------',
  '合计    -￥93.60',
  '退款方式                    现金',
  '--------------------------------',
  '[QR: TD1|R2026112100012|-9360|ff058573]',
  '          扫码核验收据',
  '      服务热线：0551-96511',
  '',
  '',
  '- - - - - - - - - - - - - - - -',
].join('\n');


describe('layoutReceipt golden receipts', () => {
  it('bill payment at 32 columns', () => {
    expect(renderPlainText(layoutReceipt(inputFor(billPayment, 32), mac), 32)).toBe(bill32);
  });

  it('bill payment at 48 columns', () => {
    expect(renderPlainText(layoutReceipt(inputFor(billPayment, 48), mac), 48)).toBe(bill48);
  });

  it('top-up across two tiers at 32 columns, the tier amounts on their own lines', () => {
    expect(renderPlainText(layoutReceipt(inputFor(topUp, 32, { creditLeft: fen(1234) }), mac), 32)).toBe(top32);
  });

  it('top-up across two tiers at 48 columns', () => {
    expect(renderPlainText(layoutReceipt(inputFor(topUp, 48, { creditLeft: fen(1234) }), mac), 48)).toBe(top48);
  });

  it('reversal receipt', () => {
    expect(renderPlainText(layoutReceipt(inputFor(reversal, 32), mac), 32)).toBe(rev32);
  });
});

describe('layoutReceipt', () => {
  it('prints the utility name double size and bold, and the total double size', () => {
    const lines = layoutReceipt(inputFor(billPayment, 32), mac);
    expect(lines[0]).toEqual({ kind: 'text', text: '合肥燃气', align: 'center', size: 'double', bold: true });
    expect(lines).toContainEqual({ kind: 'text', text: '合计     ￥93.60', align: 'left', size: 'double', bold: true });
    expect(lines.slice(-2)).toEqual([{ kind: 'feed', lines: 2 }, { kind: 'cut' }]);
  });

  it('marks a reprint with its count under the title, and an original not at all', () => {
    const reprinted = textOf(layoutReceipt(inputFor(billPayment, 32, { reprint: 3 }), mac));
    expect(reprinted.slice(2, 4)).toEqual(['缴费收据', '重打（第3次）']);
    expect(textOf(layoutReceipt(inputFor(billPayment, 32), mac)).some((t) => t.includes('重打'))).toBe(false);
    expect(() => layoutReceipt(inputFor(billPayment, 32, { reprint: -1 }), mac)).toThrow(ReceiptError);
  });

  it('prints a replacement card as 补卡收据 and a first card as 发卡收据', () => {
    const replaced = textOf(layoutReceipt(inputFor(replacementCard, 32), mac));
    expect(replaced).toContain('补卡收据');
    expect(replaced).toContain('原卡号：0102030405060708');
    expect(replaced).toContain('补写购气序号                   7');
    const first: LedgerEntryDoc = {
      ...replacementCard,
      cardIssue: { serial: '0102030405060709', generation: 0, replacement: false, previousSerial: null, reason: null, approvedBy: null, carried: null },
    };
    const issued = textOf(layoutReceipt(inputFor(first, 32), mac));
    expect(issued).toContain('发卡收据');
    expect(issued.some((t) => t.includes('原卡号'))).toBe(false);
  });

  it('shows a van station as such and the date in the station time zone', () => {
    const station = { utilityName: '合肥燃气', stationName: '肥西线', stationKind: 'van' as const, hotline: '96511', timeZone: 'Asia/Urumqi' };
    const text = textOf(layoutReceipt(inputFor(billPayment, 48, { station }), mac));
    expect(text).toContain('肥西线（流动服务车）');
    expect(text).toContain('时间：2026-11-21 08:15:00');
  });

  it('prints credit used as a line so the lines add up to the total', () => {
    const entry: LedgerEntryDoc = { ...billPayment, amount: fen(8360), creditDelta: fen(-1000), tendered: fen(8360), change: fen(0) };
    const text = textOf(layoutReceipt(inputFor(entry, 32), mac));
    expect(text).toContain('预存抵扣                -￥10.00');
  });

  it('turns control characters in typed text into spaces so they cannot reach the printer', () => {
    const text = textOf(layoutReceipt(inputFor(billPayment, 32, { account: { accountNo: '3401000001', ownerName: '张\u001b@伟', idNumber: '' } }), mac));
    expect(text).toContain('户名：张 @伟');
    expect(text.some((t) => t.startsWith('证件号'))).toBe(false);
  });

  it('falls back to normal size for a total too wide to print double', () => {
    const entry: LedgerEntryDoc = { ...billPayment, amount: fen(9_999_999_999), tendered: null, change: null, bills: [] };
    const lines = layoutReceipt(inputFor(entry, 32), mac);
    expect(lines).toContainEqual({ kind: 'text', text: '合计               ￥99999999.99', align: 'left', size: 'normal', bold: true });
  });
});

describe('no line wider than the paper', () => {
  const typed = fc
    .array(fc.constantFrom('张', '伟', '欧阳', '·', 'a', 'Z', '9', ' ', '（', '）', '—', 'é'), { minLength: 1, maxLength: 40 })
    .map((parts) => parts.join(''))
    .filter((s) => s.trim() !== '');
  const amount = fc.integer({ min: 0, max: 9_999_999_999 });
  const bill = fc.record({
    billId: fc.constant('b1'),
    period: fc.constantFrom('2026-01', '2026-12'),
    amount: amount.map(fen),
    lateFee: fc.integer({ min: 0, max: 100_000_000 }).map(fen),
    overdueDays: fc.integer({ min: 0, max: 9999 }),
  });
  const part = fc.record({
    tierIndex: fc.integer({ min: 0, max: 7 }),
    volume: fc.integer({ min: 0, max: 1_000_000_000 }).map(gas),
    price: fc.integer({ min: 0, max: 1_000_000 }).map(unitPrice),
    amount: amount.map(fen),
  });

  it('holds for random entries, names, reasons and both paper widths', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(billPayment, topUp, reversal, replacementCard),
        fc.array(bill, { maxLength: 4 }),
        fc.array(part, { maxLength: 3 }),
        fc.integer({ min: -9_999_999_999, max: 9_999_999_999 }),
        fc.constantFrom('cash', 'bank-card', 'qr', null),
        typed,
        typed,
        fc.option(amount.map(fen)),
        fc.nat(20),
        fc.constantFrom(32 as const, 48 as const),
        (base, bills, parts, total, method, name, words, creditLeft, reprint, columns) => {
          const card = topUp.card === undefined ? undefined : { ...topUp.card, parts };
          const entry: LedgerEntryDoc = {
            ...base,
            amount: fen(total),
            method,
            reference: method === 'cash' ? null : '4200001234202611210012345678901234',
            tendered: method === 'cash' ? fen(9_999_999_999) : null,
            change: method === 'cash' ? fen(9_999_999_999) : null,
            bills,
            card,
            reversal: base.reversal === null ? null : { ...base.reversal, reason: words },
          };
          const station = { utilityName: name + name, stationName: words, stationKind: 'hall' as const, hotline: words, timeZone: 'Asia/Shanghai' };
          const lines = layoutReceipt(
            { ...inputFor(entry, columns, { station, creditLeft, reprint }), account: { accountNo: '3401000001', ownerName: name, idNumber: '34010419900307123X' } },
            mac,
          );
          for (const line of lines) if (line.kind === 'text') expect(lineWidth(line)).toBeLessThanOrEqual(columns);
          expect(textOf(lines).some((t) => t.endsWith(formatYuan(fen(total))))).toBe(true);
          for (const text of renderPlainText(lines, columns).split('\n')) if (!text.startsWith('[QR')) expect(displayWidth(text)).toBeLessThanOrEqual(columns);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('receipt code', () => {
  it('is TD1|receipt number|amount in fen|first 8 hex of the MAC over receiptNo|amount|entryId', () => {
    const code = receiptCode('R2026112100012', fen(9360), billPayment.entryId, mac);
    expect(code).toBe(`TD1|R2026112100012|9360|${mac(`R2026112100012|9360|${billPayment.entryId}`).slice(0, 8)}`);
    expect(code).toMatch(/^TD1\|R2026112100012\|9360\|[0-9a-f]{8}$/);
    const qr = layoutReceipt(inputFor(billPayment, 32), mac).find((line) => line.kind === 'qr');
    expect(qr).toEqual({ kind: 'qr', data: code });
  });

  it('carries a negative amount for a reversal', () => {
    expect(receiptCode('R1', fen(-9360), reversal.entryId, mac)).toMatch(/^TD1\|R1\|-9360\|[0-9a-f]{8}$/);
  });

  it('refuses a receipt number that would break the code, and a MAC that is not hex', () => {
    expect(() => receiptCode('R1|9', fen(1), billPayment.entryId, mac)).toThrow(ReceiptError);
    expect(() => receiptCode('', fen(1), billPayment.entryId, mac)).toThrow(ReceiptError);
    expect(() => receiptCode('R1', fen(1), billPayment.entryId, () => 'xyz')).toThrow(ReceiptError);
  });

  it('verifies a genuine code and rejects altered amounts, other entries, other keys and junk', () => {
    const code = receiptCode('R2026112100012', fen(9360), billPayment.entryId, mac);
    expect(verifyReceiptCode(code, billPayment.entryId, mac)).toEqual({ ok: true, receiptNo: 'R2026112100012', amount: 9360 });
    expect(verifyReceiptCode(code.replace('|9360|', '|9860|'), billPayment.entryId, mac)).toEqual({ ok: false, problem: 'mac' });
    expect(verifyReceiptCode(code, topUp.entryId, mac)).toEqual({ ok: false, problem: 'mac' });
    const otherKey = (text: string): string => createHmac('sha256', 'other-key').update(text).digest('hex');
    expect(verifyReceiptCode(code, billPayment.entryId, otherKey)).toEqual({ ok: false, problem: 'mac' });
    expect(verifyReceiptCode('TD2|R1|1|00000000', billPayment.entryId, mac)).toEqual({ ok: false, problem: 'format' });
    expect(verifyReceiptCode(`${code} `, billPayment.entryId, mac)).toEqual({ ok: false, problem: 'format' });
    expect(verifyReceiptCode('TD1|R1|01|00000000', billPayment.entryId, mac)).toEqual({ ok: false, problem: 'format' });
  });

  it('parses what a code claims so the verifier can look the receipt up', () => {
    expect(parseReceiptCode('TD1|R9|-5|0a1b2c3d')).toEqual({ receiptNo: 'R9', amount: -5, tag: '0a1b2c3d' });
    expect(parseReceiptCode('TD1|R9|5|0A1B2C3D')).toBeNull();
  });
});

describe('the account opening receipt 开户回执', () => {
  const opening = (paperColumns: 32 | 48, reprint = 0) => {
    const { entry: _entry, creditLeft: _credit, ...rest } = inputFor(billPayment, paperColumns, { reprint });
    return layoutOpeningReceipt(
      {
        ...rest,
        at: '2026-11-21T02:20:00.000Z',
        opening: { address: '合肥市蜀山区黄山路56号3栋1单元502室', meterNo: '202611210001', meterKind: 'prepaid-card', tariffName: '居民生活用气（阶梯）', phoneMasked: '139****3456' },
      },
      mac,
    );
  };

  it.each([32, 48] as const)('fits %i columns, masks the ID number and carries a code that verifies against the opening', (columns) => {
    const lines = opening(columns);
    for (const line of lines) if (line.kind === 'text') expect(lineWidth(line)).toBeLessThanOrEqual(columns);
    const text = textOf(lines).join('\n');
    expect(text).toContain('开户回执');
    expect(text).toContain('340104********123X');
    expect(text).not.toContain('34010419900307123X');
    expect(text).toContain('IC卡预付费表');
    const qr = lines.find((line) => line.kind === 'qr');
    expect(qr?.kind === 'qr' && verifyReceiptCode(qr.data, openingSubject('3401000001'), mac)).toEqual({ ok: true, receiptNo: 'R2026112100012', amount: 0 });
  });

  it('says 重打 and the count on a reprint', () => {
    expect(textOf(opening(48, 2))).toContain('重打（第2次）');
    expect(textOf(opening(48)).some((line) => line.startsWith('重打'))).toBe(false);
  });
});
