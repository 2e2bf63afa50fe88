import { err, ok } from '../../../core/contract/result.js';
import type { PaymentQuote } from '../../../core/contract/views.js';
import { billSettlements, creditBalance, makeEntryId } from '../../../core/ledger/rules.js';
import { addFen, maxFen, minFen, negFen, subFen, ZERO_FEN } from '../../../core/money/money.js';
import { CURRENT_SCHEMA_VERSION, docId } from '../../../core/schema/documents.js';
import { billStates, loadAccount, loadBills, tariffVersionFor, toEntryView, today } from '../account-view.js';
import { requireSession, type StationContext } from '../context.js';
import { commitEntry, findCommitted } from '../ledger-writer.js';
import type { CommandHandlers } from './types.js';

function sweepExpired(ctx: StationContext, nowMs: number): void {
  for (const [txnId, pending] of ctx.pendingPayments) {
    // Kept a while past expiry so a late confirm hears TXN_EXPIRED rather than TXN_UNKNOWN.
    if (nowMs > pending.expiresAtMs + 3_600_000) ctx.pendingPayments.delete(txnId);
  }
}

export const paymentHandlers = {
  'payments.prepare': async ({ accountNo, billIds, useCredit }, call, ctx) => {
    const session = requireSession(call);
    const account = await loadAccount(ctx, accountNo);
    if (!account) return err('ACCOUNT_NOT_FOUND', `no account ${accountNo}`);
    if (account.status === 'closed') return err('ACCOUNT_CLOSED', `account ${accountNo} is closed`);
    if (new Set(billIds).size !== billIds.length) return err('INVALID_INPUT', 'a bill is listed twice', { issues: [{ path: 'billIds', message: 'duplicate bill id' }] });

    const onDate = today(ctx);
    const entries = ctx.ledger.forAccount(accountNo);
    const states = billStates(ctx, await loadBills(ctx, accountNo), entries, onDate);
    for (const billId of billIds) {
      const state = states.find((s) => s.bill.billId === billId);
      if (!state) return err('BILL_NOT_FOUND', `no bill ${billId} on account ${accountNo}`);
      if (state.view.status === 'paid') return err('BILL_ALREADY_PAID', `bill ${billId} is already paid`, { billId });
    }
    // Oldest first: the chosen bills must be the oldest unpaid ones (a late fee keeps growing on an old bill).
    const unpaid = states.filter((s) => s.view.status === 'unpaid');
    const chosen = new Set(billIds);
    const oldest = unpaid.slice(0, billIds.length);
    if (!oldest.every((s) => chosen.has(s.bill.billId))) {
      return err('BILLS_OUT_OF_ORDER', 'bills are paid oldest first', { oldestUnpaid: unpaid[0]?.bill.billId ?? null });
    }
    const tariff = tariffVersionFor(ctx, account, onDate);
    if (!tariff) return err('NO_TARIFF', `no tariff ${account.tariffCode} in force on ${onDate}`);

    const lines = oldest.map((s) => ({ billId: s.bill.billId, period: s.bill.period, amount: s.view.amount, lateFee: s.view.lateFee, overdueDays: s.view.overdueDays }));
    const billsTotal = addFen(...lines.map((l) => l.amount));
    const lateFeesTotal = addFen(...lines.map((l) => l.lateFee));
    const total = addFen(billsTotal, lateFeesTotal);
    const credit = creditBalance(account.openingCredit, entries, states.map((s) => s.bill));
    const creditApplied = useCredit === false ? ZERO_FEN : maxFen(ZERO_FEN, minFen(credit, total));
    const now = ctx.clock.now();
    const expiresAtMs = now.getTime() + ctx.config.quoteTtlSeconds * 1000;
    const quote: PaymentQuote = {
      txnId: makeEntryId(ctx.config.stationId, now, ctx.randomHex(8)),
      accountNo,
      lines,
      billsTotal,
      lateFeesTotal,
      creditApplied,
      due: subFen(total, creditApplied),
      expiresAt: new Date(expiresAtMs).toISOString(),
    };
    sweepExpired(ctx, now.getTime());
    ctx.pendingPayments.set(quote.txnId, { quote, operatorStaffNo: session.operator.staffNo, tariffVersionId: tariff.versionId, expiresAtMs });
    return ok(quote);
  },

  'payments.confirm': async ({ txnId, method, tendered, reference }, call, ctx) => {
    const session = requireSession(call);
    const replay = await findCommitted(ctx, txnId);
    if (replay) return ok({ entry: toEntryView(replay, ctx.ledger.reversalOf(replay.entryId)), replayed: true });

    const pending = ctx.pendingPayments.get(txnId);
    if (!pending) return err('TXN_UNKNOWN', 'this payment was not prepared on this station (or the station restarted): prepare it again');
    if (pending.operatorStaffNo !== session.operator.staffNo) return err('TXN_MISMATCH', 'this payment was prepared by another operator');
    if (ctx.clock.now().getTime() > pending.expiresAtMs) return err('TXN_EXPIRED', 'the quote has expired: prepare it again');
    const { quote } = pending;
    if (method === 'cash') {
      if (tendered === undefined) return err('TENDERED_TOO_LOW', 'enter the cash handed over');
      if (tendered < quote.due) return err('TENDERED_TOO_LOW', 'the cash handed over is less than the amount due', { due: quote.due, tendered });
    } else if (reference === undefined) {
      return err('REFERENCE_REQUIRED', 'bank card and QR payments need the payer reference');
    }

    return ctx.writer.run(async () => {
      // Checked again inside the writer: a second confirm of the same id waits here and finds the first.
      const committed = await findCommitted(ctx, txnId);
      if (committed) return ok({ entry: toEntryView(committed, ctx.ledger.reversalOf(committed.entryId)), replayed: true });
      const entries = ctx.ledger.forAccount(quote.accountNo);
      const billDocs = await loadBills(ctx, quote.accountNo);
      const settled = billSettlements(billDocs, entries);
      const alreadyPaid = quote.lines.find((line) => settled.has(line.billId));
      if (alreadyPaid) return err('BILL_ALREADY_PAID', `bill ${alreadyPaid.billId} was paid after this quote was made`, { billId: alreadyPaid.billId });
      const account = await loadAccount(ctx, quote.accountNo);
      if (!account) return err('ACCOUNT_NOT_FOUND', `no account ${quote.accountNo}`);
      if (creditBalance(account.openingCredit, entries, billDocs) < quote.creditApplied) return err('TXN_EXPIRED', 'the account credit changed: prepare it again');

      const result = await commitEntry(
        ctx,
        {
          _id: docId.ledger(txnId),
          type: 'ledger-entry',
          schemaVersion: CURRENT_SCHEMA_VERSION['ledger-entry'],
          entryId: txnId,
          kind: 'bill-payment',
          stationId: ctx.config.stationId,
          at: ctx.clock.now().toISOString(),
          operator: { staffNo: session.operator.staffNo, name: session.operator.name },
          accountNo: quote.accountNo,
          tariffVersionId: pending.tariffVersionId,
          amount: quote.due,
          method,
          reference: method === 'cash' ? null : (reference ?? null),
          tendered: method === 'cash' ? (tendered ?? null) : null,
          change: method === 'cash' && tendered !== undefined ? subFen(tendered, quote.due) : null,
          bills: quote.lines,
          creditDelta: negFen(quote.creditApplied),
          reversal: null,
        },
        [],
        { queue: true, refuseWithoutNumber: true },
      );
      if (!result.ok) return result;
      ctx.pendingPayments.delete(txnId);
      const entry = toEntryView(result.value, undefined);
      ctx.emit('ledger.committed', { accountNo: entry.accountNo, entry });
      return ok({ entry, replayed: false });
    });
  },
} satisfies Pick<CommandHandlers, 'payments.prepare' | 'payments.confirm'>;
