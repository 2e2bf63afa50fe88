/**
 * A receipt (`ReceiptLine[]` from core/receipt/layout.ts) as the bytes of one print job.
 *
 * Text mode drives node-thermal-printer's `ThermalPrinter` (EPSON) for the commands it gets
 * right, and only collects its buffer: it never opens a connection (the print driver sends the
 * bytes, with status before and after). Where its bytes are wrong, or its text handling is,
 * ours are used instead, each with the reason at the place:
 *
 * - Text: every line is GB18030 from gb18030.ts inside `FS &` … `FS .`, added as bytes.
 *   Its `print()` would re-wrap by UTF-16 length (the layout has already fitted each line by
 *   display width) and encode through `CharacterSet`, which switches code pages mid-line.
 * - Drawer kick: its `openCashDrawer()` sends `ESC p 0` and `ESC p 1` without the two pulse
 *   times the command takes, so the printer reads the next bytes as pulse times.
 * - Cut: its `cut()` / `partialCut()` feed a fixed 8 lines (ESC d 4 twice) and then cut where
 *   the paper is, or with no feed cut through the last printed lines (the cutter sits some
 *   lines above the head). `GS V 66 0` feeds exactly to the cutter, whatever the model, then
 *   cuts, partially, so the receipt hangs until torn off instead of falling.
 * - QR with non-ASCII data: its `printQR()` counts UTF-16 units, not bytes, in the length.
 *
 * Raster mode draws the receipt as an image (raster.ts) for printers without a usable Chinese
 * font; only the job framing (init, drawer kick, cut) is shared with text mode.
 *
 * Every job: `ESC @`, then the drawer kick when asked (at the start, so the drawer opens while
 * the receipt prints), the receipt, and exactly the cuts the lines ask for; lines that do not
 * end with a cut get a 2-line feed and a cut added, so the paper is always cut.
 */
import { PrinterTypes, ThermalPrinter } from 'node-thermal-printer';
import type { PaperColumns, ReceiptLine } from '../../core/receipt/layout.js';
import { leftRight, truncate, wrap } from '../../core/receipt/width.js';
import { EscPosBuilder, FS, QR_MAX_BYTES, type Align } from './escpos.js';
import { encodeGb18030 } from './gb18030.js';
import { encodeRaster, renderQrBitmap, renderReceiptBitmap } from './raster.js';

export type PrintMode = 'text' | 'raster';

export interface ReceiptJobOptions {
  readonly columns: PaperColumns;
  readonly mode: PrintMode;
  readonly kickDrawer: boolean;
  /** Raster mode's Chinese font; null or absent: the first one installed (fonts.ts). */
  readonly fontPath?: string | null;
  /** Text mode on a printer without the GS ( k QR command: the code goes as a small image. */
  readonly qrAsImage?: boolean;
}

/** QR module size in dots: 29-module codes (a TD1 receipt code) come out 22 mm wide at 203 dpi. */
export const QR_CELL_SIZE = 6;
const QR_LEVEL = 'M';
const END_FEED_LINES = 2;

// C0 controls and DEL in text would be commands to the printer (see escpos.ts).
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Stands in for node-thermal-printer's interface: the builder only collects bytes, and a call
 * that would send them fails loudly instead of opening a connection.
 */
const BYTES_ONLY = {
  getPrinterName: (): string => 'receipt-job (bytes only)',
  isPrinterConnected: (): Promise<boolean> => Promise.resolve(false),
  execute: (): Promise<string> => Promise.reject(new Error('receipt-job only builds bytes; send them with print-driver.ts')),
};

/** `initHardware()` (ESC @) is in node-thermal-printer's lib/core.js but missing from its .d.ts. */
type Thermal = ThermalPrinter & { initHardware(): void };

function newThermal(): Thermal {
  // The .d.ts types `interface` as a string; lib/interfaces/index.js passes an object through as-is.
  return new ThermalPrinter({ type: PrinterTypes.EPSON, interface: BYTES_ONLY as unknown as string }) as Thermal;
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Lines that end with a cut: the layout's do; any others get the same ending added. */
function withEnding(lines: readonly ReceiptLine[]): readonly ReceiptLine[] {
  const last = lines[lines.length - 1];
  if (last?.kind === 'cut') return lines;
  const ending: ReceiptLine[] = last?.kind === 'feed' ? [] : [{ kind: 'feed', lines: END_FEED_LINES }];
  return [...lines, ...ending, { kind: 'cut' }];
}

/** Job start: reset, then the drawer kick when asked. */
function start(printer: Thermal, kickDrawer: boolean): void {
  printer.initHardware();
  // Not openCashDrawer(): see the top of this file.
  if (kickDrawer) printer.add(bufferOf(new EscPosBuilder().drawerKick().build()));
}

function cut(printer: Thermal): void {
  // Not cut()/partialCut(): see the top of this file.
  printer.add(bufferOf(new EscPosBuilder().cut().build()));
}

/** Text-mode writer that sends a style command only when the style changes. */
class TextWriter {
  private align: Align = 'left';
  private bold = false;
  private double = false;

  constructor(
    private readonly printer: Thermal,
    private readonly columns: PaperColumns,
    private readonly qrAsImage = false,
  ) {}

  line(line: ReceiptLine): void {
    switch (line.kind) {
      case 'text':
        this.style(line.align, line.bold, line.size === 'double');
        this.text(line.text);
        this.printer.newLine();
        return;
      case 'rule':
        this.style('left', false, false);
        this.printer.add(Buffer.from(line.char.repeat(this.columns), 'ascii'));
        this.printer.newLine();
        return;
      case 'qr':
        if (this.qrAsImage) {
          // The bitmap is the paper's width with the code centred in it: sent from the left margin.
          this.style('left', false, false);
          this.printer.add(bufferOf(encodeRaster(renderQrBitmap(line.data, this.columns))));
          return;
        }
        this.style('center', false, false);
        this.qr(line.data);
        return;
      case 'feed':
        // A blank line at double size would feed twice as far.
        this.style(this.align, this.bold, false);
        for (let i = 0; i < line.lines; i += 1) this.printer.newLine();
        return;
      case 'cut':
        cut(this.printer);
        return;
    }
  }

  private style(align: Align, bold: boolean, double: boolean): void {
    if (align !== this.align) {
      switch (align) {
        case 'left':
          this.printer.alignLeft();
          break;
        case 'center':
          this.printer.alignCenter();
          break;
        case 'right':
          this.printer.alignRight();
          break;
      }
      this.align = align;
    }
    if (bold !== this.bold) {
      this.printer.bold(bold);
      this.bold = bold;
    }
    if (double !== this.double) {
      // GS ! n. Its setTextSize(height, width) puts height in the high nibble, which is the
      // width's; harmless here because both are always equal.
      this.printer.setTextSize(double ? 1 : 0, double ? 1 : 0);
      this.double = double;
    }
  }

  private text(text: string): void {
    const safe = text.replace(CONTROL_CHARS, ' ');
    if (safe === '') return;
    const bytes = bufferOf(encodeGb18030(safe));
    if (isAscii(safe)) {
      this.printer.add(bytes);
      return;
    }
    // Chinese mode only around the line that needs it: a printer left in it by a line would
    // read the next job's code-page bytes (0x80..0xFF) as halves of Chinese characters.
    this.printer.add(Buffer.from([FS, 0x26]));
    this.printer.add(bytes);
    this.printer.add(Buffer.from([FS, 0x2e]));
  }

  private qr(data: string): void {
    const size = new TextEncoder().encode(data).length;
    if (size === 0 || size > QR_MAX_BYTES[QR_LEVEL]) {
      throw new RangeError(`qr: ${size} bytes; a level-${QR_LEVEL} QR code holds 1..${QR_MAX_BYTES[QR_LEVEL]}`);
    }
    if (isAscii(data)) {
      this.printer.printQR(data, { model: 2, cellSize: QR_CELL_SIZE, correction: QR_LEVEL });
      return;
    }
    // Not printQR(): its store length counts UTF-16 units, not the UTF-8 bytes it sends.
    this.printer.add(bufferOf(new EscPosBuilder().qr(data, { size: QR_CELL_SIZE, errorLevel: QR_LEVEL }).build()));
  }
}

export function buildReceiptJob(lines: readonly ReceiptLine[], options: ReceiptJobOptions): Uint8Array {
  const printer = newThermal();
  start(printer, options.kickDrawer);
  const all = withEnding(lines);
  switch (options.mode) {
    case 'text': {
      const writer = new TextWriter(printer, options.columns, options.qrAsImage ?? false);
      for (const line of all) writer.line(line);
      break;
    }
    case 'raster':
      // The image holds the receipt down to its cut, the layout's feed included as blank rows.
      printer.add(bufferOf(encodeRaster(renderReceiptBitmap(all, options.columns, { fontPath: options.fontPath ?? null }))));
      cut(printer);
      break;
  }
  return Uint8Array.from(printer.getBuffer());
}

/** What the test page prints, as receipt lines (also shown on screen by the settings page). */
export function testPageLines(options: { readonly columns: PaperColumns; readonly mode: PrintMode; readonly stationName: string; readonly at: string }): ReceiptLine[] {
  const { columns } = options;
  const text = (value: string, align: Align = 'left', bold = false): ReceiptLine[] =>
    wrap(value.replace(CONTROL_CHARS, ' ').trim(), columns).map((line) => ({ kind: 'text', text: line, align, size: 'normal', bold }));
  // 1234567890 across the whole line: the last digit at the right edge, on one line, means
  // the configured paper width matches the printer's.
  const ruler = '1234567890'.repeat(Math.ceil(columns / 10)).slice(0, columns);
  const at = options.at.replace(CONTROL_CHARS, ' ').trim();
  return [
    { kind: 'text', text: '打印测试', align: 'center', size: 'double', bold: true },
    ...text(options.stationName, 'center'),
    ...text(at, 'center'),
    { kind: 'rule', char: '=' },
    ...text('中文：通达燃气 缴费 购气 收据'),
    ...text('生僻字：堃 㙍 𠀀'),
    ...text('ASCII 0123456789 ABCabc #%&*()'),
    ...leftRight('金额', '￥1,234.56', columns).map((line): ReceiptLine => ({ kind: 'text', text: line, align: 'left', size: 'normal', bold: false })),
    ...text(`纸宽：${columns}列（${columns === 32 ? '58' : '80'}mm）  模式：${options.mode === 'text' ? '文本' : '图像'}`),
    { kind: 'text', text: ruler, align: 'left', size: 'normal', bold: false },
    ...text('粗体 Bold', 'left', true),
    { kind: 'text', text: truncate('倍宽 ￥8.00', columns / 2), align: 'left', size: 'double', bold: false },
    { kind: 'rule', char: '-' },
    { kind: 'qr', data: `TONGDA-TEST|${columns}|${options.mode}|${isAscii(at) ? at : ''}` },
    ...text('扫码测试', 'center'),
    { kind: 'feed', lines: END_FEED_LINES },
    { kind: 'cut' },
  ];
}

/** A short 打印测试 page for the settings screen: Chinese, ASCII, ￥, a QR code and a cut. */
export function buildTestPage(options: ReceiptJobOptions & { readonly stationName: string; readonly at: string }): Uint8Array {
  return buildReceiptJob(testPageLines(options), options);
}

