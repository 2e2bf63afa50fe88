/** Builds what the account page shows from the stored documents; everything derived, nothing stored. */
import { readDocument } from '../../core/schema/upgrades.js';
import { lateFee } from '../../core/billing/late-fee.js';
import type { AccountDetail, BillView, LedgerEntryView } from '../../core/contract/views.js';
import { maskIdNumber } from '../../core/identity/id-number.js';
import { billSettlements, creditBalance, doublePayments, reversalsByOriginal } from '../../core/ledger/rules.js';
import { addFen, fen, ZERO_FEN } from '../../core/money/money.js';
import { docId, type AccountDoc, type BillDoc, type LedgerEntryDoc } from '../../core/schema/documents.js';
import { effectiveAccount, transferView, transfersOf } from './account-overlay.js';
import { tariffInForce } from '../../core/tariff/versions.js';
import { localDateOf } from '../../core/time/local-date.js';
import type { StationContext } from './context.js';

/** The account as this station shows it: master's, with this station's unapplied changes over it (account-overlay.ts). */
export async function loadAccount(ctx: StationContext, accountNo: string): Promise<AccountDoc | null> {
  return (await effectiveAccount(ctx, accountNo))?.account ?? null;
}

export async function loadBills(ctx: StationContext, accountNo: string): Promise<BillDoc[]> {
  const prefix = docId.billPrefix(accountNo);
  const page = await ctx.dbs.master.allDocs({ startkey: prefix, endkey: `${prefix}\uffff`, include_docs: true });
  const bills: BillDoc[] = [];
  for (const row of page.rows) {
    const parsed = readDocument('bill', row.doc);
    if (parsed.success) bills.push(parsed.data);
  }
  return bills;
}

export function today(ctx: StationContext): string {
  return localDateOf(ctx.clock.now(), ctx.config.timeZone);
}

export function toEntryView(entry: LedgerEntryDoc, reversedBy: LedgerEntryDoc | undefined): LedgerEntryView {
  const { _rev: _ignored, ...rest } = entry as LedgerEntryDoc & { _rev?: string };
  return { ...rest, reversedByEntryId: reversedBy?.entryId ?? null };
}

export interface BillState {
  readonly bill: BillDoc;
  readonly view: BillView;
}

/** Every bill with its state as of today; unpaid oldest first, then paid newest first. */
export function billStates(ctx: StationContext, bills: readonly BillDoc[], entries: readonly LedgerEntryDoc[], onDate: string): BillState[] {
  const settled = billSettlements(bills, entries);
  const states = bills.map((bill): BillState => {
    const settlement = settled.get(bill.billId);
    const fee = settlement ? { fee: ZERO_FEN, overdueDays: 0 } : lateFee(bill.amount, bill.dueDate, onDate, ctx.config.lateFee);
    return {
      bill,
      view: {
        billId: bill.billId,
        period: bill.period,
        volume: bill.volume,
        amount: bill.amount,
        dueDate: bill.dueDate,
        status: settlement ? 'paid' : 'unpaid',
        lateFee: fee.fee,
        overdueDays: fee.overdueDays,
        paidByEntryId: settlement?.by === 'ledger' ? settlement.entryId : null,
        paidByStationId: settlement?.by === 'ledger' ? (entries.find((entry) => entry.entryId === settlement.entryId)?.stationId ?? null) : null,
      },
    };
  });
  const unpaid = states.filter((s) => s.view.status === 'unpaid').sort((a, b) => a.bill.period.localeCompare(b.bill.period));
  const paid = states.filter((s) => s.view.status === 'paid').sort((a, b) => b.bill.period.localeCompare(a.bill.period));
  return [...unpaid, ...paid];
}

export function tariffVersionFor(ctx: StationContext, account: AccountDoc, onDate: string) {
  return tariffInForce([...ctx.tariffs.values()], account.tariffCode, onDate);
}

export async function accountDetail(ctx: StationContext, account: AccountDoc): Promise<AccountDetail> {
  const onDate = today(ctx);
  const entries = ctx.ledger.forAccount(account.accountNo);
  const billDocs = await loadBills(ctx, account.accountNo);
  const bills = billStates(ctx, billDocs, entries, onDate);
  const transfers = (await transfersOf(ctx, account.accountNo)).map(transferView);
  const reversals = reversalsByOriginal(entries);
  const history = [...entries]
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.entryId < b.entryId ? 1 : -1))
    .map((entry) => toEntryView(entry, reversals.get(entry.entryId)));
  const arrears = addFen(...bills.filter((s) => s.view.status === 'unpaid').map((s) => addFen(s.view.amount, s.view.lateFee)));
  const tariff = tariffVersionFor(ctx, account, onDate);
  const nextDue = account.inspection.nextDueDate;
  return {
    account: {
      accountNo: account.accountNo,
      ownerName: account.ownerName,
      idNumberMasked: maskIdNumber(account.idNumber),
      phone: account.phone,
      address: account.address,
      districtName: account.districtName,
      meterNo: account.meterNo,
      meterKind: account.meterKind,
      cardSerial: account.cardSerial,
      customerType: account.customerType,
      status: account.status,
      openedOn: account.openedOn,
    },
    inspection: { ...account.inspection, overdue: nextDue !== null && nextDue < onDate },
    tariff: tariff ? { versionId: tariff.versionId, name: tariff.name, effectiveFrom: tariff.effectiveFrom, pricing: tariff.pricing } : null,
    bills: bills.map((s) => s.view),
    arrears: fen(arrears),
    creditBalance: creditBalance(account.openingCredit, entries, billDocs),
    doublePayments: doublePayments(billDocs, entries).map((double) => ({
      billId: double.billId,
      period: double.period,
      entryId: double.entryId,
      stationId: double.stationId,
      at: double.at,
      amount: double.amount,
      settledByEntryId: double.settledBy.by === 'ledger' ? double.settledBy.entryId : null,
      settledByStationId: double.settledBy.by === 'ledger' ? (ctx.ledger.get(double.settledBy.entryId)?.stationId ?? null) : null,
    })),
    transferFee: fen(ctx.config.transferFee),
    pendingTransfer: transfers.find((transfer) => transfer.state === 'pending') ?? null,
    rejectedTransfers: transfers.filter((transfer) => transfer.state === 'rejected'),
    history,
    today: onDate,
  };
}
