/**
 * The Chinese font for raster receipts and previews, and drawing with it the way a receipt
 * printer's own 12×24 font prints: one character per cell, a wide (GBK double-byte) character
 * in two cells. Drawing every character in its cell, instead of letting the font space the
 * text, keeps each raster line exactly as wide as the text-mode line `core/receipt` measured,
 * so right-aligned amounts end at the paper's edge in both modes.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { charWidth } from '../../core/receipt/width.js';

/** Where a Chinese font usually is, in order of preference; the first that exists is used. */
export const CJK_FONT_LOCATIONS: readonly string[] = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', // Debian, Ubuntu: fonts-noto-cjk
  '/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc', // older Ubuntu
  '/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc', // Fedora
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc', // older Fedora
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', // Arch
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  'C:\\Windows\\Fonts\\msyh.ttc', // 微软雅黑
  'C:\\Windows\\Fonts\\simsun.ttc', // 宋体
  '/System/Library/Fonts/PingFang.ttc',
  '/System/Library/Fonts/STHeiti Medium.ttc',
];

export class CjkFontError extends Error {
  override readonly name = 'CjkFontError';
}

/** The configured font if the file exists, else the first of `candidates` that does. */
export function findCjkFont(configured: string | null, candidates: readonly string[] = CJK_FONT_LOCATIONS): string | null {
  if (configured !== null && existsSync(configured)) return configured;
  return candidates.find((path) => existsSync(path)) ?? null;
}

/** Like findCjkFont, but a missing font is an error that says where it looked. */
export function requireCjkFont(configured: string | null, candidates: readonly string[] = CJK_FONT_LOCATIONS): string {
  const found = findCjkFont(configured, candidates);
  if (found !== null) return found;
  const looked = configured === null ? candidates : [configured, ...candidates];
  throw new CjkFontError(
    `raster receipts need a Chinese font and none was found; looked at: ${looked.join(', ')}. Install fonts-noto-cjk or configure the path of a .ttc/.ttf/.otf font.`,
  );
}

const registered = new Map<string, string>();

/**
 * Registers the font file once and returns the family name to draw with. Each path gets its
 * own alias, so two fonts never merge into one family and an installed font of the same name
 * is never picked instead.
 */
export function registerCjkFont(path: string): string {
  const absolute = resolve(path);
  const known = registered.get(absolute);
  if (known !== undefined) return known;
  const family = `Tongda CJK ${registered.size + 1}`;
  if (GlobalFonts.registerFromPath(absolute, family) === null) throw new CjkFontError(`could not load the font at ${absolute}`);
  registered.set(absolute, family);
  return family;
}

/** A receipt printer's character cell in dots, at normal size. */
export const CELL_WIDTH = 12;
export const CELL_HEIGHT = 24;
/** A text line's height in dots: the cell and 6 dots of spacing, a usual default on 203 dpi printers. */
export const LINE_PITCH = 30;
// Noto Sans CJK's ideographic em box runs 0.88 em above the baseline and 0.12 below, so at 24 px
// a baseline 21 dots down makes a Chinese character fill its 24-dot cell as a printer font does.
const BASELINE = 21;

export interface Cell {
  readonly text: string;
  /** Columns: 1 for a single-byte character, 2 for a wide one. */
  readonly width: 1 | 2;
}

/** Text as printer cells: a zero-width mark stays with the character before it. */
export function cellsOf(text: string): Cell[] {
  const cells: Cell[] = [];
  for (const char of text) {
    const width = charWidth(char);
    const last = cells[cells.length - 1];
    if (width === 0) {
      if (last !== undefined) cells[cells.length - 1] = { text: last.text + char, width: last.width };
    } else {
      cells.push({ text: char, width });
    }
  }
  return cells;
}

export interface CellStyle {
  /** Character width and height multipliers, as GS ! sets them. */
  readonly widthMul: number;
  readonly heightMul: number;
  readonly bold: boolean;
}

/**
 * Draws cells in black with their top-left corner at (x, y) in dots. A glyph wider than its
 * cells is squeezed into them (Latin letters in a CJK font are wider than 12 dots), and bold is
 * drawn twice one dot apart, as a printer's emphasized mode does, so it needs no bold font.
 */
export function drawCells(ctx: SKRSContext2D, family: string, cells: readonly Cell[], x: number, y: number, style: CellStyle): void {
  ctx.save();
  ctx.setTransform(style.widthMul, 0, 0, style.heightMul, x, y);
  ctx.font = `${CELL_HEIGHT}px "${family}"`;
  // Noto's .ttc opens as its Japanese face; the zh-CN language picks the Chinese glyph forms
  // (and makes the result independent of the host's locale).
  ctx.lang = 'zh-CN';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = '#000';
  let left = 0;
  for (const cell of cells) {
    const cellWidth = cell.width * CELL_WIDTH;
    const centre = left + cellWidth / 2;
    ctx.fillText(cell.text, centre, BASELINE, cellWidth);
    if (style.bold) ctx.fillText(cell.text, centre + 1, BASELINE, cellWidth);
    left += cellWidth;
  }
  ctx.restore();
}
