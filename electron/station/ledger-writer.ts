/**
 * Commits one ledger entry: the entry and its audit records go to disk in ONE bulkDocs, which
 * PouchDB turns into one LevelDB batch, which the synced leveldown flushes before the callback
 * (durable-leveldown.ts). Only then is the clerk told it is done. Call inside a WriteQueue task.
 *
 * The audit record for the entry carries a digest of the entry, so an entry edited on disk after
 * the fact no longer matches the chain (see AuditLog.verify).
 */
import { err, ok, type Result } from '../../core/contract/result.js';
import { docId, type LedgerEntryDoc } from '../../core/schema/documents.js';
import { parseDocument } from '../../core/schema/upgrades.js';
import { entryDigest, type AuditEvent } from './audit-log.js';
import type { StationContext } from './context.js';
import { isNotFound } from './database.js';
import type PouchDB from 'pouchdb';
import type { ReceiptRequest } from './receipt-book.js';
import { creditBalance } from '../../core/ledger/rules.js';
import { loadAccount, loadBills } from './account-view.js';

/**
 * The receipt of an entry: queue its original now, or (a top-up) once its card holds it. The
 * owner and the credit left come from the account as it stands at commit.
 */
export interface EntryReceipt {
  readonly queue: ReceiptRequest['queue'];
  /**
   * Without a receipt number (the range used up) the entry is refused: right before anything
   * happened. False where the card already changed (an issued card, a cancel record on a card):
   * the entry must be recorded regardless, and goes without a receipt.
   */
  readonly refuseWithoutNumber: boolean;
}

/** The entry before its audit seq is known (a mapped type: `Omit` on a loose schema type loses the named fields). */
export type UncommittedEntry = { [K in keyof LedgerEntryDoc as K extends 'auditSeq' ? never : K]: LedgerEntryDoc[K] };

/** The committed entry with this id, if any: from memory, else from disk (after a restart). */
export async function findCommitted(ctx: StationContext, entryId: string): Promise<LedgerEntryDoc | null> {
  const known = ctx.ledger.get(entryId);
  if (known) return known;
  try {
    const entry = parseDocument('ledger-entry', await ctx.dbs.station.get(docId.ledger(entryId)));
    ctx.ledger.add(entry);
    return entry;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * Every entry takes a receipt number from this station's range in the same bulkDocs, and (unless
 * `receipt.queue` is false) the print job of its receipt: printing follows from the persisted
 * queue after the clerk was told it is done, so no printer trouble can hold up or lose a sale.
 */
export async function commitEntry(ctx: StationContext, uncommitted: UncommittedEntry, extraAudit: readonly AuditEvent[], receipt: EntryReceipt): Promise<Result<LedgerEntryDoc>> {
  // The ledger-entry record comes last so its seq is known before the entry is sealed by the digest.
  const auditSeq = ctx.audit.head.seq + extraAudit.length + 1;
  // The hall ticket this counter is serving goes on the entry now, at commit: an entry is never
  // edited afterwards, so "who served A012 and what was done" is read from the entries alone.
  const ticket = ctx.hall.servingTicket();
  const entry: LedgerEntryDoc = { ...uncommitted, auditSeq, ...(ticket === null ? {} : { ticket }) };
  const records = ctx.audit.prepare([
    ...extraAudit,
    {
      kind: 'ledger-entry',
      actor: entry.operator.staffNo,
      subject: entry.entryId,
      detail: { kind: entry.kind, accountNo: entry.accountNo, amount: entry.amount, digest: entryDigest(entry) },
    },
  ]);
  const account = await loadAccount(ctx, entry.accountNo);
  // The credit left is shown where the entry touched it (bills paid from credit, and their reversal).
  const creditLeft = account && entry.creditDelta !== 0 ? creditBalance(account.openingCredit, [...ctx.ledger.forAccount(entry.accountNo), entry], await loadBills(ctx, entry.accountNo)) : null;
  const taken = ctx.receipts.take(
    {
      queue: receipt.queue,
      ownerName: account?.ownerName ?? '',
      idNumber: account?.idNumber ?? '',
      creditLeft,
      kind: entry.kind,
      accountNo: entry.accountNo,
      entryId: entry.entryId,
      amount: entry.amount,
      cash: entry.method === 'cash' && entry.amount !== 0,
      at: entry.at,
      operator: entry.operator,
    },
    ctx.clock.now(),
  );
  if (!taken.ok && receipt.refuseWithoutNumber) return taken;
  const receiptDocs = taken.ok ? taken.value.docs : [];
  let results: PouchDB.WriteResult[];
  try {
    results = await ctx.dbs.station.bulkDocs([entry, ...records, ...receiptDocs]);
  } catch (error) {
    return err('STORAGE_FAILED', `the ledger write failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const failures = results.filter((result) => 'error' in result && result.error);
  if (failures.length > 0) {
    // One LevelDB batch is all or nothing on disk, but PouchDB judges each document first; a
    // refused document (a conflict) means nothing of ours was meant to be written.
    return err('STORAGE_FAILED', `the ledger write was refused: ${failures.map((f) => ('message' in f ? String(f.message) : 'error')).join('; ')}`);
  }
  ctx.audit.advance(records);
  ctx.ledger.add(entry);
  if (taken.ok) {
    ctx.receipts.committed(taken.value, results);
    if (taken.value.job) ctx.printQueue.enqueue(taken.value.job);
  }
  return ok(entry);
}
