/**
 * This station's receipts 收据: their numbers, and the print jobs and attempts of each.
 *
 * A receipt number is taken from the station's range (`station-range:<stationId>:receipt`) and
 * the counter moves in the SAME bulkDocs as the entry (or opening) that takes it, with the
 * receipt document: a crash either keeps all three or none, so numbers are never used twice and
 * never skipped, offline for days. Numbers are handed out inside the WriteQueue only, so the
 * counter held here is the one on disk (its `_rev` follows every write).
 *
 * Print jobs and attempts are immutable documents too (see core/schema/documents.ts); a job is
 * pending until an attempt ends it. Everything is held in memory from start-up: a station makes a
 * few hundred receipts a day.
 */
import { err, ok, type Result } from '../../core/contract/result.js';
import type { ReceiptView } from '../../core/contract/printing.js';
import type { Fen } from '../../core/money/money.js';
import { maskIdNumber } from '../../core/identity/id-number.js';
import {
  CURRENT_SCHEMA_VERSION,
  docId,
  type PrintAttemptDoc,
  type PrintJobDoc,
  type ReceiptDoc,
  type StationRangeDoc,
} from '../../core/schema/documents.js';
import type { OperatorRef } from '../../core/schema/primitives.js';
import { parseDocument, readDocument } from '../../core/schema/upgrades.js';
import type { Stored } from './account-opening.js';
import type { StationConfig } from './config.js';
import { getOrNull, scanPrefix, type Database } from './database.js';
import { RangeBook } from './range-book.js';
import type { NumberRangeUsage } from '../../core/contract/sync.js';

/** What ends a print job. */
const FINAL_OUTCOMES: ReadonlySet<PrintAttemptDoc['outcome']> = new Set(['printed', 'came-out', 'skipped']);

/** What the caller knows that the entry does not: the account as it is now, and the credit after. */
export interface ReceiptRequest {
  readonly kind: ReceiptDoc['kind'];
  readonly accountNo: string;
  readonly entryId: string | null;
  readonly amount: Fen;
  readonly cash: boolean;
  readonly at: string;
  readonly operator: OperatorRef;
  readonly ownerName: string;
  readonly idNumber: string;
  readonly creditLeft: Fen | null;
  readonly opening?: NonNullable<ReceiptDoc['snapshot']['opening']>;
  /** An ownership transfer's 过户回执 details (the owner above is the previous owner). */
  readonly transfer?: NonNullable<ReceiptDoc['snapshot']['transfer']>;
  /** Queue the original now (false for a top-up: printed once its card holds it). */
  readonly queue: boolean;
}

/** Documents to write together with the entry, and what to tell the book once they are on disk. */
export interface TakenReceipt {
  readonly docs: readonly (Stored<StationRangeDoc> | ReceiptDoc | PrintJobDoc)[];
  readonly counter: Stored<StationRangeDoc>;
  readonly receipt: ReceiptDoc;
  readonly job: PrintJobDoc | null;
}

type WriteResults = readonly { id?: string; rev?: string }[];

function jobIdOf(stationId: string, seq: number, reprint: number): string {
  return `${stationId}:${String(seq).padStart(12, '0')}:${reprint}`;
}

function receiptNoOf(prefix: string, seq: number): string {
  return `${prefix}-${String(seq).padStart(8, '0')}`;
}

export class ReceiptBook {
  private counter: Stored<StationRangeDoc> | null;
  private readonly byNo = new Map<string, ReceiptDoc>();
  private readonly byEntry = new Map<string, ReceiptDoc>();
  private readonly byAccount = new Map<string, ReceiptDoc[]>();
  private readonly jobs = new Map<string, PrintJobDoc>();
  private readonly jobsByReceipt = new Map<string, PrintJobDoc[]>();
  private readonly attempts = new Map<string, PrintAttemptDoc[]>();

  private constructor(
    private readonly config: StationConfig,
    stored: Stored<StationRangeDoc> | null,
    private readonly ranges: RangeBook,
  ) {
    this.counter = stored;
  }

  /** `ranges`: central's grants when the station syncs; without it, station.json's range. */
  static async load(db: Database, config: StationConfig, onUnreadable: (id: string, error: unknown) => void, ranges?: RangeBook): Promise<ReceiptBook> {
    const raw = await getOrNull(db, docId.stationRange(config.stationId, 'receipt'));
    const book = new ReceiptBook(config, raw === null ? null : parseDocument('station-range', raw), ranges ?? new RangeBook(config.stationId, false));
    for await (const page of scanPrefix(db, docId.receiptPrefix(config.stationId))) {
      for (const doc of page) {
        const parsed = readDocument('receipt', doc);
        if (parsed.success) book.addReceipt(parsed.data);
        else onUnreadable(String((doc as { _id?: unknown })._id), parsed.error);
      }
    }
    for await (const page of scanPrefix(db, 'print-job:')) {
      for (const doc of page) {
        const parsed = readDocument('print-job', doc);
        if (parsed.success) book.addJob(parsed.data);
      }
    }
    for await (const page of scanPrefix(db, 'print-attempt:')) {
      for (const doc of page) {
        const parsed = readDocument('print-attempt', doc);
        if (parsed.success) book.addAttempt(parsed.data);
      }
    }
    return book;
  }

  /** The counter as station.json's range (a newly configured range starts here) or central's grants want it. */
  private currentRange(now: Date): Stored<StationRangeDoc> | null {
    const { receiptNumbers } = this.config;
    return this.ranges.current('receipt', { from: receiptNumbers.from, to: receiptNumbers.to }, this.counter, now);
  }

  numbersLeft(now: Date): number {
    return this.usage(now).left;
  }

  /** Numbers left (with later grants), and whether the status bar should warn. */
  usage(now: Date): NumberRangeUsage {
    return this.ranges.usage('receipt', this.currentRange(now));
  }

  /**
   * The next number and the documents that take it. Nothing changes here until `committed`: a
   * write that fails leaves the number to the next transaction. Call inside the WriteQueue.
   */
  take(request: ReceiptRequest, now: Date): Result<TakenReceipt> {
    const range = this.currentRange(now);
    if (range === null || range.next > range.to) {
      if (this.ranges.fromGrants) {
        // 换号段: only central hands out more; never a number from anywhere else.
        return err('RECEIPT_RANGE_EXHAUSTED', 'the receipt numbers central granted this station are used up: sync with central to get a new range', { left: 0, source: 'grants' });
      }
      return err('RECEIPT_RANGE_EXHAUSTED', `the receipt numbers of this station are used up (${this.config.receiptNumbers.from}..${this.config.receiptNumbers.to})`, { left: 0 });
    }
    const seq = range.next;
    const counter: Stored<StationRangeDoc> = { ...range, next: seq + 1, updatedAt: now.toISOString() };
    const { config } = this;
    const receipt: ReceiptDoc = {
      _id: docId.receipt(config.stationId, seq),
      type: 'receipt',
      schemaVersion: CURRENT_SCHEMA_VERSION.receipt,
      stationId: config.stationId,
      receiptNo: receiptNoOf(config.receiptNumbers.prefix, seq),
      seq,
      kind: request.kind,
      at: request.at,
      accountNo: request.accountNo,
      entryId: request.entryId,
      amount: request.amount,
      operator: request.operator,
      cash: request.cash,
      snapshot: {
        ownerName: request.ownerName,
        idNumberMasked: request.idNumber === '' ? '' : maskIdNumber(request.idNumber),
        creditLeft: request.creditLeft,
        utilityName: config.utilityName,
        stationName: config.stationName,
        stationKind: config.stationKind,
        hotline: config.hotline,
        timeZone: config.timeZone,
        opening: request.opening ?? null,
        ...(request.transfer ? { transfer: request.transfer } : {}),
      },
    };
    const job = request.queue && this.printing() ? this.jobFor(receipt, 0, request.operator, request.at) : null;
    return ok({ docs: job ? [counter, receipt, job] : [counter, receipt], counter, receipt, job });
  }

  /** Learns what `take` handed out, once its bulkDocs is on disk. */
  committed(taken: TakenReceipt, results: WriteResults): void {
    const rev = results.find((result) => result.id === taken.counter._id)?.rev;
    this.counter = rev === undefined ? taken.counter : { ...taken.counter, _rev: rev };
    this.addReceipt(taken.receipt);
    if (taken.job) this.addJob(taken.job);
  }

  /** Receipts are queued for printing only while a printer is configured. */
  private printing(): boolean {
    return this.config.printer.interface.kind !== 'none';
  }

  /** The job that prints `receipt` (again); not stored until written. */
  jobFor(receipt: ReceiptDoc, reprint: number, requestedBy: OperatorRef, at: string): PrintJobDoc {
    const jobId = jobIdOf(receipt.stationId, receipt.seq, reprint);
    return {
      _id: docId.printJob(jobId),
      type: 'print-job',
      schemaVersion: CURRENT_SCHEMA_VERSION['print-job'],
      stationId: receipt.stationId,
      jobId,
      receiptNo: receipt.receiptNo,
      reprint,
      at,
      requestedBy,
    };
  }

  /** A top-up's original, queued when its card-write is recorded (null: no printer, or queued already). */
  originalJobFor(entryId: string, requestedBy: OperatorRef, at: string): PrintJobDoc | null {
    const receipt = this.byEntry.get(entryId);
    if (!receipt || !this.printing()) return null;
    if ((this.jobsByReceipt.get(receipt.receiptNo) ?? []).some((job) => job.reprint === 0)) return null;
    return this.jobFor(receipt, 0, requestedBy, at);
  }

  /** The next reprint's number: one more than any printing so far. */
  nextReprint(receiptNo: string): number {
    return Math.max(0, ...(this.jobsByReceipt.get(receiptNo) ?? []).map((job) => job.reprint + 1));
  }

  addReceipt(receipt: ReceiptDoc): void {
    if (this.byNo.has(receipt.receiptNo)) return;
    this.byNo.set(receipt.receiptNo, receipt);
    if (receipt.entryId !== null) this.byEntry.set(receipt.entryId, receipt);
    const list = this.byAccount.get(receipt.accountNo) ?? [];
    list.push(receipt);
    this.byAccount.set(receipt.accountNo, list);
  }

  addJob(job: PrintJobDoc): void {
    if (this.jobs.has(job.jobId)) return;
    this.jobs.set(job.jobId, job);
    const list = this.jobsByReceipt.get(job.receiptNo) ?? [];
    list.push(job);
    this.jobsByReceipt.set(job.receiptNo, list);
  }

  addAttempt(attempt: PrintAttemptDoc): void {
    const list = this.attempts.get(attempt.jobId) ?? [];
    if (list.some((known) => known.attempt === attempt.attempt)) return;
    list.push(attempt);
    list.sort((a, b) => a.attempt - b.attempt);
    this.attempts.set(attempt.jobId, list);
  }

  receipt(receiptNo: string): ReceiptDoc | undefined {
    return this.byNo.get(receiptNo);
  }

  receiptOfEntry(entryId: string): ReceiptDoc | undefined {
    return this.byEntry.get(entryId);
  }

  job(jobId: string): PrintJobDoc | undefined {
    return this.jobs.get(jobId);
  }

  attemptsOf(jobId: string): readonly PrintAttemptDoc[] {
    return this.attempts.get(jobId) ?? [];
  }

  isFinished(jobId: string): boolean {
    return this.attemptsOf(jobId).some((attempt) => FINAL_OUTCOMES.has(attempt.outcome));
  }

  /** Jobs not yet ended, oldest first (job ids sort by receipt number, then reprint). */
  pendingJobs(): PrintJobDoc[] {
    return [...this.jobs.values()].filter((job) => !this.isFinished(job.jobId)).sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0));
  }

  /** The account's receipts at this station, newest first. */
  forAccount(accountNo: string): ReceiptView[] {
    const receipts = [...(this.byAccount.get(accountNo) ?? [])].sort((a, b) => b.seq - a.seq);
    return receipts.map((receipt) => this.view(receipt));
  }

  view(receipt: ReceiptDoc): ReceiptView {
    const jobs = this.jobsByReceipt.get(receipt.receiptNo) ?? [];
    const original = jobs.find((job) => job.reprint === 0);
    const outcomes = original ? this.attemptsOf(original.jobId).map((attempt) => attempt.outcome) : [];
    const print: ReceiptView['print'] = !original
      ? 'none'
      : outcomes.includes('printed') || outcomes.includes('came-out')
        ? 'printed'
        : outcomes.includes('skipped')
          ? 'skipped'
          : 'queued';
    return {
      receiptNo: receipt.receiptNo,
      kind: receipt.kind,
      at: receipt.at,
      accountNo: receipt.accountNo,
      entryId: receipt.entryId,
      amount: receipt.amount,
      operatorStaffNo: receipt.operator.staffNo,
      reprints: jobs.filter((job) => job.reprint > 0).length,
      print,
    };
  }
}
