import { createHmac } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { layoutReceipt, receiptCode, type PaperColumns, type ReceiptLine } from '../../core/receipt/layout.js';
import { billPayment, inputFor, topUp } from '../../core/receipt/fixtures.js';
import { socatAvailable } from '../emulator/socat.js';
import { decodeEscPos, summarizeEscPos } from './escpos-decode.js';
import { STATUS_QUERY, openPrinterDriver, type PrintOutcome, type PrinterDriver } from './print-driver.js';
import { buildReceiptJob } from './receipt-job.js';
import { startVirtualPrinter, startVirtualSerialPrinter, type VirtualPrinter, type VirtualPrinterControl, type VirtualSerialPrinter } from './virtual-printer.js';
import type { PrinterInterfaceConfig } from './transport.js';

const mac = (text: string): string => createHmac('sha256', 'station-key').update(text).digest('hex');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tcpPrinter(): Promise<VirtualPrinter> {
  const printer = await startVirtualPrinter();
  cleanups.push(() => printer.close());
  return printer;
}

function driverFor(config: PrinterInterfaceConfig, timeoutMs?: number): PrinterDriver {
  const driver = openPrinterDriver(config, timeoutMs === undefined ? {} : { timeoutMs });
  cleanups.push(() => driver.close());
  return driver;
}

const tcp = (printer: VirtualPrinter): PrinterInterfaceConfig => ({ kind: 'tcp', host: '127.0.0.1', port: printer.port });

function receiptJob(columns: PaperColumns = 32): { lines: ReceiptLine[]; job: Uint8Array } {
  const lines = layoutReceipt(inputFor(billPayment, columns), mac);
  return { lines, job: buildReceiptJob(lines, { columns, mode: 'text', kickDrawer: false }) };
}

const textOf = (lines: readonly ReceiptLine[], columns: PaperColumns): string[] =>
  lines.flatMap((line) => (line.kind === 'text' ? [line.text] : line.kind === 'rule' ? [line.char.repeat(columns)] : line.kind === 'feed' ? Array.from({ length: line.lines }, () => '') : []));

const OK_STATUS = { online: true, coverOpen: false, paperOut: false, paperNearEnd: false, error: false };

/** A TCP "printer" that answers every chunk with the given bytes, split as given. */
async function scriptedPrinter(answer: (socket: net.Socket, chunk: Buffer) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => answer(socket, chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return address.port;
}

describe('print driver over TCP (virtual printer)', () => {
  it('checks a fine printer', async () => {
    const printer = await tcpPrinter();
    const check = await driverFor(tcp(printer)).check();
    expect(check).toMatchObject({ ok: true, problem: null, detail: null, status: OK_STATUS });
    expect(check.ms).toBeLessThan(2000);
    const [job] = await printer.waitForJobs(1);
    expect(job?.summary.statusRequests).toEqual([1, 2, 4]);
    expect(job?.bytes).toEqual(STATUS_QUERY);
  });

  it.each([
    ['paper-out', 'paper-out'],
    ['cover-open', 'cover-open'],
    ['offline', 'offline'],
  ] as const)('checks a printer that is %s', async (state, problem) => {
    const printer = await tcpPrinter();
    printer.setState(state);
    const check = await driverFor(tcp(printer)).check();
    expect(check).toMatchObject({ ok: false, problem });
    expect(check.status?.online).toBe(false);
    expect(check.detail).toMatch(/\.$/);
  });

  it('prints a receipt on one connection: status, job, status; the Chinese text comes back intact', async () => {
    const printer = await tcpPrinter();
    const { lines, job } = receiptJob(48);
    const outcome = await driverFor(tcp(printer)).print(job);
    expect(outcome).toMatchObject({ kind: 'printed', bytes: job.length });
    const jobs = await printer.waitForJobs(1);
    expect(jobs).toHaveLength(1);
    const captured = jobs[0];
    if (captured === undefined) throw new Error('no job');
    expect(captured.bytes).toEqual(Uint8Array.from([...STATUS_QUERY, ...job, ...STATUS_QUERY]));
    expect(captured.summary.statusRequests).toEqual([1, 2, 4, 1, 2, 4]);
    // Decode only what the printer printed: the text equals the layout's, GB18030 and all.
    const printed = summarizeEscPos(decodeEscPos(captured.bytes.subarray(STATUS_QUERY.length, captured.bytes.length - STATUS_QUERY.length)));
    expect(printed.lines).toEqual(textOf(lines, 48));
    expect(printed.qr).toEqual([receiptCode('R2026112100012', billPayment.amount, billPayment.entryId, mac)]);
    expect(printed).toMatchObject({ cuts: 1, unknown: 0 });
  });

  it.each(['paper-out', 'cover-open', 'offline'] as const)('does not send the job when the printer is %s', async (state) => {
    const printer = await tcpPrinter();
    printer.setState(state);
    const outcome = await driverFor(tcp(printer)).print(receiptJob().job);
    expect(outcome).toMatchObject({ kind: 'not-sent', problem: state });
    const [captured] = await printer.waitForJobs(1);
    // The printer got the status requests and not one byte of the receipt.
    expect(captured?.bytes).toEqual(STATUS_QUERY);
    expect(captured?.events.every((event) => event.kind === 'status-request')).toBe(true);
  });

  it('gives up on a stalled printer within the timeout: no-answer, nothing sent', async () => {
    const printer = await tcpPrinter();
    printer.setState('stalled');
    const driver = driverFor(tcp(printer), 300);
    let started = performance.now();
    const outcome = await driver.print(receiptJob().job);
    const printMs = performance.now() - started;
    expect(outcome).toMatchObject({ kind: 'not-sent', problem: 'no-answer' });
    expect(printMs).toBeGreaterThanOrEqual(290);
    expect(printMs).toBeLessThan(1500);
    started = performance.now();
    expect(await driver.check()).toMatchObject({ ok: false, problem: 'no-answer', status: null });
    expect(performance.now() - started).toBeLessThan(1500);
    printer.setState('ok');
    const jobs = await printer.waitForJobs(2);
    // Once it came back it read what had waited: the status requests only.
    for (const job of jobs) expect(job.summary.statusRequests).toEqual([1, 2, 4]);
    for (const job of jobs) expect(job.bytes.length).toBe(STATUS_QUERY.length);
  });

  it('reports unreachable when nothing listens (a closed printer, its port reused)', async () => {
    const printer = await startVirtualPrinter();
    const config = tcp(printer);
    await printer.close();
    const driver = driverFor(config);
    expect(await driver.check()).toMatchObject({ ok: false, problem: 'unreachable', status: null });
    const outcome = await driver.print(receiptJob().job);
    expect(outcome).toMatchObject({ kind: 'not-sent', problem: 'unreachable' });
    if (outcome.kind !== 'not-sent') throw new Error('expected not-sent');
    expect(outcome.detail).toMatch(/ECONNREFUSED/);
  });

  it('is unconfirmed when the paper runs out while the job is coming in', async () => {
    const printer = await tcpPrinter();
    const { job } = receiptJob();
    printer.setStateAfter(STATUS_QUERY.length + 200, 'paper-out');
    const outcome = await driverFor(tcp(printer)).print(job);
    expect(outcome).toMatchObject({ kind: 'unconfirmed', problem: 'paper-out' });
    if (outcome.kind !== 'unconfirmed') throw new Error('expected unconfirmed');
    expect(outcome.detail).toBe('The job was sent. The printer is out of paper.');
    const [captured] = await printer.waitForJobs(1);
    expect(captured?.bytes.length).toBe(STATUS_QUERY.length * 2 + job.length);
  });

  it('is unconfirmed (no-answer) when the printer hangs during the job', async () => {
    const printer = await tcpPrinter();
    const { job } = receiptJob();
    printer.setStateAfter(STATUS_QUERY.length + 100, 'stalled');
    const started = performance.now();
    const outcome = await driverFor(tcp(printer), 300).print(job);
    expect(outcome).toMatchObject({ kind: 'unconfirmed', problem: 'no-answer' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("reports a garbage answer as 'error', naming the byte and the request", async () => {
    const port = await scriptedPrinter((socket) => socket.write(Buffer.from('ABC')));
    const driver = driverFor({ kind: 'tcp', host: '127.0.0.1', port });
    const check = await driver.check();
    expect(check).toMatchObject({ ok: false, problem: 'error', status: null });
    expect(check.detail).toBe('The printer answered 0x41 to DLE EOT 1 (printer status) on a check, which is not a status byte (got 0x41 0x42 0x43).');
    expect(await driver.print(receiptJob().job)).toMatchObject({ kind: 'not-sent', problem: 'error' });
  });

  it("reports an answer with bytes beyond the three status bytes as 'error'", async () => {
    const port = await scriptedPrinter((socket) => socket.write(Uint8Array.of(0x12, 0x12, 0x12, 0x12)));
    const check = await driverFor({ kind: 'tcp', host: '127.0.0.1', port }).check();
    expect(check).toMatchObject({ ok: false, problem: 'error' });
    expect(check.detail).toMatch(/1 more bytes than the 3 status answers/);
  });

  it('takes status answers split across packets', async () => {
    const port = await scriptedPrinter((socket, chunk) => {
      if (chunk[0] !== 0x10) return;
      socket.write(Uint8Array.of(0x12));
      setTimeout(() => socket.write(Uint8Array.of(0x12)), 30);
      setTimeout(() => socket.write(Uint8Array.of(0x1e)), 60);
    });
    const check = await driverFor({ kind: 'tcp', host: '127.0.0.1', port }).check();
    expect(check).toMatchObject({ ok: true, problem: null, status: { ...OK_STATUS, paperNearEnd: true }, detail: 'The paper is near its end.' });
  });

  it('reports a printer that hangs up before answering as unreachable', async () => {
    const port = await scriptedPrinter((socket) => socket.destroy());
    expect(await driverFor({ kind: 'tcp', host: '127.0.0.1', port }).check()).toMatchObject({ ok: false, problem: 'unreachable' });
  });

  it('queues jobs: two prints at once make two whole jobs, one after the other', async () => {
    const printer = await tcpPrinter();
    const driver = driverFor(tcp(printer));
    const a = receiptJob(32).job;
    const b = buildReceiptJob(layoutReceipt(inputFor(topUp, 32), mac), { columns: 32, mode: 'text', kickDrawer: true });
    const outcomes = await Promise.all([driver.print(a), driver.print(b)]);
    expect(outcomes.map((o) => o.kind)).toEqual(['printed', 'printed']);
    const jobs = await printer.waitForJobs(2);
    expect(jobs.map((j) => j.bytes.length)).toEqual([a.length + 2 * STATUS_QUERY.length, b.length + 2 * STATUS_QUERY.length]);
    expect(jobs.map((j) => j.summary.drawerKicks)).toEqual([0, 1]);
  });

  it('never throws: an empty job, and calls after close, are outcomes', async () => {
    const printer = await tcpPrinter();
    const driver = openPrinterDriver(tcp(printer));
    expect(await driver.print(new Uint8Array(0))).toMatchObject({ kind: 'not-sent', problem: 'error' });
    await driver.close();
    expect(await driver.print(receiptJob().job)).toMatchObject({ kind: 'not-sent', problem: 'error', detail: expect.stringMatching(/closed/) as unknown });
    expect(await driver.check()).toMatchObject({ ok: false, problem: 'error' });
  });
});

const hasSocat = socatAvailable();

describe.each(['serial', 'device'] as const)('print driver over a socat pty (%s)', (kind) => {
  const title = (what: string): string => (hasSocat ? what : `${what} — skipped: /usr/bin/socat is missing`);
  async function ptyPrinter(): Promise<{ printer: VirtualSerialPrinter; config: PrinterInterfaceConfig }> {
    const printer = await startVirtualSerialPrinter({ idleMs: 200 });
    cleanups.push(() => printer.close());
    const config: PrinterInterfaceConfig = kind === 'serial' ? { kind: 'serial', path: printer.path, baudRate: 9600 } : { kind: 'device', path: printer.path };
    return { printer, config };
  }
  const completed = (printer: VirtualPrinterControl, count: number): ReturnType<VirtualPrinterControl['waitForJobs']> => printer.waitForJobs(count, 3000);

  it.skipIf(!hasSocat)(title('checks and prints a receipt; the printer end decodes the layout'), async () => {
    const { printer, config } = await ptyPrinter();
    const driver = driverFor(config);
    expect(await driver.check()).toMatchObject({ ok: true, status: OK_STATUS });
    await completed(printer, 1);
    printer.clear();

    const { lines, job } = receiptJob(32);
    const outcome: PrintOutcome = await driver.print(job);
    expect(outcome).toMatchObject({ kind: 'printed', bytes: job.length });
    const [captured] = await completed(printer, 1);
    expect(captured?.bytes).toEqual(Uint8Array.from([...STATUS_QUERY, ...job, ...STATUS_QUERY]));
    const summary = captured?.summary;
    expect(summary?.lines).toEqual(textOf(lines, 32));
    expect(summary).toMatchObject({ statusRequests: [1, 2, 4, 1, 2, 4], cuts: 1, unknown: 0 });
  });

  it.skipIf(!hasSocat)(title('does not send to a printer out of paper'), async () => {
    const { printer, config } = await ptyPrinter();
    printer.setState('paper-out');
    expect(await driverFor(config).print(receiptJob().job)).toMatchObject({ kind: 'not-sent', problem: 'paper-out' });
    const [captured] = await completed(printer, 1);
    expect(captured?.bytes).toEqual(STATUS_QUERY);
  });

  it.skipIf(!hasSocat)(title('is unconfirmed when the cover opens during the job'), async () => {
    const { printer, config } = await ptyPrinter();
    printer.setStateAfter(STATUS_QUERY.length + 300, 'cover-open');
    expect(await driverFor(config).print(receiptJob().job)).toMatchObject({ kind: 'unconfirmed', problem: 'cover-open' });
  });

  it.skipIf(!hasSocat)(title('says no-answer for a stalled printer within the timeout'), async () => {
    const { printer, config } = await ptyPrinter();
    printer.setState('stalled');
    const started = performance.now();
    expect(await driverFor(config, 300).check()).toMatchObject({ ok: false, problem: 'no-answer' });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('says unreachable for a path that does not exist', async () => {
    const config: PrinterInterfaceConfig = kind === 'serial' ? { kind: 'serial', path: '/nonexistent/ttyUSB9', baudRate: 9600 } : { kind: 'device', path: '/nonexistent/lp9' };
    const driver = driverFor(config);
    expect(await driver.check()).toMatchObject({ ok: false, problem: 'unreachable' });
    expect(await driver.print(receiptJob().job)).toMatchObject({ kind: 'not-sent', problem: 'unreachable', detail: expect.stringMatching(/No such file|ENOENT/) as unknown });
  });
});
