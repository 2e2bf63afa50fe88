/**
 * A PNG of what a printer would print from a captured job, text mode or raster alike, so a
 * person (or a test) can look at a receipt without paper. The printer is imitated, not
 * emulated: 12×24-dot characters on 30-dot lines as in raster.ts, text wrapped at the edge of
 * the paper, QR codes centred, and a dashed line where the paper is cut. The result is
 * thresholded to black and white, as thermal paper is.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { create as createQr } from 'qrcode';
import type { PaperColumns } from '../../core/receipt/layout.js';
import type { EscPosEvent } from './escpos-decode.js';
import { CELL_WIDTH, LINE_PITCH, cellsOf, drawCells, registerCjkFont, requireCjkFont, type Cell } from './fonts.js';
import { DOTS_PER_LINE } from './raster.js';

/** White paper around the printable width, so the edge of the print shows. */
export const PREVIEW_MARGIN = 16;
const MARGIN = PREVIEW_MARGIN;
const CUT_BAND = 24;
const DASH = 8;
/** GS ( k module size a printer uses when the job does not set one. */
const DEFAULT_QR_MODULE = 3;
const QR_QUIET_MODULES = 4;

type Text = Extract<EscPosEvent, { kind: 'text' }>;
type Raster = Extract<EscPosEvent, { kind: 'raster' }>;

/** One thing on the paper and the dots it takes, top to bottom. */
type Piece =
  | { kind: 'text'; cells: Cell[]; lead: number; event: Text; height: number }
  | { kind: 'raster'; event: Raster; height: number }
  | { kind: 'qr'; size: number; modules: Uint8Array; dots: number; height: number }
  | { kind: 'cut'; height: number };

function qrSymbol(data: string, level: string | undefined): { size: number; modules: Uint8Array } | null {
  const errorCorrectionLevel = level === 'L' || level === 'Q' || level === 'H' ? level : 'M';
  try {
    const { modules } = createQr(data, { errorCorrectionLevel });
    return { size: modules.size, modules: modules.data };
  } catch {
    return null; // more data than the level holds: the printer prints nothing either
  }
}

/** A printed line's rows: the printer wraps at the edge of the paper, character by character. */
function textPieces(event: Text, columns: number): Piece[] {
  const height = LINE_PITCH * event.height;
  const rows: Cell[][] = [[]];
  let used = 0;
  for (const cell of cellsOf(event.text)) {
    const width = cell.width * event.width;
    if (used + width > columns && used > 0) {
      rows.push([]);
      used = 0;
    }
    rows[rows.length - 1]?.push(cell);
    used += width;
  }
  return rows.map((cells) => {
    const spare = Math.max(0, columns - cells.reduce((sum, cell) => sum + cell.width * event.width, 0));
    const lead = event.align === 'center' ? Math.floor(spare / 2) : event.align === 'right' ? spare : 0;
    return { kind: 'text', cells, lead, event, height };
  });
}

function piecesOf(events: readonly EscPosEvent[], columns: number): Piece[] {
  const pieces: Piece[] = [];
  for (const event of events) {
    switch (event.kind) {
      case 'text':
        // A line without LF is still in the printer's buffer, not on paper.
        if (event.terminated) pieces.push(...textPieces(event, columns));
        break;
      case 'raster':
        pieces.push({ kind: 'raster', event, height: event.height });
        break;
      case 'qr': {
        const symbol = qrSymbol(event.data, event.errorLevel);
        if (symbol === null) break;
        const dots = Math.min(16, Math.max(1, event.size ?? DEFAULT_QR_MODULE));
        pieces.push({ kind: 'qr', ...symbol, dots, height: (symbol.size + 2 * QR_QUIET_MODULES) * dots });
        break;
      }
      case 'cut':
        pieces.push({ kind: 'cut', height: CUT_BAND });
        break;
      case 'init':
      case 'drawer-kick':
      case 'status-request':
      case 'unknown':
      case 'truncated':
        break;
    }
  }
  return pieces;
}

function drawPiece(ctx: SKRSContext2D, piece: Piece, y: number, paperWidth: number, family: () => string): void {
  switch (piece.kind) {
    case 'text': {
      const { width, height, bold } = piece.event;
      if (piece.cells.length > 0) drawCells(ctx, family(), piece.cells, MARGIN + piece.lead * CELL_WIDTH, y, { widthMul: width, heightMul: height, bold });
      break;
    }
    case 'qr': {
      const left = MARGIN + Math.floor((paperWidth - piece.size * piece.dots) / 2);
      const top = y + QR_QUIET_MODULES * piece.dots;
      for (let row = 0; row < piece.size; row += 1) {
        for (let col = 0; col < piece.size; col += 1) {
          if (piece.modules[row * piece.size + col] === 1) ctx.fillRect(left + col * piece.dots, top + row * piece.dots, piece.dots, piece.dots);
        }
      }
      break;
    }
    case 'cut':
      for (let x = 0; x < paperWidth + 2 * MARGIN; x += 2 * DASH) ctx.fillRect(x, y + CUT_BAND / 2 - 1, DASH, 2);
      break;
    case 'raster':
      break; // copied dot for dot after thresholding, see renderPreviewPng
  }
}

/** Sets the raster's dots black in RGBA pixels, clipped to the paper. */
function blit(pixels: Uint8ClampedArray, canvasWidth: number, raster: Raster, y: number, paperWidth: number): void {
  const stride = Math.ceil(raster.width / 8);
  const width = Math.min(raster.width, paperWidth);
  for (let row = 0; row < raster.height; row += 1) {
    for (let x = 0; x < width; x += 1) {
      if (((raster.data[row * stride + (x >> 3)] ?? 0) & (0x80 >> (x & 7))) === 0) continue;
      const at = ((y + row) * canvasWidth + MARGIN + x) * 4;
      pixels[at] = 0;
      pixels[at + 1] = 0;
      pixels[at + 2] = 0;
    }
  }
}

export function renderPreviewPng(events: readonly EscPosEvent[], options: { columns: PaperColumns; fontPath?: string | null }): Buffer {
  const paperWidth = DOTS_PER_LINE[options.columns];
  const pieces = piecesOf(events, options.columns);
  const width = paperWidth + 2 * MARGIN;
  const height = pieces.reduce((sum, piece) => sum + piece.height, 0) + 2 * MARGIN;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000';
  // Only text needs the font, so a raster job previews on a host without one.
  let family: string | undefined;
  const font = (): string => (family ??= registerCjkFont(requireCjkFont(options.fontPath ?? null)));

  let y = MARGIN;
  const rasters: { raster: Raster; y: number }[] = [];
  for (const piece of pieces) {
    drawPiece(ctx, piece, y, paperWidth, font);
    if (piece.kind === 'raster') rasters.push({ raster: piece.event, y });
    y += piece.height;
  }
  const image = ctx.getImageData(0, 0, width, height);
  const pixels = image.data;
  for (let at = 0; at < pixels.length; at += 4) {
    const ink = (pixels[at] ?? 255) < 128 ? 0 : 255;
    pixels[at] = ink;
    pixels[at + 1] = ink;
    pixels[at + 2] = ink;
    pixels[at + 3] = 255;
  }
  for (const { raster, y: top } of rasters) blit(pixels, width, raster, top, paperWidth);
  ctx.putImageData(image, 0, 0);
  return canvas.encodeSync('png');
}
