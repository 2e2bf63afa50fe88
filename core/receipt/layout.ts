/**
 * The receipt 收据 as data: a pure function of the ledger entry, the account, the clerk and
 * the station. The printer driver turns these lines into ESC/POS; the screen shows
 * `renderPlainText`. Every text line already fits the paper (by display width, double-size
 * text counting twice), so the driver never has to wrap or cut anything, and an amount is
 * never cut at all.
 *
 * The QR code carries `TD1|<receiptNo>|<amount in fen>|<tag>`: the tag is the first 8 hex
 * digits of a MAC, keyed with the station's key, over `<receiptNo>|<amount>|<entryId>`. The MAC
 * is injected (like the audit chain's hash) because core may not import node:crypto; the entry
 * id is in the MAC but not in the code, so a forged code needs the key and a real entry id.
 */
import { formatCubicMetres, formatUnitPrice, formatYuan, type Fen } from '../money/money.js';
import { maskIdNumber } from '../identity/id-number.js';
import { localDateTimeOf } from '../time/local-date.js';
import type { LedgerEntryDoc } from '../schema/documents.js';
import type { PaymentMethod } from '../schema/primitives.js';
import { displayWidth, leftRight, padStart, truncate, wrap } from './width.js';

export type ReceiptLine =
  | { kind: 'text'; text: string; align: 'left' | 'center' | 'right'; size: 'normal' | 'double'; bold: boolean }
  | { kind: 'rule'; char: '-' | '=' }
  | { kind: 'qr'; data: string }
  | { kind: 'feed'; lines: number }
  | { kind: 'cut' };

export type PaperColumns = 32 | 48;

export interface ReceiptInput {
  entry: LedgerEntryDoc;
  account: { accountNo: string; ownerName: string; idNumber: string };
  operator: { staffNo: string; name: string };
  station: { utilityName: string; stationName: string; stationKind: 'hall' | 'van'; hotline: string; timeZone: string };
  receiptNo: string;
  creditLeft: Fen | null;
  /** 0 for the original; 1 for the first reprint 重打, and so on. */
  reprint: number;
  paperColumns: PaperColumns;
}

/** A keyed MAC over text, as hex (HMAC-SHA256 with the station's key on every host). */
export type ReceiptMac = (text: string) => string;

export class ReceiptError extends Error {
  override readonly name = 'ReceiptError';
}

export const RECEIPT_CODE_VERSION = 'TD1';

// '|' separates the code's fields, so a receipt number may not contain one; kept short so the
// QR stays small enough to scan off thermal paper.
const RECEIPT_NO = /^[0-9A-Za-z-]{1,32}$/;
const TAG = /^[0-9a-f]{8}$/;

function macTag(mac: ReceiptMac, receiptNo: string, amount: number, entryId: string): string {
  const tag = mac(`${receiptNo}|${amount}|${entryId}`).slice(0, 8).toLowerCase();
  if (!TAG.test(tag)) throw new ReceiptError('the receipt MAC must return at least 8 hex digits');
  return tag;
}

/** The QR code's verification string `TD1|<receiptNo>|<amount>|<tag>`. */
export function receiptCode(receiptNo: string, amount: Fen, entryId: string, mac: ReceiptMac): string {
  if (!RECEIPT_NO.test(receiptNo)) throw new ReceiptError(`not a receipt number: "${receiptNo}"`);
  return `${RECEIPT_CODE_VERSION}|${receiptNo}|${amount}|${macTag(mac, receiptNo, amount, entryId)}`;
}

export type ReceiptCodeCheck =
  | { ok: true; receiptNo: string; amount: Fen }
  | { ok: false; problem: 'format' | 'mac' };

/** The receipt number and amount a code claims, or null when it is not a TD1 code. */
export function parseReceiptCode(code: string): { receiptNo: string; amount: Fen; tag: string } | null {
  const match = /^TD1\|([0-9A-Za-z-]{1,32})\|(-?(?:0|[1-9]\d{0,10}))\|([0-9a-f]{8})$/.exec(code);
  if (!match) return null;
  const [, receiptNo = '', amount = '', tag = ''] = match;
  return { receiptNo, amount: Number(amount) as Fen, tag };
}

/**
 * Checks a scanned code. The entry id is not in the code (see the top of this file), so the
 * verifier passes the one its ledger holds for the code's receipt number: look the receipt up
 * with `parseReceiptCode` first.
 */
export function verifyReceiptCode(code: string, entryId: string, mac: ReceiptMac): ReceiptCodeCheck {
  const parsed = parseReceiptCode(code);
  if (parsed === null) return { ok: false, problem: 'format' };
  let expected: string;
  try {
    expected = macTag(mac, parsed.receiptNo, parsed.amount, entryId);
  } catch {
    return { ok: false, problem: 'mac' };
  }
  // Compare every character, so the time taken does not tell how much of a forged tag matched.
  let diff = 0;
  for (let i = 0; i < 8; i += 1) diff |= expected.charCodeAt(i) ^ parsed.tag.charCodeAt(i);
  return diff === 0 ? { ok: true, receiptNo: parsed.receiptNo, amount: parsed.amount } : { ok: false, problem: 'mac' };
}

/** Names and reasons are typed by people; a control character would be an ESC/POS command. */
function clean(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, ' ').trim();
}

function methodName(method: PaymentMethod): string {
  switch (method) {
    case 'cash':
      return '现金';
    case 'bank-card':
      return '银行卡';
    case 'qr':
      return '扫码';
  }
}

function titleOf(entry: LedgerEntryDoc): string {
  switch (entry.kind) {
    case 'bill-payment':
      return '缴费收据';
    case 'top-up':
      return '购气收据';
    case 'reversal':
      return '冲正收据';
    case 'card-issue':
      return entry.cardIssue?.replacement === true ? '补卡收据' : '发卡收据';
    case 'credit-refund':
      return '退款收据';
    case 'transfer-fee':
      return '过户费收据';
    default: {
      const unreachable: never = entry.kind;
      return unreachable;
    }
  }
}

/** Builds lines for one receipt; every helper here emits only lines that fit `columns`. */
class Sheet {
  readonly lines: ReceiptLine[] = [];
  constructor(readonly columns: PaperColumns) {}

  text(text: string, align: 'left' | 'center' | 'right' = 'left', bold = false): void {
    for (const line of wrap(clean(text), this.columns)) this.lines.push({ kind: 'text', text: line, align, size: 'normal', bold });
  }

  /** Double-size text (twice as wide) when it fits on one line that way, else wrapped at half width. */
  double(text: string, align: 'left' | 'center' | 'right', bold: boolean): void {
    for (const line of wrap(clean(text), this.columns / 2)) this.lines.push({ kind: 'text', text: line, align, size: 'double', bold });
  }

  /** `label：value`, the value wrapping under the label when long. */
  field(label: string, value: string): void {
    this.text(`${label}：${clean(value)}`);
  }

  /** A label and an amount flush right. */
  amount(label: string, value: string, bold = false): void {
    for (const line of leftRight(clean(label), value, this.columns)) {
      this.lines.push({ kind: 'text', text: line, align: 'left', size: 'normal', bold });
    }
  }

  rule(char: '-' | '=' = '-'): void {
    this.lines.push({ kind: 'rule', char });
  }
}

function items(sheet: Sheet, entry: LedgerEntryDoc): void {
  switch (entry.kind) {
    case 'bill-payment':
      for (const bill of entry.bills) {
        sheet.amount(`${bill.period} 燃气费`, formatYuan(bill.amount));
        if (bill.lateFee > 0) sheet.amount(`违约金（逾期${bill.overdueDays}天）`, formatYuan(bill.lateFee));
      }
      break;
    case 'top-up': {
      const card = entry.card;
      // A top-up always carries its card record; if one ever does not, the money was still
      // taken and the customer still gets a receipt, just without the breakdown.
      if (card === undefined) {
        sheet.amount('购气', formatYuan(entry.amount));
        break;
      }
      sheet.amount('购气量', formatCubicMetres(card.volume));
      for (const part of card.parts) {
        sheet.amount(`第${part.tierIndex + 1}档 ${formatCubicMetres(part.volume)} × ${formatUnitPrice(part.price)} =`, formatYuan(part.amount));
      }
      sheet.amount('年累计购气', formatCubicMetres(card.yearToDateAfter));
      sheet.amount('购气序号', String(card.sequence));
      break;
    }
    case 'reversal':
      if (entry.reversal !== null) {
        sheet.field('冲正原业务', entry.reversal.reversesEntryId);
        sheet.field('冲正原因', entry.reversal.reason);
        sheet.field('批准人', `${entry.reversal.approvedBy.name} 工号${entry.reversal.approvedBy.staffNo}`);
      }
      if (entry.card !== undefined) sheet.amount('注销购气序号', String(entry.card.sequence));
      break;
    case 'card-issue': {
      const issue = entry.cardIssue;
      if (issue === undefined) break;
      sheet.field('卡号', issue.serial);
      sheet.amount('卡代次', String(issue.generation));
      if (issue.previousSerial !== null) sheet.field('原卡号', issue.previousSerial);
      if (issue.reason !== null) sheet.field('补卡原因', issue.reason);
      if (issue.carried !== null) sheet.amount('补写购气序号', String(issue.carried.sequence));
      break;
    }
    case 'credit-refund':
      sheet.amount('预存退款', formatYuan(entry.amount));
      if (entry.refund !== undefined) {
        sheet.field('退款原因', entry.refund.reason);
        sheet.field('批准人', `${entry.refund.approvedBy.name} 工号${entry.refund.approvedBy.staffNo}`);
      }
      break;
    case 'transfer-fee':
      sheet.amount('过户手续费', formatYuan(entry.amount));
      break;
    default: {
      const unreachable: never = entry.kind;
      return unreachable;
    }
  }
  // Credit used or added is a line of its own, so the printed lines always add up to 合计.
  if (entry.kind !== 'reversal' && entry.kind !== 'credit-refund' && entry.creditDelta !== 0) {
    sheet.amount(entry.creditDelta < 0 ? '预存抵扣' : '存入预存', formatYuan(entry.creditDelta));
  }
}

/** What every receipt starts with: who issued it, what it is, its number, when and by whom. */
function head(sheet: Sheet, input: Pick<ReceiptInput, 'station' | 'operator' | 'receiptNo' | 'reprint'>, title: string, at: string): void {
  const { station, operator } = input;
  if (!Number.isInteger(input.reprint) || input.reprint < 0) throw new ReceiptError(`not a reprint count: ${input.reprint}`);
  sheet.double(station.utilityName, 'center', true);
  sheet.text(station.stationKind === 'van' ? `${station.stationName}（流动服务车）` : station.stationName, 'center');
  sheet.text(title, 'center', true);
  if (input.reprint > 0) sheet.text(`重打（第${input.reprint}次）`, 'center', true);
  sheet.rule('=');
  sheet.field('收据号', input.receiptNo);
  sheet.field('时间', localDateTimeOf(new Date(at), station.timeZone));
  sheet.field('营业员', `${operator.name} 工号${operator.staffNo}`);
}

/** What every receipt ends with: the verification code, the hotline, the cut. */
function foot(sheet: Sheet, code: string, hotline: string): void {
  sheet.lines.push({ kind: 'qr', data: code });
  sheet.text('扫码核验收据', 'center');
  sheet.text(`服务热线：${hotline}`, 'center');
  sheet.lines.push({ kind: 'feed', lines: 2 }, { kind: 'cut' });
}

/** The receipt for `input.entry`, as lines that each fit `input.paperColumns`. */
export function layoutReceipt(input: ReceiptInput, mac: ReceiptMac): ReceiptLine[] {
  const { entry, account, station, paperColumns } = input;
  const code = receiptCode(input.receiptNo, entry.amount, entry.entryId, mac);
  const sheet = new Sheet(paperColumns);

  head(sheet, input, titleOf(entry), entry.at);
  sheet.field('户号', account.accountNo);
  sheet.field('户名', account.ownerName);
  if (account.idNumber !== '') sheet.field('证件号', maskIdNumber(account.idNumber));
  sheet.rule();

  items(sheet, entry);
  sheet.rule();

  const total = formatYuan(entry.amount);
  const half = paperColumns / 2;
  if (displayWidth('合计') + 1 + displayWidth(total) <= half) {
    for (const line of leftRight('合计', total, half)) sheet.lines.push({ kind: 'text', text: line, align: 'left', size: 'double', bold: true });
  } else {
    sheet.amount('合计', total, true);
  }
  if (entry.method !== null) {
    sheet.amount(entry.amount < 0 ? '退款方式' : '支付方式', methodName(entry.method));
    if (entry.method === 'cash') {
      if (entry.tendered !== null) sheet.amount('实收', formatYuan(entry.tendered));
      if (entry.change !== null) sheet.amount('找零', formatYuan(entry.change));
    } else if (entry.reference !== null) {
      sheet.field('交易参考号', entry.reference);
    }
  }
  if (input.creditLeft !== null) sheet.amount('预存余额', formatYuan(input.creditLeft));
  sheet.rule();

  foot(sheet, code, station.hotline);
  return sheet.lines;
}

/** What an account opening 开户 receipt shows besides the account and the clerk. */
export interface OpeningReceiptInput extends Omit<ReceiptInput, 'entry' | 'creditLeft'> {
  at: string;
  opening: { address: string; meterNo: string; meterKind: string; tariffName: string; phoneMasked: string };
}

/** The subject the MAC of an opening receipt covers in place of an entry id (an opening moves no money). */
export function openingSubject(accountNo: string): string {
  return `account-opening:${accountNo}`;
}

/** The receipt 开户回执 of a new account: no money moved, so no items; the customer keeps the account number. */
export function layoutOpeningReceipt(input: OpeningReceiptInput, mac: ReceiptMac): ReceiptLine[] {
  const { account, station, paperColumns, opening } = input;
  const code = receiptCode(input.receiptNo, 0 as Fen, openingSubject(account.accountNo), mac);
  const sheet = new Sheet(paperColumns);
  head(sheet, input, '开户回执', input.at);
  sheet.rule();
  for (const line of leftRight('户号', account.accountNo, paperColumns / 2)) sheet.lines.push({ kind: 'text', text: line, align: 'left', size: 'double', bold: true });
  sheet.field('户名', account.ownerName);
  if (account.idNumber !== '') sheet.field('证件号', maskIdNumber(account.idNumber));
  sheet.field('电话', opening.phoneMasked);
  sheet.field('地址', opening.address);
  sheet.field('表号', opening.meterNo);
  sheet.field('表型', opening.meterKind === 'prepaid-card' ? 'IC卡预付费表' : '普通表（后付费）');
  sheet.field('气价', opening.tariffName);
  sheet.rule();
  sheet.text('请妥善保管户号，缴费、购气时出示。', 'left');
  foot(sheet, code, station.hotline);
  return sheet.lines;
}

/** The subject the MAC of a transfer receipt covers: the transfer document, whether or not a fee entry came with it. */
export function transferSubject(eventId: string): string {
  return `transfer:${eventId}`;
}

/** Names of the documents a clerk ticks at a transfer (the codes of core/contract/transfer.ts). */
const TRANSFER_DOCUMENT_NAMES: Readonly<Record<string, string>> = {
  'id-card': '身份证',
  'property-deed': '房产证',
  'transfer-agreement': '过户协议',
  'household-register': '户口簿',
  'death-certificate': '死亡证明',
  'court-order': '法院文书',
};

export interface TransferReceiptInput extends Omit<ReceiptInput, 'entry' | 'creditLeft'> {
  at: string;
  transfer: { eventId: string; newOwnerName: string; newIdNumberMasked: string; newPhoneMasked: string; documentsSeen: readonly string[]; fee: Fen };
  /** The fee's ledger entry (how it was paid); null when the transfer was free. */
  entry: LedgerEntryDoc | null;
}

/**
 * The 过户回执: old and new owner (ID numbers masked), the documents seen, the fee. The transfer
 * is pending until central applies it, which the receipt says.
 */
export function layoutTransferReceipt(input: TransferReceiptInput, mac: ReceiptMac): ReceiptLine[] {
  const { account, station, paperColumns, transfer, entry } = input;
  const code = receiptCode(input.receiptNo, transfer.fee, transferSubject(transfer.eventId), mac);
  const sheet = new Sheet(paperColumns);
  head(sheet, input, '过户回执', input.at);
  sheet.field('户号', account.accountNo);
  sheet.rule();
  sheet.field('原户名', account.ownerName);
  if (account.idNumber !== '') sheet.field('原证件号', maskIdNumber(account.idNumber));
  sheet.field('新户名', transfer.newOwnerName);
  sheet.field('新证件号', transfer.newIdNumberMasked);
  sheet.field('新电话', transfer.newPhoneMasked);
  sheet.field('已验证件', transfer.documentsSeen.map((code) => TRANSFER_DOCUMENT_NAMES[code] ?? code).join('、'));
  sheet.rule();
  sheet.amount('过户手续费', formatYuan(transfer.fee), true);
  if (entry !== null && entry.method !== null) {
    sheet.amount('支付方式', methodName(entry.method));
    if (entry.method === 'cash') {
      if (entry.tendered !== null) sheet.amount('实收', formatYuan(entry.tendered));
      if (entry.change !== null) sheet.amount('找零', formatYuan(entry.change));
    } else if (entry.reference !== null) {
      sheet.field('交易参考号', entry.reference);
    }
  }
  sheet.rule();
  sheet.text('过户待燃气公司中心确认后生效。', 'left');
  foot(sheet, code, station.hotline);
  return sheet.lines;
}

/** Columns a text line takes on paper: double-size text is twice as wide. */
export function lineWidth(line: Extract<ReceiptLine, { kind: 'text' }>): number {
  return displayWidth(line.text) * (line.size === 'double' ? 2 : 1);
}

/**
 * The receipt as plain text, one string with '\n' between lines, trailing spaces trimmed: for
 * tests and the on-screen preview. Double-size text cannot be shown in plain text; it is
 * placed where it starts on paper and shown at normal size. The QR code shows as `[QR: …]`,
 * the cut as a line of `- - -`.
 */
export function renderPlainText(lines: readonly ReceiptLine[], columns: number): string {
  const out: string[] = [];
  for (const line of lines) {
    switch (line.kind) {
      case 'text': {
        const scale = line.size === 'double' ? 2 : 1;
        const text = truncate(line.text, Math.floor(columns / scale));
        const spare = columns - displayWidth(text) * scale;
        const lead = line.align === 'center' ? Math.floor(spare / 2) : line.align === 'right' ? spare : 0;
        out.push((' '.repeat(lead) + text).trimEnd());
        break;
      }
      case 'rule':
        out.push(line.char.repeat(columns));
        break;
      case 'qr': {
        const shown = `[QR: ${line.data}]`;
        const spare = columns - displayWidth(shown);
        out.push(spare > 0 ? padStart(shown, displayWidth(shown) + Math.floor(spare / 2)) : shown);
        break;
      }
      case 'feed':
        for (let i = 0; i < line.lines; i += 1) out.push('');
        break;
      case 'cut':
        out.push('- '.repeat(columns / 2).trimEnd());
        break;
    }
  }
  return out.join('\n');
}
