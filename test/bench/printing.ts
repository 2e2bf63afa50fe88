/**
 * Receipt printing: from the clerk's confirm to the TCP printer's "done" (the job on paper and the
 * status after it fine), in text and raster mode at 80 and 58 mm, and the bytes per receipt. The
 * printer is the virtual one on a loopback port, so the figures are the station's own cost:
 * layout, drawing, encoding, the status exchange and the recorded attempt; a real printer adds
 * its paper speed.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandInput, CommandName, CommandOutput } from '../../core/contract/commands.js';
import type { PrinterSettings } from '../../core/contract/printing.js';
import type { Result } from '../../core/contract/result.js';
import { generateAccounts, generateBills } from '../../core/demo-data/generator.js';
import { manualClock } from '../../core/time/local-date.js';
import { openStation } from '../../electron/station/open-station.js';
import type { RunningStation } from '../../electron/station/types.js';
import { startVirtualPrinter, type CapturedJob } from '../../hardware/printer/virtual-printer.js';

type Report = (bench: string, value: number, unit: string, n: number) => void;
type Note = (line: string) => void;

const SEED = 20261121;
const NOW = '2026-11-21T02:00:00.000Z';
const TODAY = '2026-11-21';
const quiet = { info: () => undefined, error: (m: string, e: unknown) => process.stderr.write(`${m}: ${String(e)}\n`) };

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

async function call<C extends CommandName>(station: RunningStation, session: string | undefined, command: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
  const response = await station.dispatcher.dispatch({ type: 'request', id: 1, command, input, ...(session ? { session } : {}) }, { connectionId: 'bench', transport: 'websocket' });
  const result = response.result as Result<CommandOutput<C>>;
  if (!result.ok) throw new Error(`${command}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

async function benchOne(root: string, mode: PrinterSettings['mode'], columns: PrinterSettings['paperColumns'], count: number, report: Report, note: Note): Promise<void> {
  const label = `${mode}.${columns === 48 ? '80mm' : '58mm'}`;
  const dataDir = join(root, `print-${label}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  let onJob: ((job: CapturedJob) => void) | null = null;
  const printer = await startVirtualPrinter({
    port: 0,
    columns,
    onJob: (job) => {
      if (job.summary.lines.length > 0 || job.summary.rasters.length > 0) onJob?.(job);
    },
  });
  const accounts = Math.max(2000, count * 4);
  const station = await openStation({
    dataDir,
    clock: manualClock(NOW),
    demo: { accounts, seed: SEED },
    log: quiet,
    overrides: { reader: { kind: 'none', path: null, baudRate: 9600 }, printer: { model: 'escpos', interface: { kind: 'tcp', host: '127.0.0.1', port: printer.port }, paperColumns: columns, mode, kickDrawerOnCash: true } },
  });
  try {
    const session = (await call(station, undefined, 'session.login', { staffNo: '1001', password: '123456' })).session;
    const targets: { accountNo: string; billIds: string[] }[] = [];
    for (const account of generateAccounts({ seed: SEED, count: accounts, today: TODAY })) {
      if (account.meterKind !== 'post-paid' || account.status === 'closed' || account.openingCredit !== 0) continue;
      const unpaid = generateBills(account, { today: TODAY, seed: SEED }).filter((b) => b.externalPayment === null);
      if (unpaid.length === 0) continue;
      targets.push({ accountNo: account.accountNo, billIds: unpaid.sort((a, b) => a.period.localeCompare(b.period)).map((b) => b.billId) });
      if (targets.length === count + 1) break;
    }
    const toDone: number[] = [];
    const bytes: number[] = [];
    for (const [index, target] of targets.entries()) {
      const quote = await call(station, session, 'payments.prepare', target);
      const printed = new Promise<CapturedJob>((resolve) => {
        onJob = resolve;
      });
      const t0 = performance.now();
      await call(station, session, 'payments.confirm', { txnId: quote.txnId, method: 'cash', tendered: quote.due });
      const job = await printed;
      // The first receipt warms up the font and the code paths: not counted.
      if (index === 0) continue;
      toDone.push(performance.now() - t0);
      bytes.push(job.bytes.length);
    }
    report(`print.${label}.commit_to_done.p50`, percentile(toDone, 50), 'ms', toDone.length);
    report(`print.${label}.commit_to_done.p95`, percentile(toDone, 95), 'ms', toDone.length);
    report(`print.${label}.bytes_per_receipt`, bytes.reduce((a, b) => a + b, 0) / bytes.length, 'bytes', bytes.length);
    note(`  ${label}: ${toDone.length} receipts`);
  } finally {
    await station.close();
    await printer.close();
  }
}

export async function benchPrinting(root: string, report: Report, note: Note, count = 40): Promise<void> {
  note(`\n== receipt printing on a TCP printer (${count} per mode)`);
  await benchOne(root, 'text', 48, count, report, note);
  await benchOne(root, 'raster', 48, count, report, note);
  await benchOne(root, 'text', 32, count, report, note);
  await benchOne(root, 'raster', 32, count, report, note);
}
