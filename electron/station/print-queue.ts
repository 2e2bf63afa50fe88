/**
 * The station's print queue: prints the persisted print jobs in order, after their transactions
 * were committed, so a printer out of paper, with its cover open, offline or hung never holds up
 * or loses a sale.
 *
 * Each job goes to the printer on one connection with its real-time status (DLE EOT) asked before
 * and after (hardware/printer/print-driver.ts), and each try is recorded as a `print-attempt`:
 * - status before not fine, or no connection: nothing was sent. The queue stops on the job and
 *   asks the printer every `pollMs`; once it is fine the queue goes on by itself. The job is
 *   printed once: it was never sent before.
 * - sent, but the status after was not fine or never came: the receipt may be on paper, half or
 *   whole. The queue stops and the clerk decides: print it again (retry) or it came out; or skip.
 * - sent and fine after: printed.
 * The drawer is kicked with a cash receipt's original only, and never again on a retry of a job
 * that may have reached the printer.
 */
import { createHmac } from 'node:crypto';
import type { PrinterProblemCode, PrinterSettings, PrinterState, PrintPreview } from '../../core/contract/printing.js';
import { err, ok, type Result } from '../../core/contract/result.js';
import { layoutOpeningReceipt, layoutReceipt, layoutTransferReceipt, type ReceiptLine, type ReceiptMac } from '../../core/receipt/layout.js';
import { CURRENT_SCHEMA_VERSION, docId, type PrintAttemptDoc, type PrintJobDoc, type ReceiptDoc } from '../../core/schema/documents.js';
import type { OperatorRef } from '../../core/schema/primitives.js';
import { localDateTimeOf, type Clock } from '../../core/time/local-date.js';
import { openPrinterDriver, type PrinterDriver, type PrintOutcome } from '../../hardware/printer/print-driver.js';
import { renderPreviewPng } from '../../hardware/printer/preview.js';
import { buildReceiptJob, buildTestPage } from '../../hardware/printer/receipt-job.js';
import { startVirtualPrinter, summarizeEscPos, type CapturedJob, type VirtualPrinter, type VirtualPrinterState } from '../../hardware/printer/virtual-printer.js';
import type { AuditLog } from './audit-log.js';
import type { StationConfig } from './config.js';
import type { Database } from './database.js';
import type { LedgerIndex } from './ledger-index.js';
import type { ReceiptBook } from './receipt-book.js';
import type { WriteQueue } from './write-queue.js';

export interface PrintQueueDeps {
  readonly config: StationConfig;
  readonly db: Database;
  readonly writer: WriteQueue;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly book: ReceiptBook;
  readonly ledger: LedgerIndex;
  readonly emit: (state: PrinterState) => void;
  readonly log: { info(message: string): void; error(message: string, error: unknown): void };
  /** How often a stopped queue asks the printer whether it is fine again. */
  readonly pollMs?: number;
  /** How long the printer may take to answer a status request. */
  readonly timeoutMs?: number;
  /** A CJK font for raster receipts and previews (else the usual system places). */
  readonly fontPath?: string | null;
}

interface Blocked {
  readonly job: PrintJobDoc;
  readonly problem: PrinterProblemCode;
  readonly detail: string;
  /** The job reached the printer but the status after was not fine: the clerk decides. */
  readonly uncertain: boolean;
}

const PREVIEWS_KEPT = 12;

/** A job the virtual printer finished, drawn only when a screen asks for it. */
interface Captured {
  readonly jobNo: number;
  readonly at: string;
  readonly job: CapturedJob;
  /** The paper it was printed on. */
  readonly columns: PrinterSettings['paperColumns'];
  drawn?: PrintPreview;
}

/** HMAC-SHA256 with the station's receipt key, for the receipt's QR verification tag. */
export function receiptMacFor(keyHex: string): ReceiptMac {
  const key = Buffer.from(keyHex, 'hex');
  return (text) => createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

export class PrintQueue {
  private driver: PrinterDriver | null = null;
  private virtual: VirtualPrinter | null = null;
  private pending: PrintJobDoc[] = [];
  private blocked: Blocked | null = null;
  private printingJob: PrintJobDoc | null = null;
  private pump: Promise<void> | null = null;
  /** One conversation with the printer at a time (a job, a test page, a status poll). */
  private printerTurn: Promise<unknown> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private nextPreviewNo = 1;
  private readonly mac: ReceiptMac;

  constructor(
    private readonly deps: PrintQueueDeps,
    receiptKeyHex: string,
  ) {
    this.mac = receiptMacFor(receiptKeyHex);
  }

  async start(): Promise<void> {
    this.pending = this.deps.book.pendingJobs();
    await this.openPrinter();
    if (this.pending.length > 0) this.deps.log.info(`${this.pending.length} receipts wait to be printed`);
    this.kick();
  }

  private get settings(): PrinterSettings {
    return this.deps.config.printer;
  }

  state(): PrinterState {
    const blocked = this.blocked;
    const off = this.settings.interface.kind === 'none';
    return {
      settings: this.settings,
      status: off ? 'off' : blocked ? 'blocked' : this.printingJob ? 'printing' : 'idle',
      problem: blocked?.problem ?? null,
      detail: blocked?.detail ?? null,
      queued: this.pending.length,
      blockedJob: blocked ? { jobId: blocked.job.jobId, receiptNo: blocked.job.receiptNo, uncertain: blocked.uncertain } : null,
      receiptNumbersLeft: this.deps.book.numbersLeft(this.deps.clock.now()),
    };
  }

  private changed(): void {
    if (!this.closed) this.deps.emit(this.state());
  }

  /** A job written to disk (with its entry, a card-write or a reprint): print it in turn. */
  enqueue(job: PrintJobDoc): void {
    if (this.pending.some((known) => known.jobId === job.jobId)) return;
    this.pending.push(job);
    this.changed();
    this.kick();
  }

  /** Resolves once nothing is printing: the queue is empty, stopped, or has no printer. For tests and the bench. */
  async settled(): Promise<void> {
    while (this.pump) await this.pump;
  }

  private kick(): void {
    if (this.pump || this.closed) return;
    this.pump = this.drain().finally(() => {
      this.pump = null;
      this.changed();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const job = this.pending[0];
      const driver = this.driver;
      if (!job || !driver || this.blocked || this.closed) return;
      this.printingJob = job;
      this.changed();
      try {
        const outcome = await this.printOne(job, driver);
        if (outcome === 'printed') this.pending.shift();
      } finally {
        this.printingJob = null;
      }
    }
  }

  private async printOne(job: PrintJobDoc, driver: PrinterDriver): Promise<'printed' | 'stopped'> {
    const { mode, paperColumns } = this.settings;
    let bytes: Uint8Array;
    try {
      bytes = buildReceiptJob(this.linesOf(job), { columns: paperColumns, mode, kickDrawer: this.kicksDrawer(job), fontPath: this.deps.fontPath ?? null, qrAsImage: this.settings.model === 'escpos-no-qr' });
    } catch (error) {
      // A raster receipt without a CJK font, or a receipt that cannot be laid out: nothing was sent.
      const detail = error instanceof Error ? error.message : String(error);
      this.deps.log.error(`receipt ${job.receiptNo} could not be drawn`, error);
      this.stopOn(job, mode === 'raster' ? 'raster-unavailable' : 'error', detail, false);
      return 'stopped';
    }
    const outcome = await this.withPrinter(() => driver.print(bytes));
    await this.collectPreviews();
    const recorded = await this.recordAttempt(job, outcome, bytes.length);
    if (!recorded) {
      this.stopOn(job, 'error', 'the print attempt could not be recorded', outcome.kind !== 'not-sent');
      return 'stopped';
    }
    switch (outcome.kind) {
      case 'printed':
        return 'printed';
      case 'not-sent':
        this.stopOn(job, outcome.problem, outcome.detail, false);
        return 'stopped';
      case 'unconfirmed':
        this.stopOn(job, outcome.problem, outcome.detail, true);
        return 'stopped';
    }
  }

  private stopOn(job: PrintJobDoc, problem: PrinterProblemCode, detail: string, uncertain: boolean): void {
    this.blocked = { job, problem, detail, uncertain };
    this.deps.log.info(`printing stopped on receipt ${job.receiptNo}: ${problem} (${detail})`);
    this.changed();
    this.schedulePoll();
  }

  /** While stopped, ask the printer how it is: go on once it is fine (unless the clerk must decide). */
  private schedulePoll(): void {
    if (this.pollTimer || this.closed) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      void this.poll();
    }, this.deps.pollMs ?? 2000);
  }

  private async poll(): Promise<void> {
    const blocked = this.blocked;
    const driver = this.driver;
    if (!blocked || !driver || this.closed) return;
    if (blocked.problem === 'raster-unavailable' || blocked.problem === 'error') return; // only a change of settings or a retry helps
    const check = await this.withPrinter(() => driver.check());
    await this.collectPreviews();
    if (this.blocked !== blocked) return; // the clerk acted meanwhile
    if (check.ok && !blocked.uncertain) {
      this.blocked = null;
      this.deps.log.info('the printer is fine again: printing goes on');
      this.kick();
      return;
    }
    if (!check.ok && check.problem !== null && check.problem !== blocked.problem) {
      this.blocked = { ...blocked, problem: check.problem, detail: check.detail ?? blocked.detail };
      this.changed();
    }
    this.schedulePoll();
  }

  private withPrinter<T>(talk: () => Promise<T>): Promise<T> {
    const turn = this.printerTurn.then(talk, talk);
    this.printerTurn = turn.catch(() => undefined);
    return turn;
  }

  /** The original of a cash receipt opens the drawer, once: not a reprint, not a resend of a job that may have reached the printer. */
  private kicksDrawer(job: PrintJobDoc): boolean {
    const receipt = this.deps.book.receipt(job.receiptNo);
    if (!receipt?.cash || !this.settings.kickDrawerOnCash || job.reprint !== 0) return false;
    return !this.deps.book.attemptsOf(job.jobId).some((attempt) => attempt.outcome === 'unconfirmed');
  }

  private linesOf(job: PrintJobDoc): ReceiptLine[] {
    const receipt = this.deps.book.receipt(job.receiptNo);
    if (!receipt) throw new Error(`no receipt ${job.receiptNo}`);
    return this.layout(receipt, job.reprint);
  }

  private layout(receipt: ReceiptDoc, reprint: number): ReceiptLine[] {
    const { snapshot } = receipt;
    const station = { utilityName: snapshot.utilityName, stationName: snapshot.stationName, stationKind: snapshot.stationKind, hotline: snapshot.hotline, timeZone: snapshot.timeZone };
    const account = { accountNo: receipt.accountNo, ownerName: snapshot.ownerName, idNumber: snapshot.idNumberMasked };
    const common = { account, operator: receipt.operator, station, receiptNo: receipt.receiptNo, reprint, paperColumns: this.settings.paperColumns };
    if (receipt.kind === 'ownership-transfer' && snapshot.transfer) {
      const fee = receipt.entryId === null ? null : (this.deps.ledger.get(receipt.entryId) ?? null);
      return layoutTransferReceipt({ ...common, at: receipt.at, transfer: snapshot.transfer, entry: fee }, this.mac);
    }
    if (receipt.entryId === null) {
      if (!snapshot.opening) throw new Error(`receipt ${receipt.receiptNo} has neither an entry nor an opening`);
      return layoutOpeningReceipt({ ...common, at: receipt.at, opening: snapshot.opening }, this.mac);
    }
    const entry = this.deps.ledger.get(receipt.entryId);
    if (!entry) throw new Error(`receipt ${receipt.receiptNo}: no entry ${receipt.entryId}`);
    return layoutReceipt({ ...common, entry, creditLeft: snapshot.creditLeft }, this.mac);
  }

  private async recordAttempt(job: PrintJobDoc, outcome: PrintOutcome, bytes: number): Promise<boolean> {
    const { mode, paperColumns } = this.settings;
    return this.writeAttempt(job, {
      outcome: outcome.kind,
      problem: outcome.kind === 'printed' ? null : outcome.problem,
      detail: outcome.kind === 'printed' ? null : outcome.detail.slice(0, 300),
      mode,
      columns: paperColumns,
      bytes,
      ms: outcome.kind === 'printed' ? Math.round(outcome.ms * 10) / 10 : null,
      by: null,
    });
  }

  private async writeAttempt(job: PrintJobDoc, what: Pick<PrintAttemptDoc, 'outcome' | 'problem' | 'detail' | 'mode' | 'columns' | 'bytes' | 'ms' | 'by'>, audit?: { actor: string }): Promise<boolean> {
    try {
      await this.deps.writer.run(async () => {
        const attempt = this.deps.book.attemptsOf(job.jobId).length + 1;
        const doc: PrintAttemptDoc = {
          _id: docId.printAttempt(job.jobId, attempt),
          type: 'print-attempt',
          schemaVersion: CURRENT_SCHEMA_VERSION['print-attempt'],
          stationId: job.stationId,
          jobId: job.jobId,
          attempt,
          at: this.deps.clock.now().toISOString(),
          ...what,
        };
        const records = audit
          ? this.deps.audit.prepare([{ kind: 'print-resolved', actor: audit.actor, subject: job.receiptNo, detail: { jobId: job.jobId, outcome: what.outcome } }])
          : [];
        const results = await this.deps.db.bulkDocs([doc, ...records]);
        const failed = results.find((result) => 'error' in result && result.error);
        if (failed) throw new Error(`print attempt refused: ${JSON.stringify(failed)}`);
        this.deps.audit.advance(records);
        this.deps.book.addAttempt(doc);
      });
      return true;
    } catch (error) {
      this.deps.log.error(`could not record the print attempt of ${job.jobId}`, error);
      return false;
    }
  }

  /** Sends the job the queue stopped on again now. */
  retry(): PrinterState {
    if (this.blocked) {
      this.blocked = null;
      this.kick();
    }
    return this.state();
  }

  /** The clerk's word on a job not yet printed: it came out after all, or let it go. */
  async resolve(jobId: string, outcome: 'came-out' | 'skip', by: OperatorRef): Promise<Result<PrinterState>> {
    const job = this.pending.find((pending) => pending.jobId === jobId);
    if (!job) return err('RECEIPT_NOT_FOUND', `no print job ${jobId} is waiting`);
    if (this.printingJob?.jobId === jobId) return err('INVALID_INPUT', 'this receipt is at the printer right now', { issues: [{ path: 'jobId', message: 'at the printer' }] });
    const written = await this.writeAttempt(
      job,
      { outcome: outcome === 'came-out' ? 'came-out' : 'skipped', problem: null, detail: null, mode: null, columns: null, bytes: null, ms: null, by },
      { actor: by.staffNo },
    );
    if (!written) return err('STORAGE_FAILED', 'the decision could not be recorded');
    this.pending = this.pending.filter((pending) => pending.jobId !== jobId);
    if (this.blocked?.job.jobId === jobId) this.blocked = null;
    this.changed();
    this.kick();
    return ok(this.state());
  }

  /** New printer settings (already saved by the caller): the next job goes to the new printer. */
  async reconfigure(): Promise<PrinterState> {
    await this.withPrinter(async () => {
      await this.closePrinter();
    });
    await this.openPrinter();
    this.blocked = null;
    this.changed();
    this.kick();
    return this.state();
  }

  async testPrint(stationName: string): Promise<{ ok: boolean; problem: PrinterProblemCode | null; detail: string | null; ms: number | null }> {
    const driver = this.driver;
    if (!driver) return { ok: false, problem: 'unreachable', detail: 'no printer is configured', ms: null };
    const { paperColumns, mode } = this.settings;
    let bytes: Uint8Array;
    try {
      bytes = buildTestPage({ columns: paperColumns, mode, kickDrawer: false, fontPath: this.deps.fontPath ?? null, qrAsImage: this.settings.model === 'escpos-no-qr', stationName, at: localDateTimeOf(this.deps.clock.now(), this.deps.config.timeZone) });
    } catch (error) {
      return { ok: false, problem: mode === 'raster' ? 'raster-unavailable' : 'error', detail: error instanceof Error ? error.message : String(error), ms: null };
    }
    const outcome = await this.withPrinter(() => driver.print(bytes));
    await this.collectPreviews();
    // The test page is paper too: screens showing the virtual printer look again.
    this.changed();
    switch (outcome.kind) {
      case 'printed':
        return { ok: true, problem: null, detail: null, ms: Math.round(outcome.ms * 10) / 10 };
      case 'not-sent':
      case 'unconfirmed':
        return { ok: false, problem: outcome.problem, detail: outcome.detail, ms: null };
    }
  }

  private async openPrinter(): Promise<void> {
    const iface = this.settings.interface;
    const timeoutMs = this.deps.timeoutMs ?? 2000;
    switch (iface.kind) {
      case 'none':
        this.driver = null;
        return;
      case 'virtual':
        this.virtual = await startVirtualPrinter({ port: 0, columns: this.settings.paperColumns });
        // A new printer numbers its jobs from 1 again.
        this.seenVirtualJobs = 0;
        this.driver = openPrinterDriver({ kind: 'tcp', host: '127.0.0.1', port: this.virtual.port }, { timeoutMs });
        this.deps.log.info(`virtual receipt printer on 127.0.0.1:${this.virtual.port}`);
        return;
      case 'tcp':
        this.driver = openPrinterDriver({ kind: 'tcp', host: iface.host, port: iface.port }, { timeoutMs });
        return;
      case 'serial':
        this.driver = openPrinterDriver({ kind: 'serial', path: iface.path, baudRate: iface.baudRate }, { timeoutMs });
        return;
      case 'device':
        this.driver = openPrinterDriver({ kind: 'device', path: iface.path }, { timeoutMs });
        return;
    }
  }

  private async closePrinter(): Promise<void> {
    const { driver, virtual } = this;
    this.driver = null;
    this.virtual = null;
    await driver?.close();
    await virtual?.close();
  }

  /** The virtual printer's state, for the demo (paper out, cover open, offline, hung, fine). */
  setVirtualState(state: VirtualPrinterState): Result<{ done: true }> {
    if (!this.virtual) return err('PRINTER_NOT_VIRTUAL', 'this station prints on a real printer');
    this.virtual.setState(state);
    return ok({ done: true });
  }

  /** The virtual printer's receipts drawn as paper, newest last (drawn when asked for, not per receipt). */
  previewsAfter(afterJobNo: number): Result<PrintPreview[]> {
    if (this.settings.interface.kind !== 'virtual') return err('PRINTER_NOT_VIRTUAL', 'only the virtual printer shows its receipts on screen');
    return ok(this.captured.filter((job) => job.jobNo > afterJobNo).map((job) => this.previewOf(job)));
  }

  private seenVirtualJobs = 0;
  private captured: Captured[] = [];

  /** Keeps each job the virtual printer finished (status-only conversations are not paper). */
  private async collectPreviews(): Promise<void> {
    const virtual = this.virtual;
    if (!virtual) return;
    // The printer sees the connection close a moment after the driver closed it.
    for (let waited = 0; waited < 20 && virtual.jobs().some((job) => job.id > this.seenVirtualJobs && !job.closed); waited += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const fresh = virtual.jobs().filter((job) => job.id > this.seenVirtualJobs && job.closed);
    for (const job of fresh) {
      this.seenVirtualJobs = Math.max(this.seenVirtualJobs, job.id);
      if (job.events.every((event) => event.kind === 'status-request' || event.kind === 'init')) continue;
      this.captured.push({ jobNo: this.nextPreviewNo++, at: this.deps.clock.now().toISOString(), job, columns: this.settings.paperColumns });
    }
    if (this.captured.length > PREVIEWS_KEPT) this.captured = this.captured.slice(-PREVIEWS_KEPT);
    virtual.forgetComplete();
  }

  private previewOf(captured: Captured): PrintPreview {
    if (captured.drawn) return captured.drawn;
    const { job } = captured;
    const summary = summarizeEscPos(job.events);
    let png: Buffer;
    try {
      png = renderPreviewPng(job.events, { columns: captured.columns, fontPath: this.deps.fontPath ?? null });
    } catch (error) {
      this.deps.log.error('could not draw the receipt preview', error);
      png = Buffer.alloc(0);
    }
    captured.drawn = {
      jobNo: captured.jobNo,
      at: captured.at,
      png: `data:image/png;base64,${png.toString('base64')}`,
      text: summary.lines,
      qr: summary.qr,
      raster: job.events.some((event) => event.kind === 'raster'),
    };
    return captured.drawn;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    await this.settled();
    await this.withPrinter(() => this.closePrinter());
  }
}
