import { createHmac } from 'node:crypto';
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { layoutReceipt, receiptCode, type ReceiptLine } from '../../core/receipt/layout.js';
import { billPayment, inputFor, topUp } from '../../core/receipt/fixtures.js';
import { displayWidth } from '../../core/receipt/width.js';
import { decodeEscPos, summarizeEscPos } from './escpos-decode.js';
import { CELL_WIDTH, LINE_PITCH } from './fonts.js';
import { DOTS_PER_LINE, decodeRasterBands, encodeRaster, renderQrBitmap, renderReceiptBitmap, type Bitmap } from './raster.js';
import { buildReceiptJob } from './receipt-job.js';

const mac = (text: string): string => createHmac('sha256', 'station-key').update(text).digest('hex');

type Text = Extract<ReceiptLine, { kind: 'text' }>;

function ink(bitmap: Bitmap, x: number, y: number): boolean {
  return ((bitmap.data[y * Math.ceil(bitmap.width / 8) + (x >> 3)] ?? 0) & (0x80 >> (x & 7))) !== 0;
}

/** The box around the ink in rows [top, bottom), or null when they are blank. */
function inkBox(bitmap: Bitmap, top = 0, bottom = bitmap.height): { left: number; right: number; top: number; bottom: number; dots: number } | null {
  let box: { left: number; right: number; top: number; bottom: number; dots: number } | null = null;
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      if (!ink(bitmap, x, y)) continue;
      box ??= { left: x, right: x, top: y, bottom: y, dots: 0 };
      box = { left: Math.min(box.left, x), right: Math.max(box.right, x), top: Math.min(box.top, y), bottom: Math.max(box.bottom, y), dots: box.dots + 1 };
    }
  }
  return box;
}

function rows(bitmap: Bitmap, top: number, bottom: number): Uint8Array {
  const stride = Math.ceil(bitmap.width / 8);
  return bitmap.data.subarray(top * stride, bottom * stride);
}

function rgba(bitmap: Bitmap): Uint8ClampedArray {
  const out = new Uint8ClampedArray(bitmap.width * bitmap.height * 4);
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      const v = ink(bitmap, x, y) ? 0 : 255;
      out.set([v, v, v, 255], (y * bitmap.width + x) * 4);
    }
  }
  return out;
}

function text(t: string, over: Partial<Text> = {}): Text {
  return { kind: 'text', text: t, align: 'left', size: 'normal', bold: false, ...over };
}

const receipts = [
  { name: 'bill payment', entry: billPayment },
  { name: 'top-up', entry: topUp },
].flatMap(({ name, entry }) => ([32, 48] as const).map((columns) => ({ name: `${name} at ${columns} columns`, entry, columns })));

describe.each(receipts)('raster receipt: $name', ({ entry, columns }) => {
  const lines = layoutReceipt(inputFor(entry, columns), mac);
  const bitmap = renderReceiptBitmap(lines, columns);
  const width = DOTS_PER_LINE[columns];

  it('comes back dot for dot through GS v 0, in bands of at most 256 rows', () => {
    const bytes = encodeRaster(bitmap);
    const events = decodeEscPos(bytes);
    const summary = summarizeEscPos(events);
    expect(summary.unknown).toBe(0);
    expect(summary.lines).toEqual([]);
    expect(summary.rasters.length).toBe(Math.ceil(bitmap.height / 256));
    for (const band of summary.rasters) expect(band.height).toBeLessThanOrEqual(256);
    const images = decodeRasterBands(events);
    expect(images).toHaveLength(1);
    expect(images[0]?.width).toBe(width);
    expect(images[0]).toEqual(bitmap);
    expect(bitmap.width).toBe(columns === 32 ? 384 : 576);
    expect(bitmap.data.length).toBe((width / 8) * bitmap.height);
  });

  it('carries a QR code that scans to the receipt verification string', () => {
    const code = receiptCode('R2026112100012', entry.amount, entry.entryId, mac);
    expect(lines).toContainEqual({ kind: 'qr', data: code });
    expect(jsQR(rgba(bitmap), bitmap.width, bitmap.height)?.data).toBe(code);
  });

  it('is the lines drawn one under another, each in its own band, none touching another', () => {
    let top = 0;
    for (const line of lines) {
      const alone = renderReceiptBitmap([line], columns);
      expect(alone.width).toBe(width);
      // Drawn alone or in the receipt, a line gives the same dots: nothing leaks between bands.
      expect(rows(bitmap, top, top + alone.height)).toEqual(alone.data);
      if (line.kind === 'text') {
        const scale = line.size === 'double' ? 2 : 1;
        expect(alone.height).toBe(LINE_PITCH * scale);
        // With a feed after it, the line's ink stays above the feed and off the line spacing.
        const withFeed = renderReceiptBitmap([line, { kind: 'feed', lines: 1 }], columns);
        expect(inkBox(withFeed, alone.height)).toBeNull();
        const box = inkBox(alone);
        expect(box, line.text).not.toBeNull();
        if (box === null) continue;
        expect(box.bottom).toBeLessThan(LINE_PITCH * scale - 3 * scale);
        // Horizontally the ink stays in the line's cells (bold overdraw may add a dot per scale).
        const used = displayWidth(line.text) * scale;
        const spare = columns - used;
        const lead = line.align === 'center' ? Math.floor(spare / 2) : line.align === 'right' ? spare : 0;
        expect(box.left).toBeGreaterThanOrEqual(lead * CELL_WIDTH);
        expect(box.right).toBeLessThan(Math.min(width, (lead + used) * CELL_WIDTH + scale));
      }
      if (line.kind === 'feed') expect(inkBox(alone)).toBeNull();
      top += alone.height;
    }
    expect(top).toBe(bitmap.height);
  });

  it('puts amounts at the right edge and the double-size total in a band twice as tall', () => {
    let top = 0;
    let checked = 0;
    for (const line of lines) {
      const height = renderReceiptBitmap([line], columns).height;
      if (line.kind === 'text' && line.text.endsWith('￥40.00')) {
        expect(inkBox(bitmap, top, top + height)?.right).toBeGreaterThanOrEqual(width - 4);
        checked += 1;
      }
      if (line.kind === 'text' && line.text.startsWith('合计')) {
        expect(line.size).toBe('double');
        expect(height).toBe(2 * LINE_PITCH);
        expect(inkBox(bitmap, top, top + height)?.right).toBeGreaterThanOrEqual(width - 8);
        checked += 1;
      }
      top += height;
    }
    expect(checked).toBe(entry === billPayment ? 2 : 1);
  });
});

describe('renderReceiptBitmap', () => {
  it('draws double size twice as wide and tall, bold heavier, and aligns as the line says', () => {
    const normal = inkBox(renderReceiptBitmap([text('合计')], 32));
    const double = inkBox(renderReceiptBitmap([text('合计', { size: 'double' })], 32));
    const bold = inkBox(renderReceiptBitmap([text('合计', { bold: true })], 32));
    if (normal === null || double === null || bold === null) throw new Error('no ink');
    expect(double.bottom - double.top + 1).toBeGreaterThanOrEqual(2 * (normal.bottom - normal.top + 1) - 3);
    expect(double.right - double.left + 1).toBeGreaterThanOrEqual(2 * (normal.right - normal.left + 1) - 3);
    expect(bold.dots).toBeGreaterThan(normal.dots * 1.2);

    const right = inkBox(renderReceiptBitmap([text('￥1.00', { align: 'right' })], 48));
    expect(right?.right).toBeGreaterThanOrEqual(576 - 4);
    expect(right?.left).toBeGreaterThan(576 - displayWidth('￥1.00') * CELL_WIDTH - 1);
    const centre = inkBox(renderReceiptBitmap([text('扫码核验收据', { align: 'center' })], 32));
    if (centre === null) throw new Error('no ink');
    expect(Math.abs(centre.left - (384 - 1 - centre.right))).toBeLessThanOrEqual(4);
  });

  it('draws rules across the paper, leaves feeds blank and stops at the cut', () => {
    const dash = renderReceiptBitmap([{ kind: 'rule', char: '-' }], 32);
    const double = renderReceiptBitmap([{ kind: 'rule', char: '=' }], 48);
    const fullRows = (b: Bitmap): number => Array.from({ length: b.height }, (_, y) => y).filter((y) => rows(b, y, y + 1).every((v) => v === 0xff)).length;
    const inkRows = (b: Bitmap): number => Array.from({ length: b.height }, (_, y) => y).filter((y) => rows(b, y, y + 1).some((v) => v !== 0)).length;
    expect([dash.height, fullRows(dash), inkRows(dash)]).toEqual([LINE_PITCH, 2, 2]);
    expect([double.height, fullRows(double), inkRows(double)]).toEqual([LINE_PITCH, 4, 4]);

    const feed = renderReceiptBitmap([{ kind: 'feed', lines: 3 }], 32);
    expect(feed.height).toBe(3 * LINE_PITCH);
    expect(inkBox(feed)).toBeNull();

    const body: ReceiptLine[] = [text('收据'), { kind: 'feed', lines: 2 }];
    expect(renderReceiptBitmap([...body, { kind: 'cut' }], 32)).toEqual(renderReceiptBitmap(body, 32));
    expect(() => renderReceiptBitmap([...body, { kind: 'cut' }, text('next')], 32)).toThrow(RangeError);
    expect(renderReceiptBitmap([], 48)).toEqual({ width: 576, height: 0, data: new Uint8Array(0) });
  });

  it('is a pure function of the lines, the width and the font', () => {
    const lines = layoutReceipt(inputFor(topUp, 32), mac);
    expect(renderReceiptBitmap(lines, 32)).toEqual(renderReceiptBitmap(lines, 32));
  });
});

describe('encodeRaster', () => {
  it('sends rows top to bottom, most significant bit leftmost, in bands of 256 rows', () => {
    // 16 dots by 600 rows; the first dot of row y is set when y is odd, the last dot of row 0.
    const data = new Uint8Array(2 * 600);
    for (let y = 1; y < 600; y += 2) data[2 * y] = 0x80;
    data[1] = 0x01;
    const bytes = encodeRaster({ width: 16, height: 600, data });
    expect(bytes.length).toBe(3 * 8 + data.length);
    expect(Array.from(bytes.subarray(0, 10))).toEqual([0x1d, 0x76, 0x30, 0, 2, 0, 0, 1, 0x00, 0x01]);
    const second = 8 + 2 * 256;
    expect(Array.from(bytes.subarray(second, second + 8))).toEqual([0x1d, 0x76, 0x30, 0, 2, 0, 0, 1]);
    const third = 2 * second;
    expect(Array.from(bytes.subarray(third, third + 8))).toEqual([0x1d, 0x76, 0x30, 0, 2, 0, 88, 0]);
    expect(decodeRasterBands(decodeEscPos(bytes))).toEqual([{ width: 16, height: 600, data }]);
  });

  it('refuses data that does not match the size, and sends nothing for an empty bitmap', () => {
    expect(() => encodeRaster({ width: 9, height: 2, data: new Uint8Array(2) })).toThrow(RangeError);
    expect(encodeRaster({ width: 384, height: 0, data: new Uint8Array(0) })).toEqual(new Uint8Array(0));
  });
});

describe('decodeRasterBands', () => {
  it('keeps images apart when anything else, or another width, comes between them', () => {
    const a: Bitmap = { width: 8, height: 1, data: Uint8Array.of(0xf0) };
    const b: Bitmap = { width: 16, height: 2, data: Uint8Array.of(1, 2, 3, 4) };
    const cut = Uint8Array.of(0x1d, 0x56, 66, 0);
    const bytes = Uint8Array.from([...encodeRaster(a), ...encodeRaster(a), ...cut, ...encodeRaster(a), ...encodeRaster(b)]);
    expect(decodeRasterBands(decodeEscPos(bytes))).toEqual([{ width: 8, height: 2, data: Uint8Array.of(0xf0, 0xf0) }, a, b]);
  });
});

describe('a QR code as an image, for printers without the QR command', () => {
  it.each([32, 48] as const)('a text job at %i columns carries the code as one small raster that scans, and no GS ( k', (columns) => {
    const lines = layoutReceipt(inputFor(billPayment, columns), mac);
    const code = receiptCode('R2026112100012', billPayment.amount, billPayment.entryId, mac);
    const events = decodeEscPos(buildReceiptJob(lines, { columns, mode: 'text', kickDrawer: false, qrAsImage: true }));
    const summary = summarizeEscPos(events);
    expect(summary.qr).toEqual([]);
    expect(summary.lines).toContain('缴费收据');
    const [bitmap, ...more] = decodeRasterBands(events);
    expect(more).toEqual([]);
    if (!bitmap) throw new Error('no raster');
    expect(bitmap.width).toBe(DOTS_PER_LINE[columns]);
    expect(jsQR(rgba(bitmap), bitmap.width, bitmap.height)?.data).toBe(code);
    expect(renderQrBitmap(code, columns)).toEqual(bitmap);
  });
});
