import { createHmac } from 'node:crypto';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { layoutReceipt, receiptCode, type PaperColumns, type ReceiptLine } from '../../core/receipt/layout.js';
import { billPayment, inputFor, topUp } from '../../core/receipt/fixtures.js';
import { EscPosBuilder } from './escpos.js';
import { decodeEscPos } from './escpos-decode.js';
import { LINE_PITCH } from './fonts.js';
import { PREVIEW_MARGIN, renderPreviewPng } from './preview.js';
import { DOTS_PER_LINE, encodeRaster, renderReceiptBitmap, type Bitmap } from './raster.js';

const mac = (text: string): string => createHmac('sha256', 'station-key').update(text).digest('hex');

/** A text-mode job as a driver would send it. */
function textJob(lines: readonly ReceiptLine[], columns: PaperColumns): EscPosBuilder {
  const b = new EscPosBuilder().init();
  for (const line of lines) {
    switch (line.kind) {
      case 'text':
        b.align(line.align).bold(line.bold).doubleSize(line.size === 'double').line(line.text).bold(false).doubleSize(false);
        break;
      case 'rule':
        b.align('left').line(line.char.repeat(columns));
        break;
      case 'qr':
        b.align('center').qr(line.data, { size: 6 });
        break;
      case 'feed':
        b.feed(line.lines);
        break;
      case 'cut':
        b.cut();
        break;
    }
  }
  return b;
}

interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

async function pixelsOf(png: Buffer): Promise<Pixels> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}

function black(p: Pixels, x: number, y: number): boolean {
  return (p.data[(y * p.width + x) * 4] ?? 255) < 128;
}

function rowsOf(p: Pixels, top: number, bottom: number): Pixels {
  return { width: p.width, height: bottom - top, data: p.data.slice(top * p.width * 4, bottom * p.width * 4) };
}

function ink(bitmap: Bitmap, x: number, y: number): boolean {
  return ((bitmap.data[y * Math.ceil(bitmap.width / 8) + (x >> 3)] ?? 0) & (0x80 >> (x & 7))) !== 0;
}

describe.each([32, 48] as const)('renderPreviewPng at %i columns', (columns) => {
  const paper = DOTS_PER_LINE[columns] + 2 * PREVIEW_MARGIN;

  it('shows a text-mode receipt whose QR code scans', async () => {
    const lines = layoutReceipt(inputFor(billPayment, columns), mac);
    const png = renderPreviewPng(decodeEscPos(textJob(lines, columns).build()), { columns });
    const pixels = await pixelsOf(png);
    expect(pixels.width).toBe(paper);
    expect(jsQR(pixels.data, pixels.width, pixels.height)?.data).toBe(receiptCode('R2026112100012', billPayment.amount, billPayment.entryId, mac));
    // Paper and ink only: every pixel is black or white.
    expect(pixels.data.every((v, i) => i % 4 === 3 ? v === 255 : v === 0 || v === 255)).toBe(true);
  });

  it('shows a raster receipt dot for dot, then the cut as a dashed line', async () => {
    const bitmap = renderReceiptBitmap(layoutReceipt(inputFor(topUp, columns), mac), columns);
    const bytes = new EscPosBuilder().init().raw(encodeRaster(bitmap)).cut().build();
    const pixels = await pixelsOf(renderPreviewPng(decodeEscPos(bytes), { columns }));
    expect(pixels.width).toBe(paper);
    let differ = 0;
    for (let y = 0; y < bitmap.height; y++) {
      for (let x = 0; x < bitmap.width; x++) if (black(pixels, PREVIEW_MARGIN + x, PREVIEW_MARGIN + y) !== ink(bitmap, x, y)) differ += 1;
    }
    expect(differ).toBe(0);
    const below = Array.from({ length: pixels.height - PREVIEW_MARGIN - bitmap.height }, (_, i) => PREVIEW_MARGIN + bitmap.height + i);
    const dashed = below.filter((y) => {
      let changes = 0;
      for (let x = 1; x < pixels.width; x++) if (black(pixels, x, y) !== black(pixels, x - 1, y)) changes += 1;
      return changes >= pixels.width / 16;
    });
    expect(dashed.length).toBeGreaterThan(0);
  });

  it('prints receipts of one stream one after another', async () => {
    const bill = layoutReceipt(inputFor(billPayment, columns), mac);
    const top = layoutReceipt(inputFor(topUp, columns), mac);
    const one = await pixelsOf(renderPreviewPng(decodeEscPos(textJob(bill, columns).build()), { columns }));
    const both = await pixelsOf(renderPreviewPng(decodeEscPos(textJob(bill, columns).raw(textJob(top, columns).build()).build()), { columns }));
    const split = one.height - PREVIEW_MARGIN;
    expect(jsQR(rowsOf(both, 0, split).data, both.width, split)?.data).toBe(receiptCode('R2026112100012', billPayment.amount, billPayment.entryId, mac));
    expect(jsQR(rowsOf(both, split, both.height).data, both.width, both.height - split)?.data).toBe(
      receiptCode('R2026112100012', topUp.amount, topUp.entryId, mac),
    );
  });
});

describe('renderPreviewPng', () => {
  const options = { columns: 32 } as const;
  const heightOf = async (b: EscPosBuilder): Promise<number> => (await pixelsOf(renderPreviewPng(decodeEscPos(b.build()), options))).height;

  it('ignores the drawer kick, status requests and text not yet ended by LF', () => {
    const plain = renderPreviewPng(decodeEscPos(new EscPosBuilder().init().line('实收 ￥1.00').cut().build()), options);
    const extra = new EscPosBuilder().init().statusRequest(1).line('实收 ￥1.00').cut().drawerKick().text('held').build();
    expect(renderPreviewPng(decodeEscPos(extra), options).equals(plain)).toBe(true);
  });

  it('wraps a line longer than the paper, as a printer does, and makes tall text tall', async () => {
    const blank = await heightOf(new EscPosBuilder().init());
    expect(await heightOf(new EscPosBuilder().line('x'.repeat(32)))).toBe(blank + LINE_PITCH);
    expect(await heightOf(new EscPosBuilder().line('x'.repeat(33)))).toBe(blank + 2 * LINE_PITCH);
    expect(await heightOf(new EscPosBuilder().doubleSize(true).line('合计'))).toBe(blank + 2 * LINE_PITCH);
  });

  it('right-aligns text to the paper edge', async () => {
    const pixels = await pixelsOf(renderPreviewPng(decodeEscPos(new EscPosBuilder().align('right').line('￥9.99').build()), options));
    let right = -1;
    for (let y = 0; y < pixels.height; y++) for (let x = 0; x < pixels.width; x++) if (black(pixels, x, y)) right = Math.max(right, x);
    expect(right).toBeGreaterThanOrEqual(PREVIEW_MARGIN + 384 - 4);
    expect(right).toBeLessThan(PREVIEW_MARGIN + 384);
  });
});
