/**
 * Receipts through the contract with a real station and a virtual printer on a loopback TCP
 * port (ESC/POS bytes, DLE EOT answers): every transaction is numbered in its own durable write
 * and printed from the persisted queue after commit; an offline printer, paper out and a cover
 * open stop the queue without touching the sale, and it goes on once the printer is fine, each
 * receipt on paper once; a reprint says 重打 and its count; the drawer opens for cash originals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PrinterSettings, PrinterState } from '../../core/contract/printing.js';
import { addFen, fen } from '../../core/money/money.js';
import { verifyReceiptCode } from '../../core/receipt/layout.js';
import { displayWidth } from '../../core/receipt/width.js';
import { receiptMacFor } from '../../electron/station/print-queue.js';
import { startVirtualPrinter, type CapturedJob, type VirtualPrinter } from '../../hardware/printer/virtual-printer.js';
import { openTestStation, unwrap, type TestStation } from '../support/station-fixture.js';

let t: TestStation | null = null;
let printer: VirtualPrinter | null = null;

afterEach(async () => {
  await t?.dispose();
  await printer?.close();
  t = null;
  printer = null;
});

function tcpPrinter(port: number, over: Partial<PrinterSettings> = {}): PrinterSettings {
  return { model: 'escpos', interface: { kind: 'tcp', host: '127.0.0.1', port }, paperColumns: 48, mode: 'text', kickDrawerOnCash: true, ...over };
}

async function open(over: Partial<PrinterSettings> = {}, extra: Parameters<typeof openTestStation>[1] = {}): Promise<{ t: TestStation; printer: VirtualPrinter; session: string }> {
  printer = await startVirtualPrinter({ port: 0 });
  t = await openTestStation(200, { printPollMs: 50, ...extra, overrides: { printer: tcpPrinter(printer.port, over), ...(extra.overrides ?? {}) } });
  const session = await t.login('1001');
  return { t, printer, session };
}

/** Receipts on paper: jobs that carried more than status requests. */
function receiptsPrinted(p: VirtualPrinter): CapturedJob[] {
  return p.jobs().filter((job) => job.closed && job.summary.lines.length > 0);
}

function receiptNoOn(job: CapturedJob): string | undefined {
  const line = job.summary.lines.find((text) => text.startsWith('收据号：'));
  return line?.slice('收据号：'.length).trim();
}

async function state(station: TestStation, session: string): Promise<PrinterState> {
  return unwrap(await station.call('printer.state', {}, session));
}

async function settledIdle(station: TestStation, session: string): Promise<PrinterState> {
  let last: PrinterState | null = null;
  await vi.waitFor(
    async () => {
      last = await state(station, session);
      expect(last.status).toBe('idle');
      expect(last.queued).toBe(0);
    },
    { timeout: 8000, interval: 20 },
  );
  if (!last) throw new Error('no state');
  return last;
}

/** Pays every unpaid bill of the n-th demo account with unpaid bills (cash, exact or with change). */
async function payBills(station: TestStation, session: string, nth: number, method: 'cash' | 'bank-card' = 'cash') {
  const found = unwrap(await station.call('accounts.search', { query: '合肥' }, session));
  let seen = 0;
  for (const result of found.results) {
    const detail = unwrap(await station.call('accounts.get', { accountNo: result.accountNo }, session));
    const unpaid = detail.bills.filter((bill) => bill.status === 'unpaid');
    if (unpaid.length === 0 || detail.account.meterKind !== 'post-paid') continue;
    if (seen++ < nth) continue;
    const quote = unwrap(await station.call('payments.prepare', { accountNo: result.accountNo, billIds: unpaid.map((bill) => bill.billId) }, session));
    const paid = unwrap(
      await station.call(
        'payments.confirm',
        method === 'cash' ? { txnId: quote.txnId, method, tendered: addFen(quote.due, fen(1000)) } : { txnId: quote.txnId, method, reference: 'POS-778812' },
        session,
      ),
    );
    return { accountNo: result.accountNo, entry: paid.entry, due: quote.due };
  }
  throw new Error(`no ${nth}-th account with unpaid bills`);
}

describe('receipts', () => {
  it('numbers each payment in its own write, prints it once with a QR that verifies, and opens the drawer for cash', async () => {
    const { t: station, printer: p, session } = await open();
    const first = await payBills(station, session, 0);
    const second = await payBills(station, session, 1, 'bank-card');
    await settledIdle(station, session);
    const printed = receiptsPrinted(p);
    expect(printed.map(receiptNoOn)).toEqual(['HFSS01-00000001', 'HFSS01-00000002']);
    const [cash, card] = printed;
    if (!cash || !card) throw new Error('two receipts expected');
    expect(cash.summary.lines).toContain('缴费收据');
    expect(cash.summary.lines.some((line) => line.includes(first.accountNo))).toBe(true);
    expect(cash.summary.drawerKicks).toBe(1);
    expect(card.summary.drawerKicks).toBe(0);
    expect(cash.summary.cuts).toBe(1);
    // Asked before and after the receipt, on the same connection.
    expect(cash.summary.statusRequests.length).toBeGreaterThanOrEqual(6);

    const keyHex = (JSON.parse(readFileSync(join(station.dataDir, 'station.json'), 'utf8')) as { receiptKeyHex: string }).receiptKeyHex;
    const [code] = cash.summary.qr;
    expect(code).toMatch(/^TD1\|HFSS01-00000001\|\d+\|[0-9a-f]{8}$/);
    expect(verifyReceiptCode(code ?? '', first.entry.entryId, receiptMacFor(keyHex))).toEqual({ ok: true, receiptNo: 'HFSS01-00000001', amount: first.due });
    expect(verifyReceiptCode(code ?? '', second.entry.entryId, receiptMacFor(keyHex)).ok).toBe(false);

    const listed = unwrap(await station.call('receipts.list', { accountNo: first.accountNo }, session));
    expect(listed.receipts).toEqual([expect.objectContaining({ receiptNo: 'HFSS01-00000001', kind: 'bill-payment', entryId: first.entry.entryId, print: 'printed', reprints: 0 })]);
  });

  it('goes on from the next number after a restart, and a refused payment takes no number', async () => {
    const { t: station, session } = await open();
    await payBills(station, session, 0);
    const found = unwrap(await station.call('accounts.search', { query: '合肥' }, session));
    // A payment refused before commit (cash short) must not use a number.
    for (const result of found.results) {
      const detail = unwrap(await station.call('accounts.get', { accountNo: result.accountNo }, session));
      const unpaid = detail.bills.filter((bill) => bill.status === 'unpaid');
      if (unpaid.length === 0) continue;
      const quote = unwrap(await station.call('payments.prepare', { accountNo: result.accountNo, billIds: unpaid.map((bill) => bill.billId) }, session));
      const refused = await station.call('payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: fen(1) }, session);
      expect(refused.ok).toBe(false);
      break;
    }
    await station.restart();
    const again = await station.login('1001');
    const later = await payBills(station, again, 1);
    const listed = unwrap(await station.call('receipts.list', { accountNo: later.accountNo }, again));
    expect(listed.receipts[0]?.receiptNo).toBe('HFSS01-00000002');
  });

  it('refuses a payment once the receipt numbers are used up', async () => {
    const { t: station, session } = await open({}, { overrides: { receiptNumbers: { prefix: 'VAN7', from: 1, to: 1 } } });
    const first = await payBills(station, session, 0);
    expect(unwrap(await station.call('receipts.list', { accountNo: first.accountNo }, session)).receipts[0]?.receiptNo).toBe('VAN7-00000001');
    expect((await state(station, session)).receiptNumbersLeft).toBe(0);
    await expect(payBills(station, session, 1)).rejects.toThrow(/RECEIPT_RANGE_EXHAUSTED/);
  });

  it('queues while the printer is offline and prints each receipt once when it is back, also across a restart', async () => {
    const { t: station, printer: p, session } = await open();
    p.setState('offline');
    const paid = await payBills(station, session, 0);
    expect(paid.entry.amount).toBeGreaterThan(0); // the sale is done whatever the printer does
    await vi.waitFor(async () => {
      const now = await state(station, session);
      expect(now.status).toBe('blocked');
      expect(now.problem).toBe('offline');
      expect(now.blockedJob).toEqual(expect.objectContaining({ receiptNo: 'HFSS01-00000001', uncertain: false }));
    });
    await payBills(station, session, 1);
    expect((await state(station, session)).queued).toBe(2);
    expect(receiptsPrinted(p)).toEqual([]);

    // Stopped with the printer still offline: the queue is on disk.
    await station.restart();
    const again = await station.login('1001');
    await vi.waitFor(async () => expect((await state(station, again)).status).toBe('blocked'));
    p.setState('ok');
    await settledIdle(station, again);
    expect(receiptsPrinted(p).map(receiptNoOn)).toEqual(['HFSS01-00000001', 'HFSS01-00000002']);
  });

  it('stops on paper out mid-queue, says which receipt, and prints the rest in order once paper is in', async () => {
    const { t: station, printer: p, session } = await open();
    await payBills(station, session, 0);
    await settledIdle(station, session);
    p.setState('paper-out');
    await payBills(station, session, 1);
    await payBills(station, session, 2);
    await vi.waitFor(async () => {
      const now = await state(station, session);
      expect(now.problem).toBe('paper-out');
      expect(now.blockedJob?.receiptNo).toBe('HFSS01-00000002');
      expect(now.queued).toBe(2);
    });
    p.setState('cover-open');
    await vi.waitFor(async () => expect((await state(station, session)).problem).toBe('cover-open'));
    p.setState('ok');
    await settledIdle(station, session);
    expect(receiptsPrinted(p).map(receiptNoOn)).toEqual(['HFSS01-00000001', 'HFSS01-00000002', 'HFSS01-00000003']);
  });

  it('lets the clerk decide on a receipt the paper ran out in the middle of: it came out, or print it again', async () => {
    const { t: station, printer: p, session } = await open();
    // The paper ends while the first receipt is being printed: the status after it says so.
    p.setStateAfter(200, 'paper-out');
    await payBills(station, session, 0);
    const blocked = await vi.waitFor(async () => {
      const now = await state(station, session);
      expect(now.blockedJob?.uncertain).toBe(true);
      return now;
    });
    expect(blocked.problem).toBe('paper-out');
    p.setState('ok');
    // Fine again, but it waits for the clerk: printing it again by itself could make two.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await state(station, session)).status).toBe('blocked');
    const jobId = blocked.blockedJob?.jobId ?? '';
    unwrap(await station.call('printer.resolve', { jobId, outcome: 'came-out' }, session));
    await payBills(station, session, 1);
    await settledIdle(station, session);
    expect(receiptsPrinted(p).map(receiptNoOn)).toEqual(['HFSS01-00000001', 'HFSS01-00000002']);
    // The half receipt did not open the drawer twice: a retry of a sent job never kicks it.
    p.setStateAfter(200, 'paper-out');
    await payBills(station, session, 2);
    await vi.waitFor(async () => expect((await state(station, session)).blockedJob?.uncertain).toBe(true));
    p.setState('ok');
    unwrap(await station.call('printer.retry', {}, session));
    await settledIdle(station, session);
    const third = receiptsPrinted(p).filter((job) => receiptNoOn(job) === 'HFSS01-00000003');
    expect(third.length).toBe(2);
    expect(third.map((job) => job.summary.drawerKicks)).toEqual([1, 0]);
  });

  it('reprints with 重打 and the count, never opening the drawer, and refuses an unknown receipt', async () => {
    const { t: station, printer: p, session } = await open();
    const paid = await payBills(station, session, 0);
    await settledIdle(station, session);
    const [one, two] = await Promise.all([
      station.call('receipts.reprint', { receiptNo: 'HFSS01-00000001' }, session),
      station.call('receipts.reprint', { receiptNo: 'HFSS01-00000001' }, session),
    ]);
    expect([unwrap(one).reprint, unwrap(two).reprint].sort()).toEqual([1, 2]);
    await settledIdle(station, session);
    const copies = receiptsPrinted(p);
    expect(copies.map((job) => job.summary.lines.find((line) => line.startsWith('重打')))).toEqual([undefined, '重打（第1次）', '重打（第2次）']);
    expect(copies.map((job) => job.summary.drawerKicks)).toEqual([1, 0, 0]);
    expect(new Set(copies.map((job) => job.summary.qr[0])).size).toBe(1);
    const listed = unwrap(await station.call('receipts.list', { accountNo: paid.accountNo }, session));
    expect(listed.receipts[0]).toEqual(expect.objectContaining({ reprints: 2, print: 'printed' }));
    const unknown = await station.call('receipts.reprint', { receiptNo: 'HFSS01-00000099' }, session);
    expect(unknown.ok ? 'ok' : unknown.error.code).toBe('RECEIPT_NOT_FOUND');
  });

  it('prints a 开户回执 for a new account, and at 58 mm every line fits 32 columns', async () => {
    const { t: station, printer: p, session } = await open({ paperColumns: 32 });
    const opened = unwrap(
      await station.call(
        'accounts.open',
        {
          ownerName: '欧阳开户',
          idNumber: '340104199003070013',
          phone: '13955123456',
          address: '合肥市蜀山区黄山路56号3栋1单元502室',
          districtCode: 'SHUSHAN',
          districtName: '蜀山区',
          meterNo: '2026112100001',
          meterKind: 'post-paid',
          tariffCode: 'RES-GAS',
          customerType: 'residential',
        },
        session,
      ),
    );
    await settledIdle(station, session);
    const [job] = receiptsPrinted(p);
    expect(job?.summary.lines).toContain('开户回执');
    expect(job?.summary.lines.some((line) => line.includes(opened.accountNo))).toBe(true);
    expect(job?.summary.lines.some((line) => line.includes('340104********0013'))).toBe(true);
    expect(job?.summary.lines.some((line) => line.includes('340104199003070013'))).toBe(false);
    expect(unwrap(await station.call('receipts.list', { accountNo: opened.accountNo }, session)).receipts[0]?.kind).toBe('account-opening');
    for (const event of job?.events ?? []) {
      if (event.kind === 'text') expect(displayWidth(event.text) * event.width).toBeLessThanOrEqual(32);
    }
  });

  it('changes printer settings, test-prints, and refuses bad settings without changing anything', async () => {
    const { t: station, printer: p } = await open();
    const admin = await station.login('9001');
    const bad = await station.call('printer.configure', { interface: { kind: 'tcp', host: 'printer; rm -rf', port: 9100 }, paperColumns: 48, mode: 'text', kickDrawerOnCash: true }, admin);
    expect(bad.ok ? 'ok' : bad.error.code).toBe('INVALID_INPUT');
    const badWidth = await station.raw({ type: 'request', id: 1, command: 'printer.configure', input: { ...tcpPrinter(p.port), paperColumns: 40 }, session: admin });
    expect(badWidth.ok ? 'ok' : badWidth.error.code).toBe('INVALID_INPUT');
    expect((await state(station, admin)).settings.paperColumns).toBe(48);

    const tested = unwrap(await station.call('printer.test', {}, admin));
    expect(tested).toEqual(expect.objectContaining({ ok: true, problem: null }));
    p.setState('cover-open');
    expect(unwrap(await station.call('printer.test', {}, admin))).toEqual(expect.objectContaining({ ok: false, problem: 'cover-open' }));

    const clerk = await station.login('1002');
    const forbidden = await station.call('printer.configure', tcpPrinter(p.port, { paperColumns: 32 }), clerk);
    expect(forbidden.ok ? 'ok' : forbidden.error.code).toBe('FORBIDDEN');
    unwrap(await station.call('printer.configure', tcpPrinter(p.port, { paperColumns: 32 }), admin));
    const saved = JSON.parse(readFileSync(join(station.dataDir, 'station.json'), 'utf8')) as { printer: PrinterSettings };
    expect(saved.printer.paperColumns).toBe(32);
  });

  it('sends the QR code as an image to a printer without the QR command', async () => {
    const { t: station, printer: p, session } = await open({ model: 'escpos-no-qr' });
    await payBills(station, session, 0);
    await settledIdle(station, session);
    const [job] = receiptsPrinted(p);
    expect(job?.summary.qr).toEqual([]);
    // One image the paper's width (sent as GS v 0 bands of at most 256 rows).
    expect(job?.summary.rasters.length).toBeGreaterThan(0);
    expect(job?.summary.rasters.every((band) => band.width === 576)).toBe(true);
    expect(job?.summary.lines).toContain('缴费收据');
  });
});
