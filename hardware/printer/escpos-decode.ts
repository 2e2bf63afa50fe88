/**
 * ESC/POS stream decoder for tests and the virtual printer: walks the bytes a printer
 * would receive and reports what it would print. It knows the commands escpos.ts sends
 * plus the common ones a driver or node-thermal-printer may send; anything else is
 * reported as `unknown` one byte at a time, so a test sees it rather than losing it.
 *
 * Text follows the printer's rules: bytes are held until LF (or a cut, QR print or raster
 * image, which print the held line first); inside `FS &` … `FS .` they are GB18030,
 * outside they are single-byte code-page characters, of which only ASCII is decoded (the
 * rest become U+FFFD, which is what a Chinese receipt sent without Chinese mode looks
 * like). `ESC @` clears the held line, as on the printer.
 *
 * Pure: no Node APIs.
 */
import { DLE, EOT, ESC, FS, GS, LF } from './escpos.js';
import { decodeGb18030 } from './gb18030.js';

export type TextAlign = 'left' | 'center' | 'right';

export type EscPosEvent =
  | { readonly kind: 'init' }
  | {
      readonly kind: 'text';
      readonly text: string;
      readonly align: TextAlign;
      readonly bold: boolean;
      /** Character width and height multipliers from GS ! (1..8). */
      readonly width: number;
      readonly height: number;
      /** False for text left at the end of the stream with no LF (a printer would not print it yet). */
      readonly terminated: boolean;
    }
  | { readonly kind: 'qr'; readonly data: string; readonly size: number | undefined; readonly errorLevel: string | undefined }
  /** A GS v 0 image as printed (double width or height applied): rows of ceil(width / 8) bytes, MSB leftmost, 1 = ink. */
  | { readonly kind: 'raster'; readonly width: number; readonly height: number; readonly data: Uint8Array }
  | { readonly kind: 'cut'; readonly partial: boolean }
  | { readonly kind: 'drawer-kick'; readonly pin: 2 | 5; readonly onMs: number; readonly offMs: number }
  | { readonly kind: 'status-request'; readonly n: number }
  | { readonly kind: 'unknown'; readonly offset: number; readonly byte: number }
  | { readonly kind: 'truncated'; readonly offset: number };

/**
 * Length of the command or character starting at `at`: a number of bytes, 'incomplete'
 * if the stream ends inside it, or 'unknown' for a control byte we do not know.
 */
export function commandLength(bytes: Uint8Array, at: number): number | 'incomplete' | 'unknown' {
  const b = bytes[at];
  if (b === undefined) return 'incomplete';
  if (b >= 0x20 || b === LF || b === 0x0d || b === 0x09) return 1;
  const need = (n: number): number | 'incomplete' => (at + n <= bytes.length ? n : 'incomplete');
  const c = bytes[at + 1];
  if (c === undefined) return b === ESC || b === GS || b === FS || b === DLE ? 'incomplete' : 'unknown';
  switch (b) {
    case ESC:
      if (c === 0x40 || c === 0x32) return need(2); // ESC @, ESC 2
      if ('aE!-tRdJ3MG{'.includes(String.fromCharCode(c))) return need(3);
      if (c === 0x70) return need(5); // ESC p m t1 t2
      return 'unknown';
    case GS: {
      if ('!BhwHf'.includes(String.fromCharCode(c))) return need(3);
      if (c === 0x56) {
        // GS V m, plus n for the "feed and cut" functions B/C/D.
        const m = bytes[at + 2];
        if (m === undefined) return 'incomplete';
        return [0, 1, 48, 49].includes(m) ? need(3) : need(4);
      }
      if (c === 0x28) {
        // GS ( fn pL pH ...: pL + 256 pH bytes follow.
        const pL = bytes[at + 3];
        const pH = bytes[at + 4];
        if (pL === undefined || pH === undefined) return 'incomplete';
        return need(5 + pL + pH * 256);
      }
      if (c === 0x76) {
        // GS v 0 m xL xH yL yH d1...dk, k = (xL + 256 xH) * (yL + 256 yH): raster image.
        const sub = bytes[at + 2];
        if (sub === undefined) return 'incomplete';
        if (sub !== 0x30) return 'unknown';
        if (at + 8 > bytes.length) return 'incomplete';
        const x = (bytes[at + 4] ?? 0) + (bytes[at + 5] ?? 0) * 256;
        const y = (bytes[at + 6] ?? 0) + (bytes[at + 7] ?? 0) * 256;
        return need(8 + x * y);
      }
      return 'unknown';
    }
    case FS:
      if (c === 0x26 || c === 0x2e) return need(2); // FS &, FS .
      if (c === 0x21 || c === 0x43) return need(3); // FS ! n, FS C n
      return 'unknown';
    case DLE:
      if (c === EOT) return need(3);
      return 'unknown';
    default:
      return 'unknown';
  }
}

interface Segment {
  chinese: boolean;
  bytes: number[];
}

function decodeSegment(segment: Segment): string {
  if (segment.chinese) return decodeGb18030(Uint8Array.from(segment.bytes));
  return segment.bytes.map((b) => (b < 0x80 ? String.fromCharCode(b) : '\uFFFD')).join('');
}

/**
 * GS v 0 m xL xH yL yH d1...dk at `at`. Bit 0 of m doubles the width and bit 1 the height
 * (m = 0..3 or '0'..'3'); the event holds the dots as printed, so a reader never needs m.
 */
function rasterEvent(bytes: Uint8Array, at: number): Extract<EscPosEvent, { kind: 'raster' }> {
  const m = (bytes[at + 3] ?? 0) & 3;
  const stride = (bytes[at + 4] ?? 0) + (bytes[at + 5] ?? 0) * 256;
  const rows = (bytes[at + 6] ?? 0) + (bytes[at + 7] ?? 0) * 256;
  const sent = bytes.slice(at + 8, at + 8 + stride * rows);
  if (m === 0) return { kind: 'raster', width: stride * 8, height: rows, data: sent };
  const wide = (m & 1) !== 0 ? 2 : 1;
  const tall = (m & 2) !== 0 ? 2 : 1;
  const outStride = stride * wide;
  const data = new Uint8Array(outStride * rows * tall);
  for (let y = 0; y < rows; y += 1) {
    for (let x = 0; x < stride * 8; x += 1) {
      if (((sent[y * stride + (x >> 3)] ?? 0) & (0x80 >> (x & 7))) === 0) continue;
      for (let dy = 0; dy < tall; dy += 1) {
        for (let dx = 0; dx < wide; dx += 1) {
          const px = x * wide + dx;
          const i = (y * tall + dy) * outStride + (px >> 3);
          data[i] = (data[i] ?? 0) | (0x80 >> (px & 7));
        }
      }
    }
  }
  return { kind: 'raster', width: outStride * 8, height: rows * tall, data };
}

const QR_LEVELS: Readonly<Record<number, string>> = { 48: 'L', 49: 'M', 50: 'Q', 51: 'H' };
const PARTIAL_CUTS: readonly number[] = [1, 49, 66, 98, 104];

export function decodeEscPos(bytes: Uint8Array): EscPosEvent[] {
  const events: EscPosEvent[] = [];
  let chinese = false;
  let align: TextAlign = 'left';
  let bold = false;
  let width = 1;
  let height = 1;
  let line: Segment[] = [];
  // Style is taken when the line's first character arrives (alignment only applies at
  // the start of a line on the printer anyway).
  let lineStyle: { align: TextAlign; bold: boolean; width: number; height: number } | undefined;
  let qrData: string | undefined;
  let qrSize: number | undefined;
  let qrLevel: string | undefined;

  const flush = (terminated: boolean): void => {
    const style = lineStyle ?? { align, bold, width, height };
    events.push({ kind: 'text', text: line.map(decodeSegment).join(''), ...style, terminated });
    line = [];
    lineStyle = undefined;
  };
  const flushIfHeld = (): void => {
    if (line.length > 0) flush(true);
  };
  const resetModes = (): void => {
    chinese = false;
    align = 'left';
    bold = false;
    width = 1;
    height = 1;
  };

  let at = 0;
  while (at < bytes.length) {
    const len = commandLength(bytes, at);
    const b = bytes[at] ?? 0;
    if (len === 'incomplete') {
      events.push({ kind: 'truncated', offset: at });
      break;
    }
    if (len === 'unknown') {
      events.push({ kind: 'unknown', offset: at, byte: b });
      at += 1;
      continue;
    }
    const arg = (i: number): number => bytes[at + i] ?? 0;
    if (b === LF) {
      flush(true);
    } else if (b === 0x0d) {
      // CR: ignored by printers configured for LF line ends, as ESC/POS printers are by default.
    } else if (b >= 0x20 || b === 0x09) {
      lineStyle ??= { align, bold, width, height };
      const last = line[line.length - 1];
      if (last !== undefined && last.chinese === chinese) last.bytes.push(b);
      else line.push({ chinese, bytes: [b] });
    } else if (b === ESC) {
      switch (arg(1)) {
        case 0x40:
          line = [];
          lineStyle = undefined;
          resetModes();
          events.push({ kind: 'init' });
          break;
        case 0x61: {
          const n = arg(2) % 48; // ESC a accepts 0..2 and '0'..'2'
          align = n === 1 ? 'center' : n === 2 ? 'right' : 'left';
          break;
        }
        case 0x45:
          bold = (arg(2) & 1) === 1;
          break;
        case 0x21:
          // ESC ! n: bit 3 emphasized, bit 4 double height, bit 5 double width.
          bold = (arg(2) & 0x08) !== 0;
          height = (arg(2) & 0x10) !== 0 ? 2 : 1;
          width = (arg(2) & 0x20) !== 0 ? 2 : 1;
          break;
        case 0x70:
          flushIfHeld();
          events.push({ kind: 'drawer-kick', pin: (arg(2) & 1) === 1 ? 5 : 2, onMs: arg(3) * 2, offMs: arg(4) * 2 });
          break;
        default:
          break; // known length, no effect on what we report
      }
    } else if (b === GS) {
      switch (arg(1)) {
        case 0x21:
          width = ((arg(2) >> 4) & 7) + 1;
          height = (arg(2) & 7) + 1;
          break;
        case 0x56:
          flushIfHeld();
          events.push({ kind: 'cut', partial: PARTIAL_CUTS.includes(arg(2)) });
          break;
        case 0x28:
          if (arg(2) === 0x6b && arg(5) === 0x31) {
            const fn = arg(6);
            if (fn === 0x43) qrSize = arg(7);
            else if (fn === 0x45) qrLevel = QR_LEVELS[arg(7)];
            else if (fn === 0x50) qrData = new TextDecoder().decode(bytes.subarray(at + 8, at + len));
            else if (fn === 0x51 && qrData !== undefined) {
              flushIfHeld();
              events.push({ kind: 'qr', data: qrData, size: qrSize, errorLevel: qrLevel });
            }
          }
          break;
        case 0x76:
          // A printer takes GS v 0 only at the start of a line; print a held line first, as for a QR code.
          flushIfHeld();
          events.push(rasterEvent(bytes, at));
          break;
        default:
          break;
      }
    } else if (b === FS) {
      if (arg(1) === 0x26) chinese = true;
      else if (arg(1) === 0x2e) chinese = false;
    } else if (b === DLE) {
      events.push({ kind: 'status-request', n: arg(2) });
    }
    at += len;
  }
  if (line.length > 0) flush(false);
  return events;
}

/** What tests usually assert: the printed lines, the QR payloads, raster images, cuts, kicks and status requests. */
export interface ReceiptSummary {
  readonly lines: string[];
  readonly qr: string[];
  /** Size in dots of each GS v 0 command (a tall image comes as several bands). */
  readonly rasters: { width: number; height: number }[];
  readonly cuts: number;
  readonly drawerKicks: number;
  readonly statusRequests: number[];
  readonly unknown: number;
}

export function summarizeEscPos(events: readonly EscPosEvent[]): ReceiptSummary {
  const lines: string[] = [];
  const qr: string[] = [];
  const rasters: { width: number; height: number }[] = [];
  const statusRequests: number[] = [];
  let cuts = 0;
  let drawerKicks = 0;
  let unknown = 0;
  for (const e of events) {
    switch (e.kind) {
      case 'text':
        lines.push(e.text);
        break;
      case 'qr':
        qr.push(e.data);
        break;
      case 'raster':
        rasters.push({ width: e.width, height: e.height });
        break;
      case 'cut':
        cuts += 1;
        break;
      case 'drawer-kick':
        drawerKicks += 1;
        break;
      case 'status-request':
        statusRequests.push(e.n);
        break;
      case 'unknown':
      case 'truncated':
        unknown += 1;
        break;
      case 'init':
        break;
    }
  }
  return { lines, qr, rasters, cuts, drawerKicks, statusRequests, unknown };
}
