/**
 * ESC/POS byte builder for text-mode receipts on Epson-compatible Chinese printers.
 *
 * Chinese text is sent as GB18030 inside Chinese (Kanji) mode, `FS &` … `FS .`. The
 * builder tracks whether Chinese mode is on and turns it on by itself before the first
 * non-ASCII text, so a caller cannot send GB18030 bytes that the printer would read as
 * single-byte code-page characters. `ESC @` is treated as leaving Chinese mode: some
 * printers keep it across `ESC @` and some do not, and sending `FS &` again is harmless.
 *
 * Pure: no Node APIs.
 */
import { encodeGb18030 } from './gb18030.js';

export const LF = 0x0a;
export const ESC = 0x1b;
export const FS = 0x1c;
export const GS = 0x1d;
export const DLE = 0x10;
export const EOT = 0x04;

/** DLE EOT n, real-time status: which status byte to ask for (see status.ts). */
export const STATUS_REQUEST = {
  PRINTER: 1,
  OFFLINE_CAUSE: 2,
  PAPER_ROLL: 4,
} as const;
export type StatusRequestN = (typeof STATUS_REQUEST)[keyof typeof STATUS_REQUEST];

export type Align = 'left' | 'center' | 'right';
export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

/** GS ( k function 169 parameter: 48 + index of L, M, Q, H. */
export const QR_ERROR_LEVEL_CODE: Readonly<Record<QrErrorLevel, number>> = { L: 48, M: 49, Q: 50, H: 51 };

/**
 * Byte-mode capacity of a version-40 QR code at each error level. The GS ( k store
 * command accepts up to 7089 bytes, but a printer given more than the level can hold
 * prints nothing, so we refuse instead of losing the payment code silently.
 */
export const QR_MAX_BYTES: Readonly<Record<QrErrorLevel, number>> = { L: 2953, M: 2331, Q: 1663, H: 1273 };

export const QR_MIN_MODULE_SIZE = 1;
export const QR_MAX_MODULE_SIZE = 16;

export interface QrOptions {
  /** Module size in dots, 1..16 (GS ( k function 167). Default 6. */
  readonly size?: number;
  /** Default 'M'. */
  readonly errorLevel?: QrErrorLevel;
}

export function statusRequest(n: StatusRequestN): Uint8Array {
  return Uint8Array.of(DLE, EOT, n);
}

function alignCode(align: Align): number {
  switch (align) {
    case 'left':
      return 0;
    case 'center':
      return 1;
    case 'right':
      return 2;
  }
}

/** GS ( k pL pH cn fn [params]: pL/pH count cn, fn and params. */
function qrCommand(fn: number, params: readonly number[] | Uint8Array): number[] {
  const len = params.length + 2;
  return [GS, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, fn, ...params];
}

// C0 controls and DEL in text would be read by the printer as commands (a name with
// ESC in it could cut the paper or open the drawer), so text never carries them.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

export class EscPosBuilder {
  private readonly parts: number[] = [];
  private chinese = false;

  /** ESC @: reset the printer's modes (not its buffer). */
  init(): this {
    this.parts.push(ESC, 0x40);
    this.chinese = false;
    return this;
  }

  /** FS &: Chinese mode on; bytes 0x81..0xFE start GB18030 characters. */
  chineseOn(): this {
    this.parts.push(FS, 0x26);
    this.chinese = true;
    return this;
  }

  /** FS .: Chinese mode off; bytes 0x80..0xFF are the single-byte code page again. */
  chineseOff(): this {
    this.parts.push(FS, 0x2e);
    this.chinese = false;
    return this;
  }

  /**
   * Text without a line feed. Control characters become spaces. Non-ASCII text turns
   * Chinese mode on first if it is off.
   */
  text(text: string): this {
    const bytes = encodeGb18030(text.replace(CONTROL_CHARS, ' '));
    if (!this.chinese && bytes.some((b) => b >= 0x80)) this.chineseOn();
    for (const b of bytes) this.parts.push(b);
    return this;
  }

  /** Text and a line feed (LF prints the line). */
  line(text = ''): this {
    return this.text(text).feed(1);
  }

  feed(lines = 1): this {
    if (!Number.isInteger(lines) || lines < 0) throw new RangeError(`feed: lines must be a whole number >= 0, got ${lines}`);
    for (let i = 0; i < lines; i++) this.parts.push(LF);
    return this;
  }

  /** ESC a n; the printer applies it only at the start of a line. */
  align(align: Align): this {
    this.parts.push(ESC, 0x61, alignCode(align));
    return this;
  }

  /** ESC E n. */
  bold(on: boolean): this {
    this.parts.push(ESC, 0x45, on ? 1 : 0);
    return this;
  }

  /** GS ! 0x11 (double width and height) or GS ! 0x00; applies to Chinese characters too. */
  doubleSize(on: boolean): this {
    this.parts.push(GS, 0x21, on ? 0x11 : 0x00);
    return this;
  }

  /**
   * QR code through GS ( k: model 2, module size, error level, store, print. The data
   * goes as UTF-8, which is what phone scanners assume for non-ASCII content.
   */
  qr(data: string, options: QrOptions = {}): this {
    const size = options.size ?? 6;
    const level = options.errorLevel ?? 'M';
    if (!Number.isInteger(size) || size < QR_MIN_MODULE_SIZE || size > QR_MAX_MODULE_SIZE) {
      throw new RangeError(`qr: size must be ${QR_MIN_MODULE_SIZE}..${QR_MAX_MODULE_SIZE}, got ${size}`);
    }
    const payload = new TextEncoder().encode(data);
    if (payload.length === 0) throw new RangeError('qr: data is empty');
    if (payload.length > QR_MAX_BYTES[level]) {
      throw new RangeError(`qr: ${payload.length} bytes exceed the ${QR_MAX_BYTES[level]} a level-${level} QR code holds`);
    }
    this.parts.push(
      ...qrCommand(0x41, [0x32, 0x00]), // fn 165: model 2
      ...qrCommand(0x43, [size]), // fn 167: module size
      ...qrCommand(0x45, [QR_ERROR_LEVEL_CODE[level]]), // fn 169: error correction
      ...qrCommand(0x50, [0x30, ...payload]), // fn 180: store data
      ...qrCommand(0x51, [0x30]), // fn 181: print the stored symbol
    );
    return this;
  }

  /** GS V 66 0: feed to the cutter and partial cut (function B). */
  cut(): this {
    this.parts.push(GS, 0x56, 66, 0);
    return this;
  }

  /** ESC p 0 25 250: pulse drawer pin 2, 50 ms on, 500 ms off. */
  drawerKick(): this {
    this.parts.push(ESC, 0x70, 0, 25, 250);
    return this;
  }

  /** DLE EOT n; the printer answers one status byte at once, even while busy. */
  statusRequest(n: StatusRequestN): this {
    this.parts.push(...statusRequest(n));
    return this;
  }

  raw(bytes: Uint8Array | readonly number[]): this {
    for (const b of bytes) {
      if (!Number.isInteger(b) || b < 0 || b > 0xff) throw new RangeError(`raw: not a byte: ${b}`);
      this.parts.push(b);
    }
    return this;
  }

  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
