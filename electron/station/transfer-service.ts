/**
 * Ownership transfer 过户 at the counter, offline.
 *
 * ONE bulkDocs in the station database holds the `transfer:<eventId>` document (the master-data
 * event central applies), the 'transfer-fee' ledger entry when the fee is above 0, their audit
 * records, and the 过户回执 with its number: a crash keeps all or none. Master is not touched;
 * the account shows the new owner at once, marked pending, through the account overlay, until
 * central's `outcome:` arrives (applied: master has the new owner; rejected: master's owner
 * stays and the clerk sees why).
 */
import { err, ok, type Result } from '../../core/contract/result.js';
import type { TransferInput, TransferResult } from '../../core/contract/transfer.js';
import { maskIdNumber, maskPhone } from '../../core/identity/id-number.js';
import { makeEntryId } from '../../core/ledger/rules.js';
import { fen, subFen, ZERO_FEN } from '../../core/money/money.js';
import { CURRENT_SCHEMA_VERSION, docId, type LedgerEntryDoc, type OwnershipTransferDoc } from '../../core/schema/documents.js';
import type { OperatorRef } from '../../core/schema/primitives.js';
import { effectiveAccount, refreshAccountIndex, rememberTransfer, transferView } from './account-overlay.js';
import { tariffVersionFor, toEntryView, today } from './account-view.js';
import { entryDigest, type AuditEvent } from './audit-log.js';
import type { StationContext } from './context.js';
import type PouchDB from 'pouchdb';

function invalid<T>(path: string, message: string): Result<T> {
  return err('INVALID_INPUT', message, { issues: [{ path, message }] });
}

export async function transferOwnership(ctx: StationContext, operator: OperatorRef, input: TransferInput): Promise<Result<TransferResult>> {
  const fee = fen(ctx.config.transferFee);
  const payment = input.payment;
  if (fee > 0) {
    if (payment === undefined) return invalid('payment', 'the transfer fee must be paid: choose how');
    if (payment.method === 'cash') {
      if (payment.tendered === undefined) return err('TENDERED_TOO_LOW', 'enter the cash handed over');
      if (payment.tendered < fee) return err('TENDERED_TOO_LOW', 'the cash handed over is less than the fee', { due: fee, tendered: payment.tendered });
    } else if (payment.reference === undefined) {
      return err('REFERENCE_REQUIRED', 'bank card and QR payments need the payer reference');
    }
  }

  const done = await ctx.writer.run(async (): Promise<Result<{ doc: OwnershipTransferDoc; entry: LedgerEntryDoc | null; receiptNo: string }>> => {
    // Checked inside the writer: a second click waits here and finds the first transfer pending.
    const effective = await effectiveAccount(ctx, input.accountNo);
    if (!effective) return err('ACCOUNT_NOT_FOUND', `no account ${input.accountNo}`);
    const { account } = effective;
    if (account.status === 'closed') return err('ACCOUNT_CLOSED', `account ${account.accountNo} is closed`);
    if (effective.pendingTransfer) {
      return err('TRANSFER_PENDING', `a transfer of account ${account.accountNo} made here is waiting for central`, { eventId: effective.pendingTransfer.transfer.eventId });
    }
    if (account.idNumber === input.newOwner.idNumber) return err('TRANSFER_SAME_OWNER', 'the new owner is the account’s owner already');
    const tariff = tariffVersionFor(ctx, account, today(ctx));
    if (fee > 0 && !tariff) return err('NO_TARIFF', `no tariff ${account.tariffCode} in force`);

    const now = ctx.clock.now();
    const at = now.toISOString();
    const eventId = makeEntryId(ctx.config.stationId, now, ctx.randomHex(8));
    const feeEntryId = fee > 0 ? makeEntryId(ctx.config.stationId, now, ctx.randomHex(8)) : null;
    // The transfer's audit record first, the fee entry's last: its seq is sealed into the entry.
    const transferSeq = ctx.audit.head.seq + 1;
    // The hall ticket being served goes on the fee entry as on every entry (ledger-writer.ts).
    const ticket = ctx.hall.servingTicket();
    const entry: LedgerEntryDoc | null =
      feeEntryId === null || payment === undefined || !tariff
        ? null
        : {
            _id: docId.ledger(feeEntryId),
            type: 'ledger-entry',
            schemaVersion: CURRENT_SCHEMA_VERSION['ledger-entry'],
            entryId: feeEntryId,
            kind: 'transfer-fee',
            stationId: ctx.config.stationId,
            at,
            operator,
            accountNo: account.accountNo,
            tariffVersionId: tariff.versionId,
            amount: fee,
            method: payment.method,
            reference: payment.method === 'cash' ? null : (payment.reference ?? null),
            tendered: payment.method === 'cash' ? (payment.tendered ?? null) : null,
            change: payment.method === 'cash' && payment.tendered !== undefined ? subFen(payment.tendered, fee) : null,
            bills: [],
            creditDelta: ZERO_FEN,
            reversal: null,
            auditSeq: transferSeq + 1,
            ...(ticket === null ? {} : { ticket }),
          };
    const doc: OwnershipTransferDoc = {
      _id: docId.transfer(eventId),
      type: 'ownership-transfer',
      schemaVersion: CURRENT_SCHEMA_VERSION['ownership-transfer'],
      eventId,
      stationId: ctx.config.stationId,
      at,
      operator,
      accountNo: account.accountNo,
      previousOwner: { name: account.ownerName, idNumber: account.idNumber },
      newOwner: { name: input.newOwner.name, idNumber: input.newOwner.idNumber, phone: input.newOwner.phone },
      documentsSeen: [...input.documentsSeen],
      feeEntryId,
      auditSeq: transferSeq,
    };
    // The audit records name the account and the documents, not the people: their ID numbers stay in the transfer.
    const events: AuditEvent[] = [
      { kind: 'ownership-transfer', actor: operator.staffNo, subject: account.accountNo, detail: { eventId, documentsSeen: doc.documentsSeen, feeEntryId } },
      ...(entry === null
        ? []
        : [{ kind: 'ledger-entry' as const, actor: operator.staffNo, subject: entry.entryId, detail: { kind: entry.kind, accountNo: entry.accountNo, amount: entry.amount, digest: entryDigest(entry) } }]),
    ];
    const records = ctx.audit.prepare(events);
    if (records[0]?.seq !== transferSeq || (entry !== null && records[1]?.seq !== entry.auditSeq)) throw new Error('audit sequence moved while a transfer was prepared');
    const receipt = ctx.receipts.take(
      {
        kind: 'ownership-transfer',
        accountNo: account.accountNo,
        entryId: feeEntryId,
        amount: fee,
        cash: payment?.method === 'cash' && fee > 0,
        at,
        operator,
        ownerName: account.ownerName,
        idNumber: account.idNumber,
        creditLeft: null,
        transfer: {
          eventId,
          newOwnerName: input.newOwner.name,
          newIdNumberMasked: maskIdNumber(input.newOwner.idNumber),
          newPhoneMasked: maskPhone(input.newOwner.phone),
          documentsSeen: [...input.documentsSeen],
          fee,
        },
        queue: true,
      },
      now,
    );
    if (!receipt.ok) return receipt;
    let results: PouchDB.WriteResult[];
    try {
      results = await ctx.dbs.station.bulkDocs([doc, ...(entry === null ? [] : [entry]), ...records, ...receipt.value.docs]);
    } catch (error) {
      return err('STORAGE_FAILED', `the transfer could not be written: ${error instanceof Error ? error.message : String(error)}`);
    }
    const failures = results.filter((result) => 'error' in result && result.error);
    if (failures.length > 0) return err('STORAGE_FAILED', `the transfer write was refused: ${failures.map((f) => ('message' in f ? String(f.message) : 'error')).join('; ')}`);
    ctx.audit.advance(records);
    if (entry !== null) ctx.ledger.add(entry);
    ctx.receipts.committed(receipt.value, results);
    if (receipt.value.job) ctx.printQueue.enqueue(receipt.value.job);
    await rememberTransfer(ctx, doc);
    return ok({ doc, entry, receiptNo: receipt.value.receipt.receiptNo });
  });
  if (!done.ok) return done;
  await refreshAccountIndex(ctx, input.accountNo);
  const { doc, entry, receiptNo } = done.value;
  if (entry !== null) ctx.emit('ledger.committed', { accountNo: entry.accountNo, entry: toEntryView(entry, undefined) });
  return ok({ transfer: transferView({ transfer: doc, outcome: null }), fee, receiptNo });
}
