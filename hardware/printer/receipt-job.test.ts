import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PrinterTypes, ThermalPrinter } from 'node-thermal-printer';
import { layoutReceipt, lineWidth, receiptCode, type PaperColumns, type ReceiptLine } from '../../core/receipt/layout.js';
import { billPayment, inputFor, topUp } from '../../core/receipt/fixtures.js';
import type { LedgerEntryDoc } from '../../core/schema/documents.js';
import { decodeEscPos, summarizeEscPos, type EscPosEvent } from './escpos-decode.js';
import { findCjkFont } from './fonts.js';
import { buildReceiptJob, buildTestPage, testPageLines, type ReceiptJobOptions } from './receipt-job.js';

const mac = (text: string): string => createHmac('sha256', 'station-key').update(text).digest('hex');

const FIXTURES: readonly (readonly [string, LedgerEntryDoc])[] = [
  ['bill-payment', billPayment],
  ['top-up', topUp],
];
const WIDTHS: readonly PaperColumns[] = [32, 48];
const CASES = FIXTURES.flatMap(([name, entry]) => WIDTHS.map((columns) => [name, columns, entry] as const));

const text = (columns: PaperColumns, kickDrawer = false): ReceiptJobOptions => ({ columns, mode: 'text', kickDrawer });

// ----------------------------------------------------------------------------- goldens

const GOLDEN_DIR = new URL('./golden/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** 32 bytes a line, so a diff points at the bytes that moved. */
function toHexLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 32) lines.push(Buffer.from(bytes.subarray(at, at + 32)).toString('hex'));
  return lines;
}

function expectGolden(name: string, bytes: Uint8Array): void {
  const file = new URL(name, GOLDEN_DIR);
  const actual = toHexLines(bytes);
  const rerun = 'UPDATE_GOLDEN=1 npx vitest run hardware/printer/receipt-job.test.ts';
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, `${actual.join('\n')}\n`);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file.pathname} is missing; write it with: ${rerun}`);
  const expected = readFileSync(file, 'utf8').trimEnd().split('\n');
  const first = actual.findIndex((line, i) => line !== expected[i]);
  const at = first === -1 ? Math.min(actual.length, expected.length) : first;
  expect(
    actual,
    `${name}: the job bytes differ from the golden file from line ${at + 1} (byte ${at * 32}); ` +
      `decode both with decodeEscPos to see what changed, and if the change is meant, accept it with: ${rerun}`,
  ).toEqual(expected);
}

// ---------------------------------------------------------------- what the layout asks for

/** The lines a printer prints for the layout, as decodeEscPos reports them. */
function printedLines(lines: readonly ReceiptLine[], columns: PaperColumns): string[] {
  return lines.flatMap((line) => {
    switch (line.kind) {
      case 'text':
        return [line.text];
      case 'rule':
        return [line.char.repeat(columns)];
      case 'feed':
        return Array.from({ length: line.lines }, () => '');
      case 'qr':
      case 'cut':
        return [];
    }
  });
}

type TextEvent = Extract<EscPosEvent, { kind: 'text' }>;

describe('buildReceiptJob, text mode', () => {
  it.each(CASES)('%s at %i columns matches its golden bytes', (name, columns, entry) => {
    const lines = layoutReceipt(inputFor(entry, columns), mac);
    expectGolden(`${name}-${columns}.hex`, buildReceiptJob(lines, text(columns)));
  });

  it.each(CASES)('%s at %i columns decodes back to the layout (text, style, QR, one cut)', (_name, columns, entry) => {
    const lines = layoutReceipt(inputFor(entry, columns), mac);
    const events = decodeEscPos(buildReceiptJob(lines, text(columns)));
    const summary = summarizeEscPos(events);

    // Chinese, ￥ and full-width punctuation survive the GB18030 round trip byte for byte.
    expect(summary.lines).toEqual(printedLines(lines, columns));
    expect(summary.qr).toEqual([receiptCode('R2026112100012', entry.amount, entry.entryId, mac)]);
    expect(summary).toMatchObject({ cuts: 1, drawerKicks: 0, statusRequests: [], unknown: 0, rasters: [] });
    expect(events[0]).toEqual({ kind: 'init' });
    expect(events[events.length - 1]).toEqual({ kind: 'cut', partial: true });
    // Nothing left unprinted at the end (text without LF).
    expect(events.filter((e): e is TextEvent => e.kind === 'text').every((e) => e.terminated)).toBe(true);

    // Each text line keeps its alignment, bold and size; rules are plain; feeds are normal size.
    type Style = Partial<Pick<TextEvent, 'align' | 'bold'>> & Pick<TextEvent, 'width' | 'height'>;
    const expected = lines.flatMap((line): Style[] => {
      switch (line.kind) {
        case 'text': {
          const scale = line.size === 'double' ? 2 : 1;
          return [{ align: line.align, bold: line.bold, width: scale, height: scale }];
        }
        case 'rule':
          return [{ align: 'left', bold: false, width: 1, height: 1 }];
        case 'feed':
          return Array.from({ length: line.lines }, () => ({ width: 1, height: 1 }));
        case 'qr':
        case 'cut':
          return [];
      }
    });
    const styled = events.filter((e): e is TextEvent => e.kind === 'text');
    expect(styled.map((e, i): Style => ('align' in (expected[i] ?? {}) ? { align: e.align, bold: e.bold, width: e.width, height: e.height } : { width: e.width, height: e.height }))).toEqual(expected);
    // The layout fitted every line; the job must not have re-wrapped any.
    for (const line of lines) if (line.kind === 'text') expect(lineWidth(line)).toBeLessThanOrEqual(columns);
  });

  it('kicks the drawer (ESC p 0 25 250) at the start of the job only when asked', () => {
    const lines = layoutReceipt(inputFor(billPayment, 32), mac);
    const kicked = buildReceiptJob(lines, text(32, true));
    const plain = buildReceiptJob(lines, text(32, false));
    expect(Buffer.from(kicked.subarray(0, 7)).toString('hex')).toBe('1b40' + '1b700019fa');
    expect(Buffer.from(kicked.subarray(7))).toEqual(Buffer.from(plain.subarray(2)));
    const events = decodeEscPos(kicked);
    expect(events.slice(0, 2)).toEqual([{ kind: 'init' }, { kind: 'drawer-kick', pin: 2, onMs: 50, offMs: 500 }]);
    expect(summarizeEscPos(events).drawerKicks).toBe(1);
    expect(summarizeEscPos(decodeEscPos(plain)).drawerKicks).toBe(0);
  });

  it('turns Chinese mode on only around the lines that need it', () => {
    const job = buildReceiptJob([{ kind: 'text', text: 'ABC', align: 'left', size: 'normal', bold: false }, { kind: 'text', text: '张堃 㙍 𠀀 ￥1.00', align: 'left', size: 'normal', bold: false }], text(32));
    const hex = Buffer.from(job).toString('hex');
    expect(hex.startsWith('1b40' + '4142430a' + '1c26' + 'd5c588d220' + '8230ab33' + '20' + '95328236' + '20a3a4312e3030' + '1c2e' + '0a')).toBe(true);
  });

  it('never lets text carry control bytes (a name with ESC in it cannot cut or kick)', () => {
    const job = buildReceiptJob([{ kind: 'text', text: 'a\x1bp\x00\x1dVb', align: 'left', size: 'normal', bold: false }], text(32));
    const summary = summarizeEscPos(decodeEscPos(job));
    expect(summary.lines[0]).toBe('a p  Vb');
    expect(summary).toMatchObject({ cuts: 1, drawerKicks: 0, unknown: 0 });
  });

  it('adds a feed and a cut to lines that do not end with one, and keeps cuts the lines ask for', () => {
    const one = buildReceiptJob([{ kind: 'text', text: 'x', align: 'left', size: 'normal', bold: false }], text(32));
    expect(summarizeEscPos(decodeEscPos(one))).toMatchObject({ lines: ['x', '', ''], cuts: 1 });
    const two = buildReceiptJob([{ kind: 'text', text: 'x', align: 'left', size: 'normal', bold: false }, { kind: 'cut' }, { kind: 'text', text: 'y', align: 'left', size: 'normal', bold: false }, { kind: 'feed', lines: 3 }], text(32));
    expect(summarizeEscPos(decodeEscPos(two))).toMatchObject({ lines: ['x', 'y', '', '', ''], cuts: 2 });
  });

  it('sends a QR code with non-ASCII data with its UTF-8 length (not printQR, which counts UTF-16 units)', () => {
    const job = buildReceiptJob([{ kind: 'qr', data: '缴费TD1' }], text(32));
    expect(summarizeEscPos(decodeEscPos(job))).toMatchObject({ qr: ['缴费TD1'], unknown: 0 });
  });
});

describe("node-thermal-printer's own commands (why some of ours replace them)", () => {
  const thermal = (): ThermalPrinter => new ThermalPrinter({ type: PrinterTypes.EPSON, interface: 'tcp://127.0.0.1:9' }); // never connected
  const after = (build: (printer: ThermalPrinter) => void): string => {
    const printer = thermal();
    build(printer);
    return printer.getBuffer().toString('hex');
  };

  it('openCashDrawer() sends ESC p 0 and ESC p 1 without pulse times', () => {
    expect(after((p) => p.openCashDrawer())).toBe('1b7000' + '1b7001');
  });

  it('cut() feeds 8 lines and cuts fully where the paper is, then resets', () => {
    expect(after((p) => p.cut())).toBe('1b6404' + '1b6404' + '1d5600' + '1b40');
  });

  it('printQR() matches our QR bytes for ASCII data', () => {
    expect(after((p) => p.printQR('TD1|R1|100|0a1b2c3d', { model: 2, cellSize: 6, correction: 'M' }))).toBe(
      '1d286b0400314132' + '00' + '1d286b03003143' + '06' + '1d286b03003145' + '31' + '1d286b16003150305444317c52317c3130307c3061316232633364' + '1d286b03003151' + '30',
    );
  });
});

describe('buildTestPage', () => {
  it.each(WIDTHS)('prints Chinese, ASCII, ￥, a QR code and one cut at %i columns, every line fitting', (columns) => {
    const options = { ...text(columns), stationName: '滨湖营业厅 3号窗口', at: '2026-11-21 10:15' };
    const lines = testPageLines(options);
    for (const line of lines) if (line.kind === 'text') expect(lineWidth(line)).toBeLessThanOrEqual(columns);
    const summary = summarizeEscPos(decodeEscPos(buildTestPage(options)));
    expect(summary.lines).toEqual(printedLines(lines, columns));
    expect(summary.lines).toContain('打印测试');
    expect(summary.lines).toContain('生僻字：堃 㙍 𠀀');
    expect(summary.lines.some((line) => line.includes('￥1,234.56'))).toBe(true);
    expect(summary.lines).toContain('1234567890'.repeat(5).slice(0, columns));
    expect(summary).toMatchObject({ qr: [`TONGDA-TEST|${columns}|text|2026-11-21 10:15`], cuts: 1, drawerKicks: 0, unknown: 0 });
  });

  it('kicks the drawer when asked, so the settings page can test it too', () => {
    const summary = summarizeEscPos(decodeEscPos(buildTestPage({ ...text(32, true), stationName: 'X', at: 'now' })));
    expect(summary.drawerKicks).toBe(1);
  });
});

const font = findCjkFont(null);
const rasterTitle = font !== null ? 'raster mode: init, drawer kick, GS v 0 bands, cut' : 'raster mode — skipped: no Chinese font installed (fonts-noto-cjk)';

describe('buildReceiptJob, raster mode', () => {
  it.skipIf(font === null)(rasterTitle, () => {
    const lines = layoutReceipt(inputFor(billPayment, 32), mac);
    const events = decodeEscPos(buildReceiptJob(lines, { columns: 32, mode: 'raster', kickDrawer: true, fontPath: font }));
    expect(events.slice(0, 2)).toEqual([{ kind: 'init' }, { kind: 'drawer-kick', pin: 2, onMs: 50, offMs: 500 }]);
    expect(events[events.length - 1]).toEqual({ kind: 'cut', partial: true });
    const summary = summarizeEscPos(events);
    expect(summary).toMatchObject({ lines: [], qr: [], cuts: 1, drawerKicks: 1, unknown: 0 });
    expect(summary.rasters.length).toBeGreaterThan(0);
    expect(summary.rasters.every((band) => band.width === 384)).toBe(true);
  });
});
