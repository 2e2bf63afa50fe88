/**
 * Raster receipts: the receipt drawn as one 1-bit image and sent with GS v 0, for printers whose
 * Chinese font is missing or wrong. The drawing follows the text-mode receipt cell for cell
 * (12×24-dot characters, 30-dot lines), so both modes print the same layout.
 */
import { createCanvas } from '@napi-rs/canvas';
import { create as createQr } from 'qrcode';
import type { PaperColumns, ReceiptLine } from '../../core/receipt/layout.js';
import { displayWidth, truncate } from '../../core/receipt/width.js';
import { GS } from './escpos.js';
import type { EscPosEvent } from './escpos-decode.js';
import { CELL_HEIGHT, CELL_WIDTH, LINE_PITCH, cellsOf, drawCells, registerCjkFont, requireCjkFont } from './fonts.js';

/** 1 bit per dot, 1 = ink; rows top to bottom, each row ceil(width/8) bytes, most significant bit = leftmost dot. */
export interface Bitmap {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Printable dots across the paper at 203 dpi: 32 columns of 12 dots on 58 mm, 48 on 80 mm. */
export const DOTS_PER_LINE: Readonly<Record<PaperColumns, number>> = { 32: 384, 48: 576 };

/** QR symbol about this share of the paper width: big enough to scan off thermal paper, small enough to leave margins. */
const QR_SHARE = 0.4;
const QR_QUIET_MODULES = 4;
const RULE_THICKNESS = 2;
/** Many printers refuse or garble a GS v 0 taller than this. */
const MAX_BAND_ROWS = 256;

function rowBytes(width: number): number {
  return Math.ceil(width / 8);
}

function qrOf(data: string, paperWidth: number): { size: number; modules: Uint8Array; dots: number } {
  const { modules } = createQr(data, { errorCorrectionLevel: 'M' });
  return { size: modules.size, modules: modules.data, dots: Math.max(1, Math.round((paperWidth * QR_SHARE) / modules.size)) };
}

/** The receipt's lines up to its cut: the job builder sends the cut itself, after the image. */
function linesToCut(lines: readonly ReceiptLine[]): readonly ReceiptLine[] {
  const cut = lines.findIndex((line) => line.kind === 'cut');
  if (cut === -1) return lines;
  if (cut !== lines.length - 1) throw new RangeError('a raster receipt ends at its cut; render each receipt of a job on its own');
  return lines.slice(0, cut);
}

function heightOf(line: ReceiptLine, paperWidth: number): number {
  switch (line.kind) {
    case 'text':
      return line.size === 'double' ? 2 * LINE_PITCH : LINE_PITCH;
    case 'rule':
      return LINE_PITCH;
    case 'qr': {
      const qr = qrOf(line.data, paperWidth);
      return (qr.size + 2 * QR_QUIET_MODULES) * qr.dots;
    }
    case 'feed':
      return line.lines * LINE_PITCH;
    case 'cut':
      return 0;
  }
}

export function renderReceiptBitmap(lines: readonly ReceiptLine[], columns: PaperColumns, options: { fontPath?: string | null } = {}): Bitmap {
  const width = DOTS_PER_LINE[columns];
  const body = linesToCut(lines);
  const height = body.reduce((sum, line) => sum + heightOf(line, width), 0);
  const data = new Uint8Array(rowBytes(width) * height);
  if (height === 0) return { width, height, data };
  // Resolve the font before drawing so a missing one fails even for a receipt without text.
  const family = registerCjkFont(requireCjkFont(options.fontPath ?? null));
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#000';
  let y = 0;
  for (const line of body) {
    switch (line.kind) {
      case 'text': {
        const scale = line.size === 'double' ? 2 : 1;
        const text = truncate(line.text, Math.floor(columns / scale));
        const spare = columns - displayWidth(text) * scale;
        const lead = line.align === 'center' ? Math.floor(spare / 2) : line.align === 'right' ? spare : 0;
        drawCells(ctx, family, cellsOf(text), lead * CELL_WIDTH, y, { widthMul: scale, heightMul: scale, bold: line.bold });
        break;
      }
      case 'rule': {
        const middle = y + CELL_HEIGHT / 2;
        if (line.char === '-') ctx.fillRect(0, middle - RULE_THICKNESS / 2, width, RULE_THICKNESS);
        else {
          ctx.fillRect(0, middle - 3, width, RULE_THICKNESS);
          ctx.fillRect(0, middle + 1, width, RULE_THICKNESS);
        }
        break;
      }
      case 'qr': {
        const qr = qrOf(line.data, width);
        const left = Math.floor((width - qr.size * qr.dots) / 2);
        const top = y + QR_QUIET_MODULES * qr.dots;
        for (let row = 0; row < qr.size; row += 1) {
          for (let col = 0; col < qr.size; col += 1) {
            if (qr.modules[row * qr.size + col] === 1) ctx.fillRect(left + col * qr.dots, top + row * qr.dots, qr.dots, qr.dots);
          }
        }
        break;
      }
      case 'feed':
      case 'cut':
        break;
    }
    y += heightOf(line, width);
  }
  // Thermal dots are on or off; half-covered edge pixels of anti-aliased glyphs print if mostly covered.
  const pixels = ctx.getImageData(0, 0, width, height).data;
  const stride = rowBytes(width);
  for (let row = 0; row < height; row += 1) {
    for (let x = 0; x < width; x += 1) {
      if ((pixels[(row * width + x) * 4 + 3] ?? 0) < 128) continue;
      const i = row * stride + (x >> 3);
      data[i] = (data[i] ?? 0) | (0x80 >> (x & 7));
    }
  }
  return { width, height, data };
}

/**
 * A QR code alone as a bitmap the paper's width, centred with its quiet zone: for printers
 * without the GS ( k QR command (many older 58 mm ones), which print text but not codes. No font
 * is needed.
 */
export function renderQrBitmap(data: string, columns: PaperColumns): Bitmap {
  const width = DOTS_PER_LINE[columns];
  const qr = qrOf(data, width);
  const height = (qr.size + 2 * QR_QUIET_MODULES) * qr.dots;
  const stride = rowBytes(width);
  const bits = new Uint8Array(stride * height);
  const left = Math.floor((width - qr.size * qr.dots) / 2);
  const top = QR_QUIET_MODULES * qr.dots;
  for (let row = 0; row < qr.size; row += 1) {
    for (let col = 0; col < qr.size; col += 1) {
      if (qr.modules[row * qr.size + col] !== 1) continue;
      for (let dy = 0; dy < qr.dots; dy += 1) {
        for (let dx = 0; dx < qr.dots; dx += 1) {
          const x = left + col * qr.dots + dx;
          const i = (top + row * qr.dots + dy) * stride + (x >> 3);
          bits[i] = (bits[i] ?? 0) | (0x80 >> (x & 7));
        }
      }
    }
  }
  return { width, height, data: bits };
}

/** GS v 0 commands (m = 0) for the bitmap, in bands of at most 256 rows (many printers limit one command's height). */
export function encodeRaster(bitmap: Bitmap): Uint8Array {
  const stride = rowBytes(bitmap.width);
  if (bitmap.data.length !== stride * bitmap.height) {
    throw new RangeError(`bitmap data is ${bitmap.data.length} bytes, expected ${stride * bitmap.height} for ${bitmap.width}×${bitmap.height}`);
  }
  if (stride > 0xffff) throw new RangeError(`bitmap too wide for GS v 0: ${bitmap.width} dots`);
  const bands = Math.ceil(bitmap.height / MAX_BAND_ROWS);
  const out = new Uint8Array(bands * 8 + bitmap.data.length);
  let at = 0;
  for (let top = 0; top < bitmap.height; top += MAX_BAND_ROWS) {
    const rows = Math.min(MAX_BAND_ROWS, bitmap.height - top);
    out.set([GS, 0x76, 0x30, 0, stride & 0xff, stride >> 8, rows & 0xff, rows >> 8], at);
    out.set(bitmap.data.subarray(top * stride, (top + rows) * stride), at + 8);
    at += 8 + rows * stride;
  }
  return out;
}

/**
 * The images in decoded events: consecutive raster events of one width (the bands of one
 * image) are stacked into one bitmap; anything else between them starts a new one.
 */
export function decodeRasterBands(events: readonly EscPosEvent[]): Bitmap[] {
  const images: Bitmap[] = [];
  let bands: Extract<EscPosEvent, { kind: 'raster' }>[] = [];
  const finish = (): void => {
    const first = bands[0];
    if (first === undefined) return;
    const data = new Uint8Array(bands.reduce((sum, band) => sum + band.data.length, 0));
    let at = 0;
    for (const band of bands) {
      data.set(band.data, at);
      at += band.data.length;
    }
    images.push({ width: first.width, height: bands.reduce((sum, band) => sum + band.height, 0), data });
    bands = [];
  };
  for (const event of events) {
    if (event.kind !== 'raster') finish();
    else {
      if (bands[0] !== undefined && bands[0].width !== event.width) finish();
      bands.push(event);
    }
  }
  finish();
  return images;
}
